"""The language of an answer: ``?lang=`` if the node speaks it, else the best of ``Accept-Language``."""

from dsi4bcn.i18n.tables import LANGUAGES

__all__ = ["choose_language"]


def _parse_accept_language(header: str) -> list[tuple[float, str]]:
    ranked: list[tuple[float, str]] = []
    for position, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary:
            ranked.append((quality - position * 1e-6, primary))
    ranked.sort(reverse=True)
    return ranked


def choose_language(requested: str | None, accept_language: str | None, default: str) -> str:
    """``?lang=`` if supported, else the best of ``Accept-Language``, else the node's default."""
    if requested and requested.lower() in LANGUAGES:
        return requested.lower()
    if accept_language:
        for quality, tag in _parse_accept_language(accept_language):
            if quality > 0 and tag in LANGUAGES:
                return tag
    return default

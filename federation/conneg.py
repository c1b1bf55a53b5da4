"""HTTP content negotiation (RFC 9110 §12.5.1) for ActivityPub servers, and the media type of a body.

ActivityPub clients ask for ``application/activity+json`` or for ``application/ld+json`` with the
ActivityStreams profile; a ``profile`` parameter on an Accept range must then match the offer's.
Every header is read in one pass over its characters (no backtracking regex), so that a hostile header
costs time in proportion to its length.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from federation.errors import NegotiationError

__all__ = ["MediaRange", "media_type", "negotiate", "parse_accept"]

_MAX_RANGES = 64
# RFC 9110 §5.6.2 token characters, lower-case (media types are compared case-insensitively).
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    quality: float

    def param(self, name: str) -> str | None:
        """A parameter's value (names compared case-insensitively), or None."""
        for key, value in self.params:
            if key == name:
                return value
        return None

    def specificity(self) -> int:
        """3 for type/subtype with parameters, 2 without, 1 for type/*, 0 for */*."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2


def media_type(content_type: str | None) -> str:
    """The media type of a ``Content-Type`` value (RFC 9110 §8.3), lower-case and without parameters:
    ``'Application/JSON; charset=utf-8'`` → ``'application/json'``; ``""`` if missing or not ``type/subtype``.
    """
    if not content_type:
        return ""
    essence = content_type.partition(";")[0].strip().lower()
    kind, slash, subtype = essence.partition("/")
    if not slash or not _is_token(kind) or not _is_token(subtype):
        return ""
    return essence


def _is_token(text: str) -> bool:
    return bool(text) and all(char in _TOKEN_CHARS for char in text)


def _split_unquoted(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` that is not inside a quoted string."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _ranges(header: str) -> list[str]:
    """The media ranges of an ``Accept`` header, without empty ones."""
    return [item for item in (part.strip() for part in _split_unquoted(header, ",")) if item]


def _parse_range(text: str) -> MediaRange:
    head, *raw_params = _split_unquoted(text, ";")
    media_type, slash, subtype = head.strip().lower().partition("/")
    if not slash or not media_type or not subtype:
        raise NegotiationError(f"malformed media range {text!r}")
    quality = 1.0
    params: list[tuple[str, str]] = []
    for raw in raw_params:
        name, equals, value = raw.strip().partition("=")
        name = name.strip().lower()
        value = value.strip().strip('"')
        if not equals or not name:
            continue
        if name == "q":
            try:
                quality = max(0.0, min(1.0, float(value)))
            except ValueError as error:
                raise NegotiationError(f"malformed quality in {text!r}") from error
        else:
            params.append((name, value))
    return MediaRange(media_type, subtype, tuple(params), quality)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; a missing or empty one means ``*/*``."""
    if not header or not header.strip():
        return [MediaRange("*", "*", (), 1.0)]
    ranges = [_parse_range(item) for item in _ranges(header)[:_MAX_RANGES]]
    return ranges or [MediaRange("*", "*", (), 1.0)]


def _matches(accepted: MediaRange, offer: MediaRange) -> bool:
    if accepted.type not in ("*", offer.type):
        return False
    if accepted.subtype not in ("*", offer.subtype):
        return False
    wanted_profile = accepted.param("profile")
    if wanted_profile is not None and accepted.subtype != "*":
        offered = offer.param("profile")
        return offered is not None and bool(set(wanted_profile.split()) & set(offered.split()))
    return True


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers most, or None if it accepts none of them.

    Among ranges matching an offer, the most specific one sets its quality; ties between offers go to
    the earlier offer. Answers are memoised: servers see the same few Accept headers again and again.
    """
    return _negotiate(header, tuple(offers))


@lru_cache(maxsize=512)
def _negotiate(header: str | None, offers: tuple[str, ...]) -> str | None:
    accepted = parse_accept(header)
    best: tuple[float, int, str] | None = None
    for position, offer in enumerate(offers):
        parsed_offer = _parse_range(offer)
        matching = [r for r in accepted if _matches(r, parsed_offer)]
        if not matching:
            continue
        quality = max(matching, key=lambda r: (r.specificity(), r.quality)).quality
        if quality <= 0:
            continue
        candidate = (quality, -position, offer)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None

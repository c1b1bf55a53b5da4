"""The text tables (messages, parser phrases, page labels), read once from the TOML files of this package.

Each entry must have a text in every language of its table, so that a missing translation stops the node
at import (and every test) instead of falling back to English in front of a reader.
"""

import tomllib
from collections.abc import Mapping
from importlib import resources

__all__ = ["LANGUAGES", "MESSAGES", "PHRASES", "UI", "parse_table"]

LANGUAGES = ("ca", "es", "en")


def parse_table(text: str, name: str, languages: tuple[str, ...]) -> Mapping[str, Mapping[str, str]]:
    """The table in the TOML ``text`` (named ``name`` in errors); raise ``ValueError`` unless every entry
    has a text in each of ``languages`` and in no other."""
    table = tomllib.loads(text)
    for key, texts in table.items():
        if (
            not isinstance(texts, dict)
            or sorted(texts) != sorted(languages)
            or not all(isinstance(words, str) for words in texts.values())
        ):
            raise ValueError(f"{name}: [{key}] must have a text in each of {', '.join(languages)} and no other")
    return table


def _load(name: str, languages: tuple[str, ...]) -> Mapping[str, Mapping[str, str]]:
    text = resources.files("dsi4bcn.i18n").joinpath(name).read_text(encoding="utf-8")
    return parse_table(text, name, languages)


MESSAGES = _load("messages.toml", LANGUAGES)
# English phrases (``Phrase``) in Catalan and Spanish: the English is the key.
PHRASES = _load("phrases.toml", ("ca", "es"))
UI = _load("ui.toml", LANGUAGES)

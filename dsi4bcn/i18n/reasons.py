"""Reasons and phrases, put into words in the language of the answer they end up in.

A reason travels as a message code with its parameters (``Reason``) and an English phrase of a parser as
``Phrase``; ``message`` words them only once the answer's language is known, so that a prefix and its reason
are always in the same language.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dsi4bcn.i18n.tables import MESSAGES, PHRASES

__all__ = ["ENGLISH_ONLY", "Phrase", "Reason", "message"]


@dataclass(frozen=True)
class Phrase:
    """An English phrase of a parser, said in the answer's language where ``PHRASES`` has it."""

    english: str


# Messages whose reason is English text from elsewhere, so that the whole message is English whatever the
# request's language: an inbox refusal is for servers, not people (its reason is the federation library's
# text, as Mastodon and Fedify log it); a peering refusal quotes what the other node or the network said.
ENGLISH_ONLY = frozenset({"inbox_refused", "peer_refused"})


@dataclass(frozen=True, init=False)
class Reason:
    """A message code with its parameters, put into words only when the answer's language is known.

    Used as a parameter of another message (``sparql_refused``'s ``reason``), so that the prefix and the
    reason are always in the same language.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message {code!r}")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)

    def __str__(self) -> str:
        return message(self.code, "en", **self.params)


def message(code: str, language: str, **params: object) -> str:
    """The message ``code`` in ``language`` (English if unknown), with ``params`` filled in.

    A parameter that is a ``Reason`` is put into words in the same language (English for the messages
    in ``ENGLISH_ONLY``).
    """
    if code in ENGLISH_ONLY:
        language = "en"
    templates = MESSAGES[code]
    template = templates.get(language) or templates["en"]
    words = {name: _words(value, language) for name, value in params.items()}
    return template.format(**words)


def _words(value: object, language: str) -> object:
    if isinstance(value, Reason):
        return message(value.code, language, **value.params)
    if isinstance(value, Phrase):
        return PHRASES.get(value.english, {}).get(language, value.english)
    return value

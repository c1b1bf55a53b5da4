"""Reasons and phrases, put into words in the language of the answer they end up in.

A reason travels as a message code with its parameters (``Reason``) and an English phrase of a parser as
``Phrase``; ``message`` words them only once the answer's language is known, so that a prefix and its reason
are always in the same language. A message with a non-empty ``suggestions`` parameter (the names a wrong one
probably meant, from ``dsi4bcn.profiles.suggestions``) ends with "did you mean …?" in the same language.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dsi4bcn.i18n.tables import MESSAGES, PHRASES

__all__ = ["ENGLISH_ONLY", "Phrase", "Reason", "message", "words_of"]


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
    in ``ENGLISH_ONLY``); a non-empty ``suggestions`` list adds "did you mean …?".
    """
    if code in ENGLISH_ONLY:
        language = "en"
    templates = MESSAGES[code]
    template = templates.get(language) or templates["en"]
    words = {name: words_of(value, language) for name, value in params.items()}
    text = template.format(**words)
    suggestions = params.get("suggestions")
    if isinstance(suggestions, list | tuple) and suggestions:
        text = message("did_you_mean", language, text=text, choices=_either(suggestions, language))
    return text


def _either(choices: list[str] | tuple[str, ...], language: str) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``, quoted as the language quotes."""
    quoted = [message("quoted", language, value=choice) for choice in choices]
    if len(quoted) == 1:
        return quoted[0]
    return message("either", language, some=", ".join(quoted[:-1]), last=quoted[-1])


def words_of(value: object, language: str) -> object:
    """A message parameter as it is said in ``language``: a ``Reason`` or ``Phrase`` put into words,
    anything else as it is."""
    if isinstance(value, Reason):
        return message(value.code, language, **value.params)
    if isinstance(value, Phrase):
        return PHRASES.get(value.english, {}).get(language, value.english)
    return value

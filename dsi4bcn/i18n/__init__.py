"""User-facing text in Catalan, Spanish and English, and the choice of language for a request.

Messages are looked up by a stable code; the code travels in API answers too, so that clients can
translate or act on it without parsing text. The texts are data (``messages.toml``, ``phrases.toml``,
``ui.toml`` in this package, read once by ``tables``); ``reasons`` puts a code and its parameters into words,
``language`` chooses the language of an answer.
"""

from dsi4bcn.i18n.language import choose_language
from dsi4bcn.i18n.reasons import ENGLISH_ONLY, Phrase, Reason, message, words_of
from dsi4bcn.i18n.tables import LANGUAGES, MESSAGES, PHRASES, UI

__all__ = [
    "ENGLISH_ONLY",
    "LANGUAGES",
    "MESSAGES",
    "PHRASES",
    "UI",
    "Phrase",
    "Reason",
    "choose_language",
    "message",
    "words_of",
]

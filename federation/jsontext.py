"""Parse JSON text from strangers into values that every later step can store and encode.

RFC 8259 lets a JSON string escape a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it into a
``str`` that cannot be encoded as UTF-8, so it fails far from the door (SQLite, N-Triples, the log) and
can stop whatever background step meets it. RFC 8259 §8.2 calls such strings unpredictable, and I-JSON
(RFC 7493 §2.1) forbids them: they are refused here, where the text enters.

Linear time: one pass of the JSON decoder, then a scan for a surrogate escape; only text that has one is
walked again to find out whether it is a lone half or part of a valid pair.
"""

import json
import re
from typing import Any

from federation.errors import FederationError

__all__ = ["JSONTextError", "has_lone_surrogate", "parse_json"]

# A \uD800-\uDFFF escape; raw UTF-8 cannot carry a surrogate (Python's decoder refuses it).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


class JSONTextError(FederationError, ValueError):
    """JSON text that is refused: not UTF-8, not JSON, nested too deep, or with a lone surrogate.

    The message is English (for logs and for servers); ``code`` and ``params`` say the same for callers
    that answer people in their language: ``json_not_utf8``, ``json_syntax`` (``line``, ``column``),
    ``json_too_deep`` or ``json_lone_surrogate``.
    """

    def __init__(self, message: str, code: str, **params: int) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string in ``value`` (keys included, at any depth) holds a lone UTF-16 surrogate."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_json(raw: bytes) -> Any:
    """Decode UTF-8 JSON text; raise ``JSONTextError`` with the reason if it is not acceptable."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JSONTextError(f"the body is not valid JSON: {error}", "json_not_utf8") from error
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise JSONTextError("the JSON text is nested too deeply", "json_too_deep") from error
    except json.JSONDecodeError as error:
        raise JSONTextError(
            f"the body is not valid JSON: {error}", "json_syntax", line=error.lineno, column=error.colno
        ) from error
    if _SURROGATE_ESCAPE.search(raw) and has_lone_surrogate(value):
        raise JSONTextError("the JSON text contains a lone UTF-16 surrogate (RFC 7493 §2.1)", "json_lone_surrogate")
    return value

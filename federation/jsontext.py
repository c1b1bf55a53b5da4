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

__all__ = ["MAX_DEPTH", "JSONTextError", "has_lone_surrogate", "parse_json"]

# Arrays and objects nested deeper than this are refused. Activities and profiles need fewer than ten levels;
# without a limit of its own, what the decoder accepts depends on how deep the caller's stack already is
# (Python's recursion limit, about 1,000 frames), and a value just under it can still overflow the stack of
# whatever walks it later (validation, JSON-LD, the encoder).
MAX_DEPTH = 64

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


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest in ``value`` more than ``limit`` levels (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
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
    if _deeper_than(value, MAX_DEPTH):
        raise JSONTextError(f"the JSON text is nested more than {MAX_DEPTH} levels deep", "json_too_deep")
    if _SURROGATE_ESCAPE.search(raw) and has_lone_surrogate(value):
        raise JSONTextError("the JSON text contains a lone UTF-16 surrogate (RFC 7493 §2.1)", "json_lone_surrogate")
    return value

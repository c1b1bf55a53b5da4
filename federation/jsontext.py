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
    """JSON text that is refused: not UTF-8, not JSON, nested too deep, or with a lone surrogate."""


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
        value = json.loads(raw)
    except RecursionError as error:
        raise JSONTextError("the JSON text is nested too deeply") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise JSONTextError(f"the body is not valid JSON: {error}") from error
    if _SURROGATE_ESCAPE.search(raw) and has_lone_surrogate(value):
        raise JSONTextError("the JSON text contains a lone UTF-16 surrogate (RFC 7493 §2.1)")
    return value

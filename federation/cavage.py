"""draft-cavage HTTP Signatures as Mastodon reads them: the ``Signature`` header's parameters, the rules on
what a signature must cover, and the lines of the signing string.

Pure text in, text out; ``federation.httpsig`` signs, parses and verifies with these.
Rules: https://datatracker.ietf.org/doc/html/draft-cavage-http-signatures-12 ·
https://github.com/mastodon/mastodon/blob/main/app/lib/signed_request.rb
"""

import re
from collections.abc import Mapping
from urllib.parse import SplitResult

from federation import rfc9421
from federation.errors import SignatureError

__all__ = ["check_coverage", "read_params", "signing_line"]

# The draft-cavage parameter list is read by a single left-to-right scan (``read_params``). Each pattern
# below is one character class repeated, matched at a given position: it cannot backtrack, so reading a
# header costs time proportional to its length whatever it holds (an unterminated quote, many escapes).
_SPACES = re.compile(r"\s*")
_PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_TOKEN_VALUE = re.compile(r'[^",\s]*')
_QUOTED_RUN = re.compile(r'[^"\\]*')


def read_params(value: str) -> dict[str, str]:
    """The parameters of a draft-cavage ``Signature`` header, names lower-case, values unquoted.

    ``name="quoted \\"value\\""`` or ``name=token``, separated by commas, spaces allowed around ``=`` and
    ``,`` (draft-cavage-12 §4.1). One pass, each character read once: a hostile header cannot make it slow.
    """
    params: dict[str, str] = {}
    text = value.strip()
    position = 0
    while position < len(text):
        position = _skip_spaces(text, position)
        name_match = _PARAM_NAME.match(text, position)
        if name_match is None:
            raise _unparsable("a parameter name", text, position)
        name = name_match[0].lower()
        position = _skip_spaces(text, name_match.end())
        if not text.startswith("=", position):
            raise _unparsable(f"'=' after {name}", text, position)
        position = _skip_spaces(text, position + 1)
        if text.startswith('"', position):
            param_value, position = _quoted_value(text, position + 1)
        else:
            token = _TOKEN_VALUE.match(text, position)
            assert token is not None  # the pattern matches the empty string
            param_value, position = token[0], token.end()
        position = _skip_spaces(text, position)
        if position < len(text):
            if text[position] != ",":
                raise _unparsable(f"',' after the value of {name}", text, position)
            position += 1
        if name in params:
            raise SignatureError(f"the Signature parameter {name} appears twice")
        params[name] = param_value
    return params


def _skip_spaces(text: str, position: int) -> int:
    spaces = _SPACES.match(text, position)
    assert spaces is not None  # the pattern matches the empty string
    return spaces.end()


def _quoted_value(text: str, position: int) -> tuple[str, int]:
    """The unescaped value of a quoted string whose opening quote ends just before ``position``, and the
    position after its closing quote. A backslash escapes the next character (not a line break)."""
    parts: list[str] = []
    while True:
        run = _QUOTED_RUN.match(text, position)
        assert run is not None  # the pattern matches the empty string
        parts.append(run[0])
        position = run.end()
        if position == len(text):
            raise _unparsable("a closing quote", text, position)
        if text[position] == '"':
            return "".join(parts), position + 1
        escaped = text[position + 1 : position + 2]  # text[position] is a backslash
        if escaped in ("", "\n"):
            raise _unparsable("a character after the backslash", text, position + 1)
        parts.append(escaped)
        position += 2


def _unparsable(expected: str, text: str, position: int) -> SignatureError:
    found = repr(text[position]) if position < len(text) else "the end"
    return SignatureError(
        f"the Signature header cannot be parsed: expected {expected} at character {position}, found {found}"
    )


def check_coverage(covered: tuple[str, ...], method: str) -> None:
    """Refuse a signature that covers too little for ``method`` (signed_request.rb verify_signature_strength!)."""
    if "date" not in covered and "(created)" not in covered:
        raise SignatureError("the signature must cover date or (created)")
    if "(request-target)" not in covered and "digest" not in covered:
        raise SignatureError("the signature must cover (request-target) or digest")
    if method == "GET" and "host" not in covered:
        raise SignatureError("a GET signature must cover host")
    if method == "POST" and "digest" not in covered:
        raise SignatureError("a POST signature must cover digest")


def signing_line(
    name: str,
    method: str,
    parts: SplitResult,
    fields: Mapping[str, str],
    params: Mapping[str, str],
    algorithm: str,
    *,
    with_query: bool,
) -> str:
    """One line of a draft-cavage signing string (draft-cavage-12 §2.3)."""
    if name == "(request-target)":
        path = parts.path or "/"
        target = f"{path}?{parts.query}" if with_query and parts.query else path
        return f"(request-target): {method.lower()} {target}"
    if name in ("(created)", "(expires)"):
        param = name[1:-1]
        if algorithm != "hs2019":
            raise SignatureError(f"{name} is only allowed with hs2019")
        if param not in params:
            raise SignatureError(f"{name} is covered but the {param} parameter is missing")
        return f"{name}: {params[param]}"
    if name.startswith("("):
        raise SignatureError(f"unsupported pseudo-header {name}")
    value = rfc9421.field_value(fields, name)
    if value is None and name == "host":  # HTTP/2 carries :authority, not Host
        value = rfc9421.authority(parts.geturl())
    if value is None:
        raise SignatureError(f"the covered header {name} is missing")
    return f"{name}: {value}"

"""HTTP Signatures for ActivityPub: body digests, draft-cavage signing, and parsing and verifying the
draft-cavage and RFC 9421 signatures that Mastodon 4.4/4.5 accepts, under the same rules.

Pure: the clock comes in as ``now``, keys as PEM text. An inbox runs ``parse_signature`` → fetches the key
for ``key_id`` → ``check_body_digest`` → ``verify_signature`` (``verify_request`` does all but the fetch).
The RSA work uses ``cryptography`` both ways (about 1 ms per RSA-2048 signature, 50 µs per check); the
``httpsig`` library (pycryptodome: about 3 ms to sign, 2 ms to verify) is kept in the test suite as an
independent reference that our signatures must match byte for byte. Every failure raises
``SignatureError`` with a reason; the server answers 401 so that peers that double-knock (Fedify) retry
with the other scheme.
Rules: https://github.com/mastodon/mastodon/blob/main/app/lib/signed_request.rb ·
https://datatracker.ietf.org/doc/html/draft-cavage-http-signatures-12 · RFC 9421 in ``federation.rfc9421``.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation import rfc9421
from federation.errors import KeyFormatError, SignatureError

__all__ = [
    "HttpRequest",
    "ParsedSignature",
    "check_body_digest",
    "content_digest_header",
    "digest_header",
    "parse_signature",
    "sign_headers",
    "verify_request",
    "verify_signature",
]

# signed_request.rb: CLOCK_SKEW_MARGIN, EXPIRATION_WINDOW_LIMIT, and created + 5 minutes when no expires.
_CLOCK_SKEW = timedelta(hours=1)
_DEFAULT_LIFETIME = timedelta(minutes=5)
_MAX_LIFETIME = timedelta(hours=12)
_CAVAGE_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
_RFC9421_ALGORITHM = "rsa-v1_5-sha256"
_MAX_COVERED = 32
# The draft-cavage parameter list is read by a single left-to-right scan (``_cavage_params``). Each pattern
# below is one character class repeated, matched at a given position: it cannot backtrack, so reading a
# header costs time proportional to its length whatever it holds (an unterminated quote, many escapes).
_SPACES = re.compile(r"\s*")
_PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_TOKEN_VALUE = re.compile(r'[^",\s]*')
_QUOTED_RUN = re.compile(r'[^"\\]*')
_TIMESTAMP = re.compile(r"\d{1,12}(?:\.\d{1,9})?")


@dataclass(frozen=True)
class HttpRequest:
    """The parts of an HTTP request a signature covers."""

    method: str  # e.g. "POST" (compared case-insensitively)
    url: str  # absolute URL as the server saw it: scheme://authority/path?query
    headers: Mapping[str, str]  # names in any case; a multi-valued mapping yields every line from items()
    body: bytes = b""


@dataclass(frozen=True)
class ParsedSignature:
    """A signature read from a request, ready to verify once the key for ``key_id`` is known."""

    scheme: Literal["draft-cavage", "rfc9421"]
    key_id: str
    algorithm: str
    covered: tuple[str, ...]  # covered components / headers, lower-case
    created: datetime  # from (created) / the created parameter, else the Date header
    expires: datetime | None  # the signed expires parameter, if any
    candidates: tuple[bytes, ...]  # signing strings to try (cavage: with, then without the query) or the base
    signature: bytes


def digest_header(body: bytes) -> str:
    """``Digest`` for ``body`` as draft-cavage senders use it (RFC 3230): ``SHA-256=<base64>``."""
    return f"SHA-256={base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}"


def content_digest_header(body: bytes) -> str:
    """``Content-Digest`` for ``body`` (RFC 9530): ``sha-256=:<base64>:``."""
    return rfc9421.content_digest_header(body)


def check_body_digest(request: HttpRequest) -> None:
    """Check every ``Digest`` / ``Content-Digest`` header present against the body; at least one is needed."""
    fields = rfc9421.fold_fields(request.headers)
    digest = rfc9421.field_value(fields, "digest")
    content_digest = rfc9421.field_value(fields, "content-digest")
    if digest is None and content_digest is None:
        raise SignatureError("no Digest or Content-Digest header")
    if digest is not None:
        _check_digest(digest, request.body)
    if content_digest is not None:
        rfc9421.check_content_digest(content_digest, request.body)


def _check_digest(value: str, body: bytes) -> None:
    # Several comma-separated digests; the algorithm name compared case-insensitively (bovine sends
    # "sha-256="); only SHA-256 is checked (signed_request.rb, verify_body_digest!).
    expected = hashlib.sha256(body).digest()
    offered: list[str] = []
    for entry in value.split(","):
        name, _, encoded = entry.partition("=")
        name = name.strip().lower()
        offered.append(name)
        if name != "sha-256":
            continue
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except ValueError as error:  # binascii.Error, or characters that are not ASCII
            raise SignatureError("the SHA-256 Digest is not valid base64") from error
        if not hmac.compare_digest(given, expected):
            raise SignatureError("digest mismatch")
        return
    raise SignatureError(f"no SHA-256 digest in Digest (offered: {', '.join(offered)})")


def sign_headers(
    *,
    method: str,
    url: str,
    key_id: str,
    private_key_pem: str,
    now: datetime,
    body: bytes | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Headers that sign a request as Mastodon expects: Host, Date, Digest and Content-Type (with a body,
    or for any POST), and a draft-cavage ``Signature`` (rsa-sha256) covering
    ``(request-target) host date [digest] [content-type]``.
    """
    if not key_id or any(char in key_id for char in '"\\\r\n'):
        raise ValueError(f"a keyId cannot be quoted in a Signature header: {key_id!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    headers = {"Host": rfc9421.authority(url), "Date": format_datetime(_utc(now), usegmt=True)}
    covered = ["(request-target)", "host", "date"]
    if body is not None or method.upper() == "POST":
        headers["Digest"] = digest_header(body or b"")
        covered.append("digest")
    if content_type is not None:
        headers["Content-Type"] = content_type
        covered.append("content-type")
    fields = rfc9421.fold_fields(headers)
    lines = [_cavage_line(name, method, parts, fields, {}, "rsa-sha256", with_query=True) for name in covered]
    raw_signature = _private_key(private_key_pem).sign(
        "\n".join(lines).encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )
    signature = base64.b64encode(raw_signature).decode("ascii")
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(covered)}",signature="{signature}"'
    )
    return headers


@lru_cache(maxsize=32)
def _private_key(private_key_pem: str) -> rsa.RSAPrivateKey:
    # Loading a private key checks its primes and takes ~0.1 s; signing then takes ~1 ms. Keep a few.
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as error:
        raise KeyFormatError(f"the private key is not a usable RSA key: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFormatError("the private key is not a usable RSA key: not RSA")
    return key


def parse_signature(request: HttpRequest, *, now: datetime) -> ParsedSignature:
    """Read the request's signature (RFC 9421 if ``Signature-Input`` is present, else draft-cavage) and
    check what can be checked without the key: required parameters, coverage, the time window.
    """
    fields = rfc9421.fold_fields(request.headers)
    if "signature-input" in fields:
        parsed = _parse_rfc9421(request, fields)
    elif "signature" in fields:
        parsed = _parse_cavage(request, fields)
    else:
        raise SignatureError("the request is not signed (no Signature header)")
    if (request.body or request.method.upper() == "POST") and not {"digest", "content-digest"} & set(parsed.covered):
        raise SignatureError("the signature does not cover the body digest")
    _check_window(parsed.created, parsed.expires, now)
    return parsed


def _parse_cavage(request: HttpRequest, fields: Mapping[str, str]) -> ParsedSignature:
    params = _cavage_params(rfc9421.field_value(fields, "signature") or "")
    key_id, encoded = params.get("keyid"), params.get("signature")
    if not key_id:
        raise SignatureError("the keyId parameter is required")
    if not encoded:
        raise SignatureError("the signature parameter is required")
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in _CAVAGE_ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {algorithm!r} (only rsa-sha256 and hs2019)")
    covered = tuple(params.get("headers", "(created)" if algorithm == "hs2019" else "date").lower().split())
    if not covered or len(covered) > _MAX_COVERED:
        raise SignatureError(f"the headers parameter must name 1 to {_MAX_COVERED} headers")
    _check_cavage_coverage(covered, request.method.upper())
    try:
        signature = base64.b64decode(encoded, validate=True)
    except ValueError as error:  # binascii.Error, or characters that are not ASCII
        raise SignatureError("the signature is not valid base64") from error
    # The created parameter counts only with hs2019 (draft-cavage-12 §2.1.4, signed_request.rb created_time),
    # and here only when (created) is signed: Mastodon also reads an unsigned one, which would let anyone
    # refresh an old request. Likewise an unsigned expires parameter is ignored (the default 5 min apply).
    if algorithm == "hs2019" and "(created)" in covered and "created" in params:
        created = _timestamp(params["created"], "created")
    else:
        date = rfc9421.field_value(fields, "date")
        if date is None:
            raise SignatureError("no Date header and no signed created parameter")
        created = _http_date(date)
    signed_expires = "(expires)" in covered and "expires" in params
    expires = _timestamp(params["expires"], "expires") if signed_expires else None
    parts = urlsplit(request.url)
    # Mastodon tries (request-target) with the query string, then without: older Mastodon signed only
    # the path (signed_request.rb build_signed_string(include_query_string:); PR #39516 plans to drop it).
    candidates = tuple(
        dict.fromkeys(
            "\n".join(
                _cavage_line(name, request.method, parts, fields, params, algorithm, with_query=with_query)
                for name in covered
            ).encode("utf-8", "surrogateescape")
            for with_query in ((True, False) if parts.query else (True,))
        )
    )
    return ParsedSignature("draft-cavage", key_id, algorithm, covered, created, expires, candidates, signature)


def _cavage_params(value: str) -> dict[str, str]:
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


def _check_cavage_coverage(covered: tuple[str, ...], method: str) -> None:
    # signed_request.rb verify_signature_strength!
    if "date" not in covered and "(created)" not in covered:
        raise SignatureError("the signature must cover date or (created)")
    if "(request-target)" not in covered and "digest" not in covered:
        raise SignatureError("the signature must cover (request-target) or digest")
    if method == "GET" and "host" not in covered:
        raise SignatureError("a GET signature must cover host")
    if method == "POST" and "digest" not in covered:
        raise SignatureError("a POST signature must cover digest")


def _cavage_line(
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


def _parse_rfc9421(request: HttpRequest, fields: Mapping[str, str]) -> ParsedSignature:
    # signed_request.rb HttpMessageSignature: keyid and created required, @method and @target-uri
    # covered, content-digest covered on POST; only RSASSA-PKCS1-v1_5 SHA-256 keys are verified.
    signature = rfc9421.parse_signature_fields(fields)
    if signature.algorithm is not None and signature.algorithm != _RFC9421_ALGORITHM:
        raise SignatureError(f"unsupported signature algorithm {signature.algorithm!r} (only rsa-v1_5-sha256)")
    if "@method" not in signature.components or "@target-uri" not in signature.components:
        raise SignatureError("the signature must cover @method and @target-uri")
    if request.method.upper() == "POST" and "content-digest" not in signature.components:
        raise SignatureError("a POST signature must cover content-digest")
    base = rfc9421.signature_base(signature, method=request.method, url=request.url, fields=fields)
    return ParsedSignature(
        "rfc9421",
        signature.key_id,
        signature.algorithm or _RFC9421_ALGORITHM,
        signature.components,
        _unix_time(signature.created, "created"),
        _unix_time(signature.expires, "expires") if signature.expires is not None else None,
        (base,),
        signature.signature,
    )


def _timestamp(value: str, name: str) -> datetime:
    if not _TIMESTAMP.fullmatch(value.strip()):
        raise SignatureError(f"the {name} parameter is not a Unix time: {value!r}")
    return _unix_time(float(value), name)


def _unix_time(seconds: float, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise SignatureError(f"the {name} time is out of range: {seconds}") from error


@lru_cache(maxsize=256)
def _http_date(value: str) -> datetime:
    # Cached: busy peers send many requests within the same second. IMF-fixdate, and the obsolete
    # RFC 850 and asctime forms (RFC 9110 §5.6.7); asctime has no zone: GMT.
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError) as error:
        raise SignatureError(f"invalid Date header: {value!r}") from error
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(UTC)


def _check_window(created: datetime, expires: datetime | None, now: datetime) -> None:
    # signed_request.rb matches_time_window?
    current = _utc(now)
    end = min(expires if expires is not None else created + _DEFAULT_LIFETIME, created + _MAX_LIFETIME)
    if created > current + _CLOCK_SKEW:
        raise SignatureError(f"signed in the future ({created:%Y-%m-%d %H:%M:%S} UTC)")
    if current > end + _CLOCK_SKEW:
        raise SignatureError(f"signature expired ({end:%Y-%m-%d %H:%M:%S} UTC)")


def verify_signature(parsed: ParsedSignature, public_key_pem: str) -> None:
    """Verify ``parsed`` with an RSA public key (RSASSA-PKCS1-v1_5, SHA-256); raise if no candidate verifies."""
    key = _public_key(public_key_pem)
    for candidate in parsed.candidates:
        try:
            key.verify(parsed.signature, candidate, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return
    raise SignatureError("signature does not verify")


@lru_cache(maxsize=1024)
def _public_key(public_key_pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as error:
        raise SignatureError(f"unreadable public key: {error}") from error
    if not isinstance(key, rsa.RSAPublicKey):
        kind = type(key).__name__.strip("_").removeprefix("Rust").removesuffix("PublicKey")
        raise SignatureError(f"unsupported key type {kind} (only RSA keys are verified)")
    return key


def verify_request(request: HttpRequest, *, public_key_pem: str, now: datetime) -> ParsedSignature:
    """Parse, check the body digest (with a body or on POST) and verify; return the verified signature."""
    parsed = parse_signature(request, now=now)
    if request.body or request.method.upper() == "POST":
        check_body_digest(request)
    verify_signature(parsed, public_key_pem)
    return parsed

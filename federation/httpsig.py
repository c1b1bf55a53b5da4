"""HTTP Signatures for ActivityPub: body digests, draft-cavage signing, and parsing and verifying the
draft-cavage and RFC 9421 signatures that Mastodon 4.4/4.5 accepts, under the same rules.

Pure: the clock comes in as ``now``, keys as PEM text. An inbox runs ``parse_signature`` → fetches the key
for ``key_id`` → ``check_body_digest`` → ``verify_signature`` (``verify_request`` does all but the fetch).
The draft-cavage header grammar and signing string are in ``federation.cavage``, the body digests in
``federation.digests`` (``digest_header`` and ``content_digest_header`` are importable from here too).
The RSA work uses ``cryptography`` both ways (about 1 ms per RSA-2048 signature, 50 µs per check); the
``httpsig`` library (pycryptodome: about 3 ms to sign, 2 ms to verify) is kept in the test suite as an
independent reference that our signatures must match byte for byte. Every failure raises
``SignatureError`` with a reason; the server answers 401 so that peers that double-knock (Fedify) retry
with the other scheme.
Rules: https://github.com/mastodon/mastodon/blob/main/app/lib/signed_request.rb ·
https://datatracker.ietf.org/doc/html/draft-cavage-http-signatures-12 · RFC 9421 in ``federation.rfc9421``.
"""

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation import cavage, rfc9421
from federation.digests import check_body_digests, content_digest_header, digest_header
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


def check_body_digest(request: HttpRequest) -> None:
    """Check every ``Digest`` / ``Content-Digest`` header present against the body; at least one is needed."""
    check_body_digests(request.headers, request.body)


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
    lines = [cavage.signing_line(name, method, parts, fields, {}, "rsa-sha256", with_query=True) for name in covered]
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
    params = cavage.read_params(rfc9421.field_value(fields, "signature") or "")
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
    cavage.check_coverage(covered, request.method.upper())
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
                cavage.signing_line(name, request.method, parts, fields, params, algorithm, with_query=with_query)
                for name in covered
            ).encode("utf-8", "surrogateescape")
            for with_query in ((True, False) if parts.query else (True,))
        )
    )
    return ParsedSignature("draft-cavage", key_id, algorithm, covered, created, expires, candidates, signature)


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

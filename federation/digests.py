"""Body digests: ``Digest`` (RFC 3230, as draft-cavage senders write it) and ``Content-Digest`` (RFC 9530),
written for a body and checked against one.

Pure. Mastodon's rules: https://github.com/mastodon/mastodon/blob/main/app/lib/signed_request.rb
(verify_body_digest!).
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping

from federation import rfc9421
from federation.errors import SignatureError

__all__ = ["check_body_digests", "check_digest", "content_digest_header", "digest_header"]


def digest_header(body: bytes) -> str:
    """``Digest`` for ``body`` as draft-cavage senders use it (RFC 3230): ``SHA-256=<base64>``."""
    return f"SHA-256={base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}"


def content_digest_header(body: bytes) -> str:
    """``Content-Digest`` for ``body`` (RFC 9530): ``sha-256=:<base64>:``."""
    return rfc9421.content_digest_header(body)


def check_body_digests(headers: Mapping[str, str], body: bytes) -> None:
    """Check every ``Digest`` / ``Content-Digest`` header present against the body; at least one is needed."""
    fields = rfc9421.fold_fields(headers)
    digest = rfc9421.field_value(fields, "digest")
    content_digest = rfc9421.field_value(fields, "content-digest")
    if digest is None and content_digest is None:
        raise SignatureError("no Digest or Content-Digest header")
    if digest is not None:
        check_digest(digest, body)
    if content_digest is not None:
        rfc9421.check_content_digest(content_digest, body)


def check_digest(value: str, body: bytes) -> None:
    """Check a ``Digest`` header against ``body``: its SHA-256 entry must match; other algorithms are skipped.

    Several comma-separated digests; the algorithm name compared case-insensitively (bovine sends
    "sha-256="); only SHA-256 is checked (signed_request.rb, verify_body_digest!).
    """
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

"""RFC 9421 HTTP Message Signatures and RFC 9530 Content-Digest, the parts a fediverse inbox needs.

Parses ``Signature-Input`` and ``Signature`` (RFC 8941 dictionaries, read with ``http_sf``) into a
``SignatureInput`` and rebuilds the signature base (RFC 9421 §2.5) from the request, so that the caller
can fetch the key for ``keyid`` before verifying. Only what Fedify and Mastodon send is supported: one
signature, derived components without parameters, plain header fields. Policy (which components must be
covered, the time window) lives in ``federation.httpsig``.
https://www.rfc-editor.org/rfc/rfc9421 · https://www.rfc-editor.org/rfc/rfc9530
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import http_sf

from federation.errors import SignatureError

__all__ = [
    "MAX_FIELD_LENGTH",
    "SignatureInput",
    "authority",
    "check_content_digest",
    "content_digest_header",
    "field_value",
    "fold_fields",
    "parse_signature_fields",
    "signature_base",
]

MAX_FIELD_LENGTH = 8 * 1024
_MAX_COMPONENTS = 32
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A component name: "@" + derived name, or a lower-case field name (RFC 9110 §5.1 token characters).
_COMPONENT = re.compile(r"@?[a-z0-9!#$%&'*+.^_`|~-]+")
_DERIVED = frozenset({"@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"})


@dataclass(frozen=True)
class SignatureInput:
    """One signature from ``Signature-Input`` and ``Signature``, as received."""

    label: str
    components: tuple[str, ...]
    key_id: str
    algorithm: str | None
    created: int
    expires: int | None
    signature_params: str  # the value of "@signature-params": the serialized inner list with its parameters
    signature: bytes


def fold_fields(headers: Mapping[str, str]) -> dict[str, str]:
    """Header fields by lower-case name; repeated fields joined with ``", "``, values trimmed (RFC 9421 §2.1).

    A multi-valued mapping (such as aiohttp's ``CIMultiDictProxy``) yields every field line from
    ``items()``, so repeated lines are combined in order.
    """
    lines: dict[str, list[str]] = {}
    for name, value in headers.items():
        lines.setdefault(name.lower(), []).append(value.strip())
    # Joined once per name: joining line by line would copy the value so far for every repeated line.
    return {name: ", ".join(values) for name, values in lines.items()}


def field_value(fields: Mapping[str, str], name: str) -> str | None:
    """A folded field's value, or None if absent; refuse absurdly long values."""
    value = fields.get(name)
    if value is not None and len(value) > MAX_FIELD_LENGTH:
        raise SignatureError(f"the {name} header is longer than {MAX_FIELD_LENGTH} characters")
    return value


def authority(url: str) -> str:
    """The authority of ``url`` normalised as RFC 9421 §2.2.3 asks: lower-case host, default port omitted."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as error:
        raise SignatureError(f"invalid port in {url!r}") from error
    return host if port is None or _DEFAULT_PORTS.get(parts.scheme.lower()) == port else f"{host}:{port}"


def _reject_duplicate(key: str, context: str) -> None:
    raise SignatureError(f"duplicate {context} key {key!r}")


def _dictionary(fields: Mapping[str, str], name: str) -> http_sf.DictionaryType:
    value = field_value(fields, name)
    if value is None:
        raise SignatureError(f"the {name} header is missing")
    try:
        parsed = http_sf.parse(value.encode("latin-1"), tltype="dictionary", on_duplicate_key=_reject_duplicate)
    except (http_sf.StructuredFieldError, UnicodeEncodeError) as error:
        raise SignatureError(f"the {name} header is not a structured dictionary: {error}") from error
    return cast(http_sf.DictionaryType, parsed)


def parse_signature_fields(fields: Mapping[str, str]) -> SignatureInput:
    """Read the single signature of ``Signature-Input`` and ``Signature`` from folded ``fields``."""
    inputs = _dictionary(fields, "signature-input")
    signatures = _dictionary(fields, "signature")
    if len(inputs) != 1:
        raise SignatureError(f"expected exactly one signature in Signature-Input, found {len(inputs)}")
    label, member = next(iter(inputs.items()))
    if set(signatures) != {label}:
        raise SignatureError(f"the Signature header does not carry exactly the signature {label!r}")
    if not isinstance(member, tuple) or not isinstance(member[0], list):
        raise SignatureError(f"Signature-Input {label!r} is not an inner list")
    items, params = member
    if len(items) > _MAX_COMPONENTS:
        raise SignatureError(f"the signature covers more than {_MAX_COMPONENTS} components")
    components: list[str] = []
    for item in items:
        value, item_params = item if isinstance(item, tuple) else (item, {})
        if not isinstance(value, str) or not _COMPONENT.fullmatch(value):
            raise SignatureError(f"unsupported covered component {value!r}")
        if item_params:
            raise SignatureError(f"component parameters are not supported ({value!r})")
        if value in components:
            raise SignatureError(f"component {value!r} is covered twice")
        components.append(value)
    signature = signatures[label]
    raw = signature[0] if isinstance(signature, tuple) else signature
    if not isinstance(raw, bytes) or not raw:
        raise SignatureError(f"Signature {label!r} is not a byte sequence")
    key_id, alg = params.get("keyid"), params.get("alg")
    created, expires = params.get("created"), params.get("expires")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("the keyid parameter is required")
    if type(created) is not int:
        raise SignatureError("the created parameter is required and must be an integer")
    if expires is not None and type(expires) is not int:
        raise SignatureError("the expires parameter must be an integer")
    if alg is not None and not isinstance(alg, str):
        raise SignatureError("the alg parameter must be a string")
    # RFC 9421 §2.3: "@signature-params" is the serialization of the inner list, parameters in the order
    # received (as Linzer, used by Mastodon, and http-message-signatures rebuild it).
    params_text = http_sf.ser({label: member}).removeprefix(f"{label}=")
    return SignatureInput(label, tuple(components), key_id, alg, created, expires, params_text, raw)


def _derived(name: str, method: str, url: str) -> str:
    """A derived component's value (RFC 9421 §2.2)."""
    parts = urlsplit(url)
    if name == "@method":
        return method.upper()
    if name == "@target-uri":
        return url
    if name == "@scheme":
        return parts.scheme.lower()
    if name == "@authority":
        return authority(url)
    path = parts.path or "/"
    if name == "@path":
        return path
    if name == "@query":
        return f"?{parts.query}"
    if name == "@request-target":
        return f"{path}?{parts.query}" if parts.query else path
    raise SignatureError(f"unsupported derived component {name!r}")


def signature_base(signature: SignatureInput, *, method: str, url: str, fields: Mapping[str, str]) -> bytes:
    """The signature base (RFC 9421 §2.5) of a request for ``signature``; ``fields`` as from ``fold_fields``."""
    lines: list[str] = []
    for name in signature.components:
        if name.startswith("@"):
            if name not in _DERIVED:
                raise SignatureError(f"unsupported derived component {name!r}")
            value = _derived(name, method, url)
        else:
            found = field_value(fields, name)
            if found is None:
                raise SignatureError(f"the covered header {name} is missing")
            value = found
        if "\n" in value or "\r" in value:
            raise SignatureError(f"the value of {name} contains a line break")
        lines.append(f'"{name}": {value}')
    lines.append(f'"@signature-params": {signature.signature_params}')
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def content_digest_header(body: bytes) -> str:
    """``Content-Digest`` for ``body`` (RFC 9530): ``sha-256=:<base64>:``."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}:"


def check_content_digest(value: str, body: bytes) -> None:
    """Check a ``Content-Digest`` value against ``body``; only ``sha-256`` is used, as Mastodon does.

    https://github.com/mastodon/mastodon/blob/main/app/lib/signed_request.rb (``verify_body_digest!``)
    """
    digests = _dictionary({"content-digest": value}, "content-digest")
    member = digests.get("sha-256")
    if member is None:
        offered = ", ".join(digests) or "none"
        raise SignatureError(f"no SHA-256 digest in Content-Digest (offered: {offered})")
    given = member[0] if isinstance(member, tuple) else member
    if not isinstance(given, bytes):
        raise SignatureError("the sha-256 Content-Digest is not a byte sequence")
    if not hmac.compare_digest(given, hashlib.sha256(body).digest()):
        raise SignatureError("digest mismatch")

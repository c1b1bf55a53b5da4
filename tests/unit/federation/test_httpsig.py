"""HTTP Signatures: published vectors (draft-cavage-12 Appendix C, RFC 9421 §4.3, Mastodon's spec), an
independent RFC 9421 signer, round trips, and one changed input per kind of check."""

import base64
import itertools
import json
import random
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from multidict import CIMultiDict

from federation import cavage, rfc9421
from federation.errors import KeyFormatError, SignatureError
from federation.httpsig import (
    HttpRequest,
    ParsedSignature,
    check_body_digest,
    content_digest_header,
    digest_header,
    parse_signature,
    sign_headers,
    verify_request,
    verify_signature,
)
from federation.keys import generate_key_pair, load_private_key
from federation.types import KeyPair

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "httpsig"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KEY_ID = "https://social.example/users/alice#main-key"
INBOX = "https://node.example/users/bob/inbox"
BODY = b'{"type":"Follow","actor":"https://social.example/users/alice"}'


def _pem(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="ascii")


@pytest.fixture(scope="module")
def keys() -> KeyPair:
    return generate_key_pair()


@pytest.fixture(scope="module")
def private_key(keys: KeyPair) -> rsa.RSAPrivateKey:
    return load_private_key(keys.private_pem)


def _sign(key: rsa.RSAPrivateKey, text: str) -> str:
    """An independent signer: the signing string is written out by the test, then signed with cryptography."""
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _signed(keys: KeyPair, method: str, url: str, body: bytes | None = None, **options: str) -> HttpRequest:
    headers = sign_headers(
        method=method, url=url, key_id=KEY_ID, private_key_pem=keys.private_pem, now=NOW, body=body, **options
    )
    return HttpRequest(method, url, headers, body or b"")


def _with(request: HttpRequest, **headers: str) -> HttpRequest:
    return replace(request, headers={**request.headers, **headers})


def _signature_value(header: str) -> str:
    match = re.search(r'signature="([^"]+)"', header)
    assert match is not None
    return match.group(1)


def _verify_text(text: bytes, signature: bytes, public_key_pem: str) -> None:
    """Verify one signing string / signature base through verify_signature."""
    parsed = ParsedSignature("rfc9421", "k", "rsa-v1_5-sha256", (), NOW, None, (text,), signature)
    verify_signature(parsed, public_key_pem)


# --- digests ---------------------------------------------------------------------------------------------

HELLO = b'{"hello": "world"}'  # the body of draft-cavage-12 Appendix C and RFC 9530 §2's example


def test_digest_headers_match_published_values() -> None:
    assert digest_header(HELLO) == "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
    assert content_digest_header(HELLO) == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"


@pytest.mark.parametrize(
    "value",
    [
        "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",  # bovine writes it in lower case
        "MD5=Sd/dVLAcvNLSq16eXua5uQ==, sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    ],
)
def test_digest_accepts_any_case_and_several_values(value: str) -> None:
    check_body_digest(HttpRequest("POST", INBOX, {"digest": value}, HELLO))


def test_content_digest_accepts_sha256_beside_others() -> None:
    value = "sha-512=:AAAA:, " + content_digest_header(HELLO)
    check_body_digest(HttpRequest("POST", INBOX, {"Content-Digest": value}, HELLO))


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Digest": digest_header(HELLO)}, "digest mismatch"),
        ({"Content-Digest": content_digest_header(HELLO)}, "digest mismatch"),
        ({"Digest": "SHA-512=" + "A" * 88}, "no SHA-256 digest"),
        ({"Content-Digest": "sha-512=:AAAA:"}, "no SHA-256 digest"),
        ({"Digest": "SHA-256=not base64!"}, "not valid base64"),
        ({"Digest": "SHA-256=\u00e9"}, "not valid base64"),  # not ASCII: b64decode raised a bare ValueError
        ({"Digest": "SHA-256=\udce9"}, "not valid base64"),  # a byte that was not UTF-8, as aiohttp gives it
        ({"Content-Digest": "sha-256=:\u00e9:"}, "not a structured dictionary"),
        ({"Content-Digest": "sha-256=X48E9q"}, "not a byte sequence"),
        ({"Content-Digest": "sha-256=:X48E9q"}, "not a structured dictionary"),
        ({}, "no Digest or Content-Digest header"),
    ],
)
def test_body_digest_failures_say_why(headers: dict[str, str], reason: str) -> None:
    changed = HELLO[:-1] + b"!"  # one byte of the body changed
    with pytest.raises(SignatureError, match=reason):
        check_body_digest(HttpRequest("POST", INBOX, headers, changed))


# --- draft-cavage-12 Appendix C: POST /foo?param=value&pet=dog with the "Test" key ------------------------

CAVAGE_HEADERS = {
    "Host": "example.com",
    "Date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
CAVAGE_NOW = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)
C1 = (
    'keyId="Test",algorithm="rsa-sha256",signature="SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8'
    'DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM="'
)
C2 = (
    'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3G'
    "P6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3Butl"
    'YSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="'
)
C3 = (
    'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",'
    'signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V'
    '01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="'
)


def _cavage(signature: str) -> HttpRequest:
    return HttpRequest(
        "POST", "https://example.com/foo?param=value&pet=dog", {**CAVAGE_HEADERS, "Signature": signature}, HELLO
    )


def test_cavage_c3_all_headers_vector_verifies() -> None:
    parsed = verify_request(_cavage(C3), public_key_pem=_pem("cavage-test-key.pub.pem"), now=CAVAGE_NOW)
    assert (parsed.scheme, parsed.key_id, parsed.algorithm) == ("draft-cavage", "Test", "rsa-sha256")
    assert parsed.covered == ("(request-target)", "host", "date", "content-type", "digest", "content-length")
    assert parsed.created == CAVAGE_NOW and parsed.expires is None
    assert parsed.candidates[0].startswith(b"(request-target): post /foo?param=value&pet=dog\nhost: example.com\n")


@pytest.mark.parametrize(
    ("signature", "reason"),
    [(C1, "must cover \\(request-target\\) or digest"), (C2, "a POST signature must cover digest")],
)
def test_cavage_vectors_weaker_than_mastodon_allows_are_refused(signature: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        parse_signature(_cavage(signature), now=CAVAGE_NOW)


def test_cavage_c1_and_c2_signatures_are_sound_on_their_own() -> None:
    # Only Mastodon's rules refuse C.1 and C.2; their signing strings (draft-cavage-12 C.1, C.2) verify.
    date = b"date: Sun, 05 Jan 2014 21:31:40 GMT"
    target = b"(request-target): post /foo?param=value&pet=dog\nhost: example.com\n"
    for text, header in ((date, C1), (target + date, C2)):
        _verify_text(text, base64.b64decode(_signature_value(header)), _pem("cavage-test-key.pub.pem"))


# --- Mastodon's spec/requests/signature_verification_spec.rb (travel_to 2023-12-20T10:00:00Z) -------------

MASTODON_NOW = datetime(2023, 12, 20, 10, 0, tzinfo=UTC)
MASTODON_KEY_ID = "https://remote.domain/users/bob#main-key"
MASTODON_GET = (
    "Z8ilar3J7bOwqZkMp7sL8sRs4B1FT+UorbmvWoE+A5UeoOJ3KBcUmbsh+k3wQwbP5gMNUrra9rEWabpasZGphLsbDxfbsWL3Cf0PllAc7c1c7AF"
    "EwnewtExI83/qqgEkfWc2z7UDutXc2NfgAx89Ox8DXU/fA2GG0jILjB6UpFyNugkY9rg6oI31UnvfVi3R7sr3/x8Ea3I9thPvqI2byF6cojkn"
    "SpDAwYzeKdngX3TAQEGzFHz3SDWwyp3jeMWfwvVVbM38FxhvAnSumw7YwWW4L7M7h4M68isLimoT3yfCn2ucBVL5Dz8koBpYf/40w7QidClAwC"
    "afZQFC29yDOg=="
)
MASTODON_GET_QUERY = (
    "SDMa4r/DQYMXYxVgYO2yEqGWWUXugKjVuz0I8dniQAk+aunzBaF2aPu+4grBfawAshlx1Xytl8lhb0H2MllEz16/tKY7rUrb70MK0w8ohXgpb0"
    "qs3YvQgdj4X24L1x2MnkFfKHR/J+7TBlnivq0HZqXm8EIkPWLv+eQxu8fbowLwHIVvRd/3t6FzvcfsE0UZKkoMEX02542MhwSif6cu7Ec/clsY"
    "9qgKahb9JVGOGS1op9Lvg/9y1mc8KCgD83U5IxVygYeYXaVQ6gixA9NgZiTCwEWzHM5ELm7w5hpdLFYxYOHg/3G3fiqJzpzNQAcCD4S4JxfE7h"
    "MI0IzVlNLT6A=="
)
MASTODON_POST = (
    "gmhMjgMROGElJU3fpehV2acD5kMHeELi8EFP2UPHOdQ54H0r55AxIpji+J3lPe+N2qSb/4H1KXIh6f0lRu8TGSsu12OQmg5hiO8VA9flcA/mh9"
    "Lpk+qwlQZIPRqKP9xUEfqD+Z7ti5wPzDKrWAUK/7FIqWgcT/mlqB1R1MGkpMFc/q4CIs2OSNiWgA4K+Kp21oQxzC2kUuYob04gAZ7cyE/FTia5"
    "t08uv6lVYFdRsn4XNPn1MsHgFBwBMRG79ng3SyhoG4PrqBEi5q2IdLq3zfre/M6He3wlCpyO2VJNdGVoTIzeZ0Zz8jUscPV3XtWUchpGclLGS"
    "aKaq/JyNZeiYQ=="
)


def _mastodon(method: str, path: str, headers: str, signature: str, body: bytes = b"", **extra: str) -> HttpRequest:
    value = f'keyId="{MASTODON_KEY_ID}",algorithm="rsa-sha256",headers="{headers}",signature="{signature}"'
    fields = {"Host": "www.example.com", "Date": "Wed, 20 Dec 2023 10:00:00 GMT", "Signature": value, **extra}
    return HttpRequest(method, f"https://www.example.com{path}", fields, body)


def _mastodon_verify(request: HttpRequest, now: datetime = MASTODON_NOW) -> None:
    verify_request(request, public_key_pem=_pem("mastodon-spec-key.pub.pem"), now=now)


@pytest.mark.parametrize(
    ("path", "signature"),
    [
        ("/activitypub/success", MASTODON_GET),
        ("/activitypub/success?foo=42", MASTODON_GET_QUERY),
        # signed without the query string: the compatibility quirk, tried second
        ("/activitypub/success?foo=42", MASTODON_GET),
    ],
)
def test_mastodon_spec_gets_verify(path: str, signature: str) -> None:
    _mastodon_verify(_mastodon("GET", path, "date host (request-target)", signature))


def test_query_fallback_is_a_second_candidate() -> None:
    request = _mastodon("GET", "/activitypub/success?foo=42", "date host (request-target)", MASTODON_GET)
    parsed = parse_signature(request, now=MASTODON_NOW)
    assert [c.splitlines()[-1] for c in parsed.candidates] == [
        b"(request-target): get /activitypub/success?foo=42",
        b"(request-target): get /activitypub/success",
    ]


def test_mastodon_spec_post_verifies() -> None:
    digest = "SHA-256=ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="
    request = _mastodon(
        "POST",
        "/activitypub/success",
        "host date digest (request-target)",
        MASTODON_POST,
        b"Hello world",
        Digest=digest,
    )
    _mastodon_verify(request)
    with pytest.raises(SignatureError, match="digest mismatch"):  # the spec's tampered body
        _mastodon_verify(replace(request, body=b"Hello world!"))
    with pytest.raises(SignatureError, match="signature does not verify"):  # the spec's tampered path
        _mastodon_verify(replace(request, url="https://www.example.com/activitypub/alternative-path"))


@pytest.mark.parametrize(
    ("path", "date", "reason"),
    [
        ("/activitypub/success?foo=43", "Wed, 20 Dec 2023 10:00:00 GMT", "signature does not verify"),
        ("/activitypub/alternative-path", "Wed, 20 Dec 2023 10:00:00 GMT", "signature does not verify"),
        ("/activitypub/success", "Wed, 18 Dec 2023 10:00:00 GMT", "signature expired"),
        ("/activitypub/success", "wrong date", "invalid Date header"),
    ],
)
def test_mastodon_spec_gets_that_fail(path: str, date: str, reason: str) -> None:
    request = _mastodon("GET", path, "date host (request-target)", MASTODON_GET_QUERY, Date=date)
    with pytest.raises(SignatureError, match=reason):
        _mastodon_verify(request)


# --- RFC 9421 ----------------------------------------------------------------------------------------------

RFC_43_FIELDS = {
    "Host": "origin.host.internal.example",
    "Date": "Tue, 20 Apr 2021 02:07:56 GMT",
    "Content-Type": "application/json",
    "Content-Length": "18",
    "Forwarded": "for=192.0.2.123;host=example.com;proto=https",
    "Content-Digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLv"
    "RwEmTHWXvJwew==:",
    "Signature-Input": 'proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" '
    '"forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540',
    "Signature": "proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOa"
    "YmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sF"
    "nIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp77"
    "0I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:",
}
RFC_43_BASE = """\
"@method": POST
"@authority": origin.host.internal.example
"@path": /foo
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-type": application/json
"content-length": 18
"forwarded": for=192.0.2.123;host=example.com;proto=https
"@signature-params": ("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded")\
;created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540"""
RFC_43_URL = "https://origin.host.internal.example/foo?param=Value&Pet=dog"


def test_rfc9421_section_4_3_rsa_v1_5_vector() -> None:
    fields = rfc9421.fold_fields(RFC_43_FIELDS)
    signature = rfc9421.parse_signature_fields(fields)
    base = rfc9421.signature_base(signature, method="POST", url=RFC_43_URL, fields=fields)
    assert base == RFC_43_BASE.encode()
    assert (signature.key_id, signature.created, signature.expires) == ("test-key-rsa", 1618884480, 1618884540)
    # Mastodon's rules refuse it (it does not cover @target-uri), but the signature itself is sound.
    request = HttpRequest("POST", RFC_43_URL, RFC_43_FIELDS, HELLO)
    with pytest.raises(SignatureError, match="must cover @method and @target-uri"):
        parse_signature(request, now=datetime.fromtimestamp(1618884480, UTC))
    _verify_text(base, signature.signature, _pem("rfc9421-test-key-rsa.pub.pem"))


FEDIFY_LIKE = json.loads((FIXTURES / "rfc9421-fedify-like.json").read_text(encoding="utf-8"))
FEDIFY_NOW = datetime.fromtimestamp(FEDIFY_LIKE["created"] + 10, UTC)


def _fedify_like(**headers: str) -> HttpRequest:
    fields = {**FEDIFY_LIKE["headers"], **headers}
    return HttpRequest(FEDIFY_LIKE["method"], FEDIFY_LIKE["url"], fields, FEDIFY_LIKE["body"].encode())


def test_rfc9421_vector_from_an_independent_signer_verifies() -> None:
    parsed = verify_request(_fedify_like(), public_key_pem=_pem("rfc9421-test-key-rsa.pub.pem"), now=FEDIFY_NOW)
    assert (parsed.scheme, parsed.algorithm) == ("rfc9421", "rsa-v1_5-sha256")
    assert parsed.key_id == "https://fedify.example/users/bob#main-key"
    assert parsed.covered == ("@method", "@target-uri", "@authority", "host", "date", "content-digest")
    assert parsed.created == datetime.fromtimestamp(FEDIFY_LIKE["created"], UTC)


def test_rfc9421_vector_matches_an_independent_signer() -> None:
    hms = pytest.importorskip("http_message_signatures")

    class Keys(hms.HTTPSignatureKeyResolver):
        def resolve_private_key(self, key_id: str) -> object:
            return serialization.load_pem_private_key((FIXTURES / "rfc9421-test-key-rsa.pem").read_bytes(), None)

    unsigned = {k: v for k, v in FEDIFY_LIKE["headers"].items() if not k.startswith("Signature")}
    message = SimpleNamespace(method=FEDIFY_LIKE["method"], url=FEDIFY_LIKE["url"], headers=unsigned)
    signer = hms.HTTPMessageSigner(signature_algorithm=hms.algorithms.RSA_V1_5_SHA256, key_resolver=Keys())
    signer.sign(
        message,
        key_id="https://fedify.example/users/bob#main-key",
        created=datetime.fromtimestamp(FEDIFY_LIKE["created"], UTC),
        label="sig1",
        covered_component_ids=("@method", "@target-uri", "@authority", "host", "date", "content-digest"),
        use_existing_digest=True,
    )
    assert message.headers == FEDIFY_LIKE["headers"]


def test_rfc9421_keeps_parameters_in_the_order_received(private_key: rsa.RSAPrivateKey, keys: KeyPair) -> None:
    # Given a POST signed as Fedify orders its parameters (alg, keyid, created), base written out by hand
    created = int(NOW.timestamp())
    date = format_datetime(NOW, usegmt=True)
    components = '("@method" "@target-uri" "@authority" "host" "date" "content-digest")'
    params = f'{components};alg="rsa-v1_5-sha256";keyid="{KEY_ID}";created={created}'
    base = (
        f'"@method": POST\n"@target-uri": {INBOX}\n"@authority": node.example\n"host": node.example\n'
        f'"date": {date}\n"content-digest": {content_digest_header(BODY)}\n"@signature-params": {params}'
    )
    fields = {
        "host": "node.example",
        "date": date,
        "content-digest": content_digest_header(BODY),
        "signature-input": f"sig1={params}",
        "signature": f"sig1=:{_sign(private_key, base)}:",
    }
    # When it is verified, then the base matches the hand-written one
    parsed = verify_request(HttpRequest("post", INBOX, fields, BODY), public_key_pem=keys.public_pem, now=NOW)
    assert parsed.candidates == (base.encode(),)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Date": "Tue, 20 Apr 2021 02:07:56 GMT"}, "signature does not verify"),
        ({"Content-Digest": content_digest_header(b"{}")}, "digest mismatch"),
        ({"Signature-Input": 'sig1=("@method" "@target-uri" "content-digest");created=1618884475'}, "keyid"),
        ({"Signature-Input": 'sig1=("@method" "@target-uri" "content-digest");keyid="k"'}, "created parameter"),
        (
            {"Signature-Input": 'sig1=("@method" "@target-uri" "content-digest");keyid="k";created=1618884475;alg="x"'},
            "unsupported signature algorithm",
        ),
        ({"Signature-Input": 'sig1=("@method" "@target-uri");keyid="k";created=1618884475'}, "content-digest"),
        ({"Signature-Input": 'sig1=("@method");keyid="k";created=1618884475'}, "@target-uri"),
        ({"Signature-Input": 'sig1=("@target-uri" "@query-param";name="a");keyid="k";created=1'}, "parameters"),
        ({"Signature-Input": 'sig1=("@method");created=1, sig2=("@method");created=1'}, "exactly one signature"),
        ({"Signature-Input": "sig1=(((garbage"}, "not a structured dictionary"),
        ({"Signature": "sig2=:AAAA:"}, "does not carry exactly the signature"),
        ({"Signature": "sig1=AAAA"}, "not a byte sequence"),
        ({"Signature-Input": "sig1=(" + '"x" ' * 3000 + ")"}, "longer than"),
    ],
)
def test_rfc9421_changed_inputs_fail(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_request(_fedify_like(**headers), public_key_pem=_pem("rfc9421-test-key-rsa.pub.pem"), now=FEDIFY_NOW)


# --- round trips with sign_headers -----------------------------------------------------------------------


def test_get_round_trip(keys: KeyPair) -> None:
    request = _signed(keys, "GET", "https://remote.example:8443/users/carol?page=2")
    assert request.headers["Host"] == "remote.example:8443"
    assert request.headers["Date"] == "Wed, 01 May 2024 12:00:00 GMT"
    assert "Digest" not in request.headers
    parsed = verify_request(request, public_key_pem=keys.public_pem, now=NOW)
    assert parsed.covered == ("(request-target)", "host", "date")
    assert parsed.candidates[0].startswith(b"(request-target): get /users/carol?page=2\n")


def test_post_round_trip_with_lower_case_header_names(keys: KeyPair) -> None:
    request = _signed(keys, "POST", INBOX, BODY, content_type="application/activity+json")
    assert request.headers["Digest"] == digest_header(BODY)
    lowered = replace(request, headers={k.lower(): v for k, v in request.headers.items()})
    parsed = verify_request(lowered, public_key_pem=keys.public_pem, now=NOW)
    assert parsed.covered == ("(request-target)", "host", "date", "digest", "content-type")


def test_repeated_header_lines_are_joined() -> None:
    assert rfc9421.fold_fields(CIMultiDict([("X-A", "one "), ("x-a", " two"), ("B", "3")])) == {
        "x-a": "one, two",
        "b": "3",
    }


def test_signature_matches_the_httpsig_reference_signer(keys: KeyPair) -> None:
    from httpsig.sign import HeaderSigner

    request = _signed(keys, "POST", INBOX + "?x=1", BODY, content_type="application/activity+json")
    covered = ["(request-target)", "host", "date", "digest", "content-type"]
    reference = HeaderSigner(KEY_ID, keys.private_pem, "rsa-sha256", covered, sign_header="signature")
    expected = reference.sign(dict(request.headers), method="POST", path="/users/bob/inbox?x=1")["signature"]
    assert _signature_value(request.headers["Signature"]) == _signature_value(expected)


# --- one changed input per check -------------------------------------------------------------------------


def _flip_signature(request: HttpRequest) -> HttpRequest:
    head, _, tail = request.headers["Signature"].partition('signature="')
    raw = bytearray(base64.b64decode(tail.rstrip('"')))
    raw[10] ^= 0x01
    return _with(request, Signature=f'{head}signature="{base64.b64encode(bytes(raw)).decode()}"')


def test_changed_inputs_fail(keys: KeyPair) -> None:
    request = _signed(keys, "POST", INBOX, BODY, content_type="application/activity+json")
    cases = {
        "digest mismatch": replace(request, body=BODY[:-1] + b"]"),
        "signature does not verify": _with(request, **{"Content-Type": "application/json"}),
    }
    for reason, changed in cases.items():
        with pytest.raises(SignatureError, match=reason):
            verify_request(changed, public_key_pem=keys.public_pem, now=NOW)
    with pytest.raises(SignatureError, match="signature does not verify"):
        verify_request(_flip_signature(request), public_key_pem=keys.public_pem, now=NOW)
    with pytest.raises(SignatureError, match="signature does not verify"):
        verify_request(request, public_key_pem=generate_key_pair(1024).public_pem, now=NOW)


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(minutes=64), None),  # created + 5 min + 1 h of clock skew
        (timedelta(minutes=66), "signature expired"),
        (timedelta(minutes=-59), None),
        (timedelta(minutes=-61), "signed in the future"),
    ],
)
def test_time_window(keys: KeyPair, offset: timedelta, reason: str | None) -> None:
    request = _signed(keys, "GET", INBOX)
    if reason is None:
        verify_request(request, public_key_pem=keys.public_pem, now=NOW + offset)
    else:
        with pytest.raises(SignatureError, match=reason):
            verify_request(request, public_key_pem=keys.public_pem, now=NOW + offset)


NEWLINE = "\n"


def _cavage_request(key: rsa.RSAPrivateKey, method: str, lines: list[str], params: str, **fields: str) -> HttpRequest:
    """A draft-cavage request whose signing string the test writes out (covered names from ``lines``)."""
    covered = " ".join(line.split(":", 1)[0] for line in lines)
    signature = f'{params},headers="{covered}",signature="{_sign(key, NEWLINE.join(lines))}"'
    return HttpRequest(method, INBOX, {"Host": "node.example", **fields, "Signature": signature}, BODY)


DATE = format_datetime(NOW, usegmt=True)
TARGET = "(request-target): post /users/bob/inbox"


@pytest.mark.parametrize(
    ("method", "lines", "params", "reason"),
    [
        ("POST", [TARGET, f"date: {DATE}", "digest: D"], 'keyId="k",algorithm="hmac-sha256"', "unsupported signature"),
        ("POST", [TARGET, f"date: {DATE}"], 'keyId="k",algorithm="rsa-sha256"', "a POST signature must cover digest"),
        ("GET", ["(request-target): get /", f"date: {DATE}"], 'keyId="k",algorithm="rsa-sha256"', "must cover host"),
        ("POST", [TARGET, f"date: {DATE}", "digest: D"], 'algorithm="rsa-sha256"', "keyId parameter is required"),
        ("POST", [TARGET, "(created): 1", "digest: D"], 'keyId="k",algorithm="rsa-sha256"', "only allowed with hs2019"),
        ("POST", [TARGET, f"date: {DATE}", "digest: D", "x-y: 1"], 'keyId="k"', "covered header x-y is missing"),
    ],
)
def test_cavage_rules(private_key: rsa.RSAPrivateKey, method: str, lines: list[str], params: str, reason: str) -> None:
    request = _cavage_request(private_key, method, lines, params, Date=DATE, Digest=digest_header(BODY))
    with pytest.raises(SignatureError, match=reason):
        parse_signature(request, now=NOW)


def test_hs2019_with_created_and_expires(private_key: rsa.RSAPrivateKey, keys: KeyPair) -> None:
    created, expires = int(NOW.timestamp()) - 30, int(NOW.timestamp()) + 30
    lines = [TARGET, "host: node.example", f"(created): {created}", f"(expires): {expires}"]
    lines.append(f"digest: {digest_header(BODY)}")
    params = f'keyId="{KEY_ID}",algorithm="hs2019",created={created},expires={expires}'
    request = _cavage_request(private_key, "POST", lines, params, Digest=digest_header(BODY))  # no Date header
    parsed = verify_request(request, public_key_pem=keys.public_pem, now=NOW)
    assert (parsed.algorithm, parsed.created) == ("hs2019", datetime.fromtimestamp(created, UTC))
    with pytest.raises(SignatureError, match="signature expired"):  # the expires parameter rules, not 5 min
        verify_request(request, public_key_pem=keys.public_pem, now=NOW + timedelta(hours=1, minutes=1))


def test_unsigned_created_and_expires_parameters_do_not_extend_the_window(
    private_key: rsa.RSAPrivateKey, keys: KeyPair
) -> None:
    # Given a request signed two hours ago, to which someone added fresh created / expires parameters
    date = format_datetime(NOW - timedelta(hours=2), usegmt=True)
    lines = [TARGET, "host: node.example", f"date: {date}", f"digest: {digest_header(BODY)}"]
    fresh = int(NOW.timestamp())
    params = f'keyId="{KEY_ID}",algorithm="hs2019",created={fresh},expires={fresh + 600}'
    request = _cavage_request(private_key, "POST", lines, params, Date=date, Digest=digest_header(BODY))
    # Then the signed Date decides (Mastodon would take the unsigned created)
    with pytest.raises(SignatureError, match="signature expired"):
        verify_request(request, public_key_pem=keys.public_pem, now=NOW)


@pytest.mark.parametrize("date", ["Wednesday, 01-May-24 12:00:00 GMT", "Wed May  1 12:00:00 2024"])
def test_obsolete_date_forms_are_read(private_key: rsa.RSAPrivateKey, keys: KeyPair, date: str) -> None:
    lines = [TARGET, "host: node.example", f"date: {date}", f"digest: {digest_header(BODY)}"]
    params = f'keyId="{KEY_ID}",algorithm="rsa-sha256"'
    request = _cavage_request(private_key, "POST", lines, params, Date=date, Digest=digest_header(BODY))
    assert verify_request(request, public_key_pem=keys.public_pem, now=NOW).created == NOW


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("this is not a signature", "cannot be parsed"),
        ('keyId="k",algorithm="rsa-sha256",headers="(request-target) host date",signature="@@"', "not valid base64"),
        (
            'keyId="k",algorithm="rsa-sha256",headers="(request-target) host date",signature="\u00e9"',
            "not valid base64",
        ),
        (
            'keyId="k",algorithm="rsa-sha256",headers="(request-target) host date",signature="\udce9"',
            "not valid base64",
        ),
        ('keyId="k",keyId="k",signature="AAAA"', "appears twice"),
        ('keyId="k",algorithm="rsa-sha256"', "signature parameter is required"),
        ('keyId="' + "k" * 9000 + '"', "longer than"),
    ],
)
def test_garbage_signature_headers(signature: str, reason: str) -> None:
    request = HttpRequest("GET", INBOX, {"Host": "node.example", "Date": DATE, "Signature": signature})
    with pytest.raises(SignatureError, match=reason):
        parse_signature(request, now=NOW)


def _key_id_of(signature: str) -> str:
    """The keyId that parse_signature reads from a GET signed with ``signature`` (a Signature header)."""
    request = HttpRequest("GET", INBOX, {"Host": "node.example", "Date": DATE, "Signature": signature})
    return parse_signature(request, now=NOW).key_id


_REST = 'algorithm="rsa-sha256",headers="(request-target) host date",signature="AAAA"'


@pytest.mark.parametrize(
    ("signature", "key_id"),
    [
        (f'keyId="k",{_REST}', "k"),
        (f"keyId=k,{_REST}", "k"),  # a token value
        (f'KEYID="k" , {_REST}', "k"),  # names in any case, spaces around the comma
        (f'keyId = "k",{_REST},', "k"),  # spaces around "=", a trailing comma
        (f'keyId="a\\"b\\\\c\\d",{_REST}', 'a"b\\cd'),  # escapes: \" and \\ and any other character
        (f'keyId="a,b=c",{_REST}', "a,b=c"),  # commas and "=" inside quotes
        (f'keyId="\u00e9s",{_REST}', "\u00e9s"),
        (f'  keyId="k",{_REST}  ', "k"),
    ],
)
def test_cavage_parameter_syntax(signature: str, key_id: str) -> None:
    assert _key_id_of(signature) == key_id


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ('keyId="k', "expected a closing quote at character 8, found the end"),
        ('keyId="k\\', "expected a character after the backslash at character 9"),
        ('keyId="k\\\nx"', "expected a character after the backslash at character 9, found '\\n'"),
        ('keyId="k" signature="AAAA"', "expected ',' after the value of keyid at character 10, found 's'"),
        ('keyId="k",,signature="AAAA"', "expected a parameter name at character 10, found ','"),
        ('keyId"k"', "expected '=' after keyid at character 5"),
        ('=k,keyId="k"', "expected a parameter name at character 0"),
        ('keyId=k"k"', "expected ',' after the value of keyid at character 7"),
        (f'keyId="k",{_REST},KeyId="other"', "the Signature parameter keyid appears twice"),
    ],
)
def test_cavage_syntax_errors_say_where(signature: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=re.escape(reason)):
        _key_id_of(signature)


def test_an_unterminated_quote_is_refused_at_once() -> None:
    # A backtracking regex took seconds here (doubling with each further character); a scan, microseconds.
    start = time.thread_time()
    with pytest.raises(SignatureError, match="expected a closing quote"):
        _key_id_of('keyId="' + "a" * 26)
    assert time.thread_time() - start < 0.2


# The parameter regex the scanner replaced: the reference for which headers are read, and how.
_OLD_PARAMETER = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]+|\\.)*)"|([^",\s]*))\s*(?:,|\Z)')


def _old_parameters(value: str) -> dict[str, str] | str:
    params: dict[str, str] = {}
    text, position = value.strip(), 0
    while position < len(text):
        match = _OLD_PARAMETER.match(text, position)
        if match is None:
            return "unparsable"
        name = match.group(1).lower()
        if name in params:
            return "twice"
        quoted = match.group(2)
        params[name] = match.group(3) if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
        position = match.end()
    return params


def _new_parameters(value: str) -> dict[str, str] | str:
    try:
        return cavage.read_params(value)
    except SignatureError as error:
        return "twice" if "appears twice" in str(error) else "unparsable"


def test_the_scanner_reads_headers_as_the_regex_did() -> None:
    # Every string of up to 5 of these characters, then random mixes of header fragments (short enough for
    # the old regex to finish): the same parameters, or the same refusal.
    for length in range(6):
        for characters in itertools.product('k=",\\ \n\u00e9', repeat=length):
            text = "".join(characters)
            assert _new_parameters(text) == _old_parameters(text), repr(text)
    fragments = ["keyId", "=", '"', '\\"', "\\\\", ",", " ", "x", "a=b", '"q"', "\n", "K", "\\"]
    rng = random.Random(8)
    for _ in range(20_000):
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 9)))
        assert _new_parameters(text) == _old_parameters(text), repr(text)


def test_unsigned_request() -> None:
    with pytest.raises(SignatureError, match="not signed"):
        parse_signature(HttpRequest("GET", INBOX, {"Date": DATE}), now=NOW)


def test_get_with_a_body_must_sign_its_digest(keys: KeyPair) -> None:
    request = replace(_signed(keys, "GET", INBOX), body=b"smuggled")
    with pytest.raises(SignatureError, match="does not cover the body digest"):
        verify_request(request, public_key_pem=keys.public_pem, now=NOW)


def _public_pem(key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.mark.parametrize(
    ("pem", "reason"),
    [
        (_public_pem(ed25519.Ed25519PrivateKey.generate()), "unsupported key type Ed25519"),
        (_public_pem(ec.generate_private_key(ec.SECP256R1())), "unsupported key type"),
        ("-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n", "unreadable public key"),
    ],
)
def test_only_rsa_keys_verify(keys: KeyPair, pem: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_request(_signed(keys, "GET", INBOX), public_key_pem=pem, now=NOW)


def test_signing_refuses_bad_input(keys: KeyPair) -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    with pytest.raises(KeyFormatError, match="not a usable RSA key"):
        sign_headers(method="GET", url=INBOX, key_id=KEY_ID, private_key_pem=ec_pem, now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_headers(method="GET", url=INBOX, key_id=KEY_ID, private_key_pem=keys.private_pem, now=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="keyId"):
        sign_headers(method="GET", url=INBOX, key_id='a"b', private_key_pem=keys.private_pem, now=NOW)
    with pytest.raises(ValueError, match="absolute"):
        sign_headers(method="GET", url="/inbox", key_id=KEY_ID, private_key_pem=keys.private_pem, now=NOW)

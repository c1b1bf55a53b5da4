"""verify_signed_request end to end with an in-memory key resolver: the cached key, one refresh after a
failed verification (key rotation), and every way it refuses, each with its reason."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from federation.errors import SignatureError
from federation.httpsig import HttpRequest, sign_headers
from federation.keys import generate_key_pair
from federation.types import KeyPair
from federation.verification import ResolvedKey, verify_signed_request

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ACTOR = "https://social.example/users/alice"
KEY_ID = f"{ACTOR}#main-key"
INBOX = "https://node.example/inbox"
BODY = b'{"type":"Follow","actor":"https://social.example/users/alice"}'


@pytest.fixture(scope="module")
def old_keys() -> KeyPair:
    return generate_key_pair()


@pytest.fixture(scope="module")
def new_keys() -> KeyPair:
    return generate_key_pair()


@dataclass
class Resolver:
    """Holds a cached key and, separately, what a refetch would return; counts the calls."""

    cached: ResolvedKey | None
    fetched: ResolvedKey | None
    calls: list[bool] = field(default_factory=list)

    async def __call__(self, key_id: str, *, refresh: bool) -> ResolvedKey | None:
        self.calls.append(refresh)
        return self.fetched if refresh else self.cached


def _key(keys: KeyPair, owner: str = ACTOR) -> ResolvedKey:
    return ResolvedKey(KEY_ID, owner, keys.public_pem)


def _request(keys: KeyPair, *, body: bytes = BODY, when: datetime = NOW, key_id: str = KEY_ID) -> HttpRequest:
    headers = sign_headers(
        method="POST",
        url=INBOX,
        key_id=key_id,
        private_key_pem=keys.private_pem,
        now=when,
        body=body,
        content_type="application/activity+json",
    )
    return HttpRequest("POST", INBOX, headers, body)


async def test_the_cached_key_verifies_without_a_refresh(old_keys: KeyPair) -> None:
    resolver = Resolver(cached=_key(old_keys), fetched=None)
    verified = await verify_signed_request(_request(old_keys), resolve_key=resolver, now=NOW)
    assert (verified.key_id, verified.owner, verified.signature.scheme) == (KEY_ID, ACTOR, "draft-cavage")
    assert resolver.calls == [False]


async def test_a_rotated_key_is_fetched_once_and_verifies(old_keys: KeyPair, new_keys: KeyPair) -> None:
    resolver = Resolver(cached=_key(old_keys), fetched=_key(new_keys))
    verified = await verify_signed_request(_request(new_keys), resolve_key=resolver, now=NOW)
    assert verified.owner == ACTOR
    assert resolver.calls == [False, True]


async def test_an_unknown_key_is_fetched_once(new_keys: KeyPair) -> None:
    resolver = Resolver(cached=None, fetched=_key(new_keys))
    await verify_signed_request(_request(new_keys), resolve_key=resolver, now=NOW)
    assert resolver.calls == [False, True]


async def test_a_refetch_that_returns_the_same_key_keeps_the_first_reason(old_keys: KeyPair, new_keys: KeyPair) -> None:
    resolver = Resolver(cached=_key(old_keys), fetched=_key(old_keys))
    with pytest.raises(SignatureError, match="signature does not verify"):
        await verify_signed_request(_request(new_keys), resolve_key=resolver, now=NOW)
    assert resolver.calls == [False, True]


async def test_a_key_that_cannot_be_found_says_so(old_keys: KeyPair) -> None:
    resolver = Resolver(cached=None, fetched=None)
    with pytest.raises(SignatureError, match=f"the key {KEY_ID} cannot be found"):
        await verify_signed_request(_request(old_keys), resolve_key=resolver, now=NOW)


async def test_a_wrong_refetched_key_does_not_verify(old_keys: KeyPair, new_keys: KeyPair) -> None:
    resolver = Resolver(cached=None, fetched=_key(old_keys))
    with pytest.raises(SignatureError, match="signature does not verify"):
        await verify_signed_request(_request(new_keys), resolve_key=resolver, now=NOW)


async def test_a_changed_body_fails_on_its_digest_before_any_key_lookup(old_keys: KeyPair) -> None:
    request = _request(old_keys)
    tampered = HttpRequest(request.method, request.url, request.headers, BODY.replace(b"Follow", b"Block"))
    resolver = Resolver(cached=_key(old_keys), fetched=None)
    with pytest.raises(SignatureError, match="digest mismatch"):
        await verify_signed_request(tampered, resolve_key=resolver, now=NOW)
    assert resolver.calls == []


async def test_a_signature_outside_the_time_window_is_refused_before_any_key_lookup(old_keys: KeyPair) -> None:
    resolver = Resolver(cached=_key(old_keys), fetched=None)
    with pytest.raises(SignatureError, match="expired"):
        await verify_signed_request(_request(old_keys, when=NOW - timedelta(hours=2)), resolve_key=resolver, now=NOW)
    with pytest.raises(SignatureError, match="in the future"):
        await verify_signed_request(_request(old_keys, when=NOW + timedelta(hours=2)), resolve_key=resolver, now=NOW)
    assert resolver.calls == []


async def test_the_owner_reported_is_the_resolvers_not_the_requests(old_keys: KeyPair) -> None:
    # The caller compares the owner with the activity's actor; the verifier must report whose key it was.
    resolver = Resolver(cached=_key(old_keys, owner="https://social.example/users/mallory"), fetched=None)
    verified = await verify_signed_request(_request(old_keys), resolve_key=resolver, now=NOW)
    assert verified.owner == "https://social.example/users/mallory"


async def test_an_unsigned_request_is_refused_without_a_lookup() -> None:
    resolver = Resolver(cached=None, fetched=None)
    with pytest.raises(SignatureError, match="not signed"):
        await verify_signed_request(HttpRequest("POST", INBOX, {"Digest": "x"}, BODY), resolve_key=resolver, now=NOW)
    assert resolver.calls == []

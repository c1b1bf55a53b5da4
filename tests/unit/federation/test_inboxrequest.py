"""The inbox's protocol checks on captured payloads (tests/fixtures/inbox/): a Mastodon-shaped Follow and
self-Delete signed draft-cavage, and a Fedify Create signed RFC 9421, each verifying at its capture time; then
one thing changed at a time, each refused with its status and reason."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from federation.errors import FederationError
from federation.httpsig import HttpRequest, sign_headers
from federation.inboxrequest import (
    Accepted,
    InboxRefused,
    is_self_delete,
    read_activity,
    require_signature,
    verify_inbox_request,
)
from federation.verification import ResolvedKey

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbox"
CAPTURED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # every fixture's "captured"
MASTODON = "https://mastodon.example/users/alice"
FEDIFY = "https://fedify.example/users/bob"
PAYLOADS = ["mastodon-follow-cavage.json", "fedify-create-rfc9421.json", "mastodon-delete-actor-cavage.json"]


def _fixture(name: str) -> dict[str, Any]:
    fixture: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert datetime.fromisoformat(fixture["captured"]) == CAPTURED
    return fixture


def _request(fixture: dict[str, Any], *, body: bytes | None = None, **headers: str) -> HttpRequest:
    """The fixture's request, with its body or some headers (by lower-case name) replaced."""
    fields = {name: headers.get(name.lower(), value) for name, value in fixture["headers"].items()}
    raw = fixture["body"].encode("utf-8") if body is None else body
    return HttpRequest(fixture["method"], fixture["url"], fields, raw)


def _header(fixture: dict[str, Any], name: str) -> str:
    return next(value for key, value in fixture["headers"].items() if key.lower() == name)


@dataclass
class Keys:
    """An in-memory key resolver: keyId -> (owner, public key); records what it was asked for."""

    owners: dict[str, str] = field(
        default_factory=lambda: {f"{MASTODON}#main-key": MASTODON, f"{FEDIFY}#main-key": FEDIFY}
    )
    asked: list[str] = field(default_factory=list)

    async def __call__(self, key_id: str, *, refresh: bool) -> ResolvedKey | None:
        self.asked.append(key_id)
        owner = self.owners.get(key_id)
        if owner is None:
            return None
        pem = (
            "mastodon-alice.pub.pem"
            if owner.startswith("https://mastodon.")
            else "../httpsig/rfc9421-test-key-rsa.pub.pem"
        )
        return ResolvedKey(key_id, owner, (FIXTURES / pem).read_text(encoding="ascii"))


async def _verify(request: HttpRequest, *, keys: Keys | None = None, now: datetime = CAPTURED) -> Accepted:
    return await verify_inbox_request(request, resolve_key=keys or Keys(), now=now)


async def _refusal(request: HttpRequest, *, keys: Keys | None = None, now: datetime = CAPTURED) -> InboxRefused:
    with pytest.raises(InboxRefused) as caught:
        await _verify(request, keys=keys, now=now)
    return caught.value


def _resigned(fixture: dict[str, Any], activity: dict[str, Any]) -> HttpRequest:
    """``activity`` as the fixture's sender would sign it (draft-cavage, Mastodon's headers, its own key)."""
    key = "mastodon-alice.pem" if fixture["key_id"].startswith(MASTODON) else "../httpsig/rfc9421-test-key-rsa.pem"
    body = json.dumps(activity).encode("utf-8")
    headers = sign_headers(
        method="POST",
        url=fixture["url"],
        key_id=fixture["key_id"],
        private_key_pem=(FIXTURES / key).read_text(encoding="ascii"),
        now=CAPTURED,
        body=body,
        content_type="application/activity+json",
    )
    return HttpRequest("POST", fixture["url"], headers, body)


# --- each captured payload verifies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scheme", "kind", "actor"),
    [
        ("mastodon-follow-cavage.json", "draft-cavage", "Follow", MASTODON),
        ("fedify-create-rfc9421.json", "rfc9421", "Create", FEDIFY),
        ("mastodon-delete-actor-cavage.json", "draft-cavage", "Delete", MASTODON),
    ],
)
async def test_a_captured_payload_verifies(name: str, scheme: str, kind: str, actor: str) -> None:
    fixture = _fixture(name)
    keys = Keys()
    accepted = await _verify(_request(fixture), keys=keys)
    assert accepted.received.activity["type"] == kind
    assert accepted.received.actor == actor
    assert accepted.verified.owner == actor
    assert accepted.verified.key_id == fixture["key_id"]
    assert accepted.verified.signature.scheme == scheme
    assert keys.asked == [fixture["key_id"]]  # the cached key verified: no refresh


def test_the_actor_delete_is_a_self_delete_and_the_others_are_not() -> None:
    assert is_self_delete(read_activity(_fixture("mastodon-delete-actor-cavage.json")["body"].encode()))
    assert not is_self_delete(read_activity(_fixture("mastodon-follow-cavage.json")["body"].encode()))
    assert not is_self_delete(read_activity(_fixture("fedify-create-rfc9421.json")["body"].encode()))


def test_read_activity_gives_the_canonical_host() -> None:
    received = read_activity(b'{"id": "https://A.Example./1", "type": "Follow", "actor": "https://A.Example./u"}')
    assert received.host == "a.example"


# --- one thing changed, one reason ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PAYLOADS)
async def test_one_byte_changed_in_the_body_is_a_digest_mismatch(name: str) -> None:
    fixture = _fixture(name)
    body = fixture["body"].encode("utf-8").replace(b'"type":"', b'"type": "', 1)
    refusal = await _refusal(_request(fixture, body=body))
    assert (refusal.status, refusal.reason, refusal.code) == (401, "digest mismatch", "signature")


@pytest.mark.parametrize("name", PAYLOADS)
async def test_one_character_changed_in_the_signature_does_not_verify(name: str) -> None:
    fixture = _fixture(name)
    signature = _header(fixture, "signature")
    start = signature.index("signature=") + len('signature="') if "keyId=" in signature else len("sig1=:")
    changed = signature[:start] + ("B" if signature[start] == "A" else "A") + signature[start + 1 :]
    keys = Keys()
    refusal = await _refusal(_request(fixture, signature=changed), keys=keys)
    assert (refusal.status, refusal.reason) == (401, "signature does not verify")
    assert keys.asked == [fixture["key_id"]] * 2  # and the key was asked for once more, in case it rotated


@pytest.mark.parametrize("name", PAYLOADS)
@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (CAPTURED + timedelta(hours=1, minutes=6), "signature expired"),
        (CAPTURED - timedelta(hours=1, minutes=1), "signed in the future"),
    ],
)
async def test_a_date_outside_the_window_is_refused(name: str, now: datetime, reason: str) -> None:
    refusal = await _refusal(_request(_fixture(name)), now=now)
    assert refusal.status == 401
    assert refusal.reason.startswith(reason)


@pytest.mark.parametrize("name", PAYLOADS)
async def test_the_edges_of_the_window_still_verify(name: str) -> None:
    for now in (CAPTURED + timedelta(hours=1, minutes=4), CAPTURED - timedelta(minutes=59)):
        await _verify(_request(_fixture(name)), now=now)


@pytest.mark.parametrize("name", PAYLOADS)
async def test_a_key_owned_by_someone_else_is_refused(name: str) -> None:
    fixture = _fixture(name)
    keys = Keys(
        owners={fixture["key_id"]: fixture["key_id"].split("#")[0].replace("alice", "mallory").replace("bob", "eve")}
    )
    refusal = await _refusal(_request(fixture), keys=keys)
    assert (refusal.status, refusal.reason, refusal.code) == (
        401,
        "the key's owner is not the activity's actor",
        "key_owner",
    )


@pytest.mark.parametrize("name", PAYLOADS)
@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://other.example/activities/1",
        "http://{host}/activities/1",  # the same host, another scheme
        "https://{host}:8443/activities/1",
        "https://{host}:0/activities/1",  # port 0 is not the default port (it was taken for it)
    ],
)
async def test_an_activity_id_on_another_origin_is_refused(name: str, elsewhere: str) -> None:
    fixture = _fixture(name)
    activity = json.loads(fixture["body"])
    activity["id"] = elsewhere.format(host=activity["actor"].split("/")[2])
    refusal = await _refusal(_resigned(fixture, activity))
    assert (refusal.status, refusal.reason, refusal.code) == (
        400,
        "the activity id is not on the actor's origin",
        "origins",
    )


async def test_an_activity_id_with_the_default_port_written_out_is_on_the_actors_origin() -> None:
    fixture = _fixture("mastodon-follow-cavage.json")
    activity = dict(json.loads(fixture["body"]), id="https://mastodon.example:443/5d7f3c1e")
    accepted = await _verify(_resigned(fixture, activity))
    assert accepted.received.activity["id"] == "https://mastodon.example:443/5d7f3c1e"


async def test_a_created_object_on_another_origin_is_refused() -> None:
    fixture = _fixture("fedify-create-rfc9421.json")
    activity = json.loads(fixture["body"])
    activity["object"]["id"] = "https://mastodon.example/users/alice/statuses/1"
    refusal = await _refusal(_resigned(fixture, activity))
    assert (refusal.status, refusal.reason) == (400, "the object is not on the actor's origin")


@pytest.mark.parametrize("name", PAYLOADS)
async def test_a_key_on_another_origin_is_never_asked_for(name: str) -> None:
    fixture = _fixture(name)
    signature = _header(fixture, "signature").replace(fixture["key_id"], "https://other.example/key")
    signature_input = _header(fixture, "signature-input") if "rfc9421" in name else ""
    keys = Keys()
    request = _request(
        fixture,
        signature=signature,
        **(
            {"signature-input": signature_input.replace(fixture["key_id"], "https://other.example/key")}
            if signature_input
            else {}
        ),
    )
    refusal = await _refusal(request, keys=keys)
    assert (refusal.status, refusal.reason) == (401, "the key is not on the activity actor's origin")
    assert keys.asked == []


async def test_an_unknown_key_is_refused_after_one_refresh() -> None:
    fixture = _fixture("mastodon-follow-cavage.json")
    keys = Keys(owners={})
    refusal = await _refusal(_request(fixture), keys=keys)
    assert (refusal.status, refusal.reason) == (401, f"the key {fixture['key_id']} cannot be found")
    assert keys.asked == [fixture["key_id"]] * 2


async def test_an_unsigned_request_is_refused() -> None:
    fixture = _fixture("mastodon-follow-cavage.json")
    unsigned = {name: value for name, value in fixture["headers"].items() if name.lower() != "signature"}
    refusal = await _refusal(HttpRequest("POST", fixture["url"], unsigned, fixture["body"].encode()))
    assert (refusal.status, refusal.reason, refusal.code) == (401, "the request is not signed", "unsigned")
    require_signature({"SIGNATURE-INPUT": "x"})  # any case will do


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "the body is not valid JSON"),
        (b"[]", "an activity must be a JSON object"),
        (b'{"id": "https://a.example/1", "type": "Follow"}', "the activity has no actor"),
        (b'{"id": "https://a.example/1", "type": "Follow", "actor": "https://a.example/u", "@graph": []}', "@graph"),
    ],
)
async def test_a_body_that_is_no_activity_is_refused_before_the_signature(body: bytes, reason: str) -> None:
    keys = Keys()
    refusal = await _refusal(_request(_fixture("mastodon-follow-cavage.json"), body=body), keys=keys)
    assert refusal.status == 400
    assert reason in refusal.reason
    assert refusal.code == ("malformed" if body == b"not json" else "shape")
    assert keys.asked == []


async def test_a_resolver_error_passes_through() -> None:
    class Busy(FederationError):
        pass

    async def busy(key_id: str, *, refresh: bool) -> ResolvedKey | None:
        raise Busy("too many key fetches")

    with pytest.raises(Busy):
        await verify_inbox_request(_request(_fixture("mastodon-follow-cavage.json")), resolve_key=busy, now=CAPTURED)

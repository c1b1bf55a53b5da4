"""Actor documents, collections, and what is read from a remote actor (``federation.actors``)."""

import pytest

from federation.actors import actor_document, endpoints_for, ordered_collection, read_actor
from federation.errors import ActivityError


def test_actor_document_has_everything_peers_need() -> None:
    endpoints = endpoints_for("https://n.example/projects/a", "https://n.example/inbox", "https://n.example/@a")
    document = actor_document(
        context=["https://www.w3.org/ns/activitystreams"],
        types=["Group", "Project"],
        endpoints=endpoints,
        preferred_username="a",
        public_key_pem="PEM",
        properties={"name": "A"},
    )
    assert document["type"] == ["Group", "Project"]
    assert document["inbox"] == "https://n.example/projects/a/inbox"
    assert document["endpoints"] == {"sharedInbox": "https://n.example/inbox"}
    assert document["publicKey"] == {
        "id": "https://n.example/projects/a#main-key",
        "owner": "https://n.example/projects/a",
        "publicKeyPem": "PEM",
    }
    assert document["url"] == "https://n.example/@a"
    with pytest.raises(ValueError, match="first actor type"):
        actor_document(
            context=[],
            types=["Project", "Group"],
            endpoints=endpoints,
            preferred_username="a",
            public_key_pem="PEM",
        )
    with pytest.raises(ValueError, match="protocol layer"):
        actor_document(
            context=[],
            types=["Group"],
            endpoints=endpoints,
            preferred_username="a",
            public_key_pem="PEM",
            properties={"inbox": "elsewhere"},
        )


def test_ordered_collection_counts() -> None:
    collection = ordered_collection("https://n.example/a/followers", 0, ["https://www.w3.org/ns/activitystreams"])
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == 0


def _remote_actor(**fields: object) -> dict:
    actor = "https://a.example/users/ana"
    document = {
        "id": actor,
        "type": "Person",
        "inbox": f"{actor}/inbox",
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": "PEM"},
    }
    document.update(fields)
    return document


@pytest.mark.parametrize(
    "endpoints",
    [
        {"sharedInbox": "https://victim.example/inbox"},
        {"sharedInbox": "https://a.example.evil.example/inbox"},
        {"sharedInbox": "http://a.example/inbox"},  # another scheme is another origin
        {"sharedInbox": "https://a.example:8443/inbox"},
        {"sharedInbox": "https://127\u30020\u30020\u30021/inbox"},
    ],
)
def test_a_shared_inbox_on_another_origin_is_not_used(endpoints: dict) -> None:
    assert read_actor(_remote_actor(endpoints=endpoints)).shared_inbox is None
    assert read_actor(_remote_actor(sharedInbox=endpoints["sharedInbox"])).shared_inbox is None


@pytest.mark.parametrize(
    "shared", ["https://a.example/inbox", "https://A.example./inbox", "https://a.example:443/inbox"]
)
def test_a_shared_inbox_on_the_actors_origin_is_kept(shared: str) -> None:
    assert read_actor(_remote_actor(endpoints={"sharedInbox": shared})).shared_inbox == shared


def test_an_inbox_on_another_origin_makes_the_actor_unusable() -> None:
    with pytest.raises(ActivityError, match="inbox"):
        read_actor(_remote_actor(inbox="https://victim.example/inbox"))


def _mastodon_public_key(document: dict) -> str | None:
    """What Mastodon's ``ActivityPub::ProcessAccountService#public_key`` takes from an actor: the
    ``publicKeyPem`` of ``first_of_value(json['publicKey'])`` (the first entry of a list)."""
    value = document.get("publicKey")
    first = value[0] if isinstance(value, list) else value
    return first.get("publicKeyPem") if isinstance(first, dict) else None


def test_a_rotated_actor_publishes_the_new_key_first_under_a_new_id_and_the_old_one_after_it() -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from federation.keys import generate_key_pair, key_fragment

    actor = "https://n.example/projects/a"
    old, new = generate_key_pair(1024), generate_key_pair(1024)
    document = actor_document(
        context=["https://www.w3.org/ns/activitystreams"],
        types=["Group"],
        endpoints=endpoints_for(actor, "https://n.example/inbox"),
        preferred_username="a",
        public_key_pem=new.public_pem,
        key_id=f"{actor}#{key_fragment(2)}",
        retired_keys=[(f"{actor}#{key_fragment(1)}", old.public_pem)],
    )
    # Mastodon keeps one key per account, the first one: the new key, an RSA SubjectPublicKeyInfo PEM
    assert _mastodon_public_key(document) == new.public_pem
    load_pem_public_key(new.public_pem.encode())
    keys = document["publicKey"]
    assert [key["id"] for key in keys] == [f"{actor}#key-2", f"{actor}#main-key"]
    # every key names the actor as its owner and lives under the actor's id (Mastodon's and Fedify's checks)
    assert all(key["owner"] == actor and key["id"].split("#")[0] == actor for key in keys)
    # Fedify and this node find either key by its id
    assert dict(read_actor({**document, "inbox": f"{actor}/inbox"}).keys) == {
        f"{actor}#key-2": new.public_pem,
        f"{actor}#main-key": old.public_pem,
    }
    # Without retired keys, the single object Mastodon has always read
    alone = actor_document(
        context=[],
        types=["Group"],
        endpoints=endpoints_for(actor, "https://n.example/inbox"),
        preferred_username="a",
        public_key_pem=new.public_pem,
        key_id=f"{actor}#key-2",
    )
    assert alone["publicKey"] == {"id": f"{actor}#key-2", "owner": actor, "publicKeyPem": new.public_pem}

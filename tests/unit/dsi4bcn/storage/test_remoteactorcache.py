"""Remote actors and keys on a real SQLite file: remember, look up, renew, forget."""

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache, delivery_inbox

ANA = "https://a.example/users/ana"


def _ana(inbox: str = f"{ANA}/inbox", fetched: str = "2026-01-01T00:00:00Z") -> RemoteActor:
    return RemoteActor(ANA, inbox, "https://a.example/inbox", {"id": ANA, "type": "Person"}, fetched)


async def test_an_actor_and_its_keys_are_remembered_and_renewed(database: Database) -> None:
    cache = RemoteActorCache(database)
    await cache.remember_actor(_ana(), [(f"{ANA}#main-key", "PEM 1")])
    assert await cache.actor(ANA) == _ana()
    key = await cache.key(f"{ANA}#main-key")
    assert key is not None and (key.owner, key.public_key_pem) == (ANA, "PEM 1")
    assert await cache.key_id_of(ANA) == f"{ANA}#main-key"
    # Fetched again: the document and the key are replaced, not added
    await cache.remember_actor(_ana(f"{ANA}/inbox2", "2026-02-01T00:00:00Z"), [(f"{ANA}#main-key", "PEM 2")])
    again = await cache.actor(ANA)
    assert again is not None and again.inbox == f"{ANA}/inbox2" and again.fetched == "2026-02-01T00:00:00Z"
    renewed = await cache.key(f"{ANA}#main-key")
    assert renewed is not None and renewed.public_key_pem == "PEM 2"


async def test_unknown_actors_and_keys_are_none(database: Database) -> None:
    cache = RemoteActorCache(database)
    assert await cache.actor("https://nobody.example/users/x") is None
    assert await cache.key("https://nobody.example/users/x#key") is None
    assert await cache.key_id_of("https://nobody.example/users/x") is None


async def test_removing_an_actor_forgets_its_keys_document_and_follows(database: Database) -> None:
    cache, follows = RemoteActorCache(database), Follows(database)
    await cache.remember_actor(_ana(), [(f"{ANA}#main-key", "PEM")])
    await follows.add_follower("taller", ANA, {"id": f"{ANA}/follows/1"}, accepted=True)
    await follows.follow("taller", ANA, "https://n.example/follows/1")
    await cache.remove_actor(ANA)
    assert await cache.actor(ANA) is None and await cache.key(f"{ANA}#main-key") is None
    assert await follows.follower("taller", ANA) is None and await follows.following("taller") == []
    await cache.remove_actor(ANA)  # removing an unknown actor is no error


def test_the_delivery_inbox_is_the_shared_inbox_only_on_the_actors_origin() -> None:
    assert delivery_inbox(ANA, f"{ANA}/inbox", "https://a.example/inbox") == "https://a.example/inbox"
    assert delivery_inbox(ANA, f"{ANA}/inbox", "https://victim.example/inbox") == f"{ANA}/inbox"
    assert delivery_inbox(ANA, f"{ANA}/inbox", None) == f"{ANA}/inbox"
    assert _ana().delivery_inbox == "https://a.example/inbox"


async def test_a_document_replaces_the_keys_of_its_actor_but_one_without_keys_changes_none(database: Database) -> None:
    cache = RemoteActorCache(database)
    # A rotated key: both published during the grace period, then only the new one
    await cache.remember_actor(_ana(), [(f"{ANA}#key-2", "NEW"), (f"{ANA}#main-key", "OLD")])
    assert await cache.key(f"{ANA}#main-key") is not None
    await cache.remember_actor(_ana(), [(f"{ANA}#key-2", "NEW")])
    assert await cache.key(f"{ANA}#main-key") is None
    assert await cache.key_id_of(ANA) == f"{ANA}#key-2"
    # An Update that leaves keys out (some servers send one) forgets nothing
    await cache.remember_actor(_ana(), [])
    assert await cache.key(f"{ANA}#key-2") is not None

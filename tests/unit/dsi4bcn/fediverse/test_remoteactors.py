"""Keys of remote actors taken from their own ``Update`` (``fediverse.remoteactors``), over real SQLite."""

from pathlib import Path

from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache
from federation.client import ActivityPubClient

ANA = "https://a.example/users/ana"


def _document(*keys: tuple[str, str]) -> dict[str, object]:
    published = [{"id": key_id, "owner": ANA, "publicKeyPem": pem} for key_id, pem in keys]
    return {"id": ANA, "type": "Person", "inbox": f"{ANA}/inbox", "publicKey": published}


def _no_client() -> ActivityPubClient:
    raise AssertionError("nothing may be fetched here")


async def test_an_update_of_an_actor_replaces_the_keys_held_and_only_when_they_change(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        cache = RemoteActorCache(database)
        directory = RemoteDirectory(cache, _no_client)
        # An actor never met: nothing is stored (its keys are fetched when a signature needs them)
        assert not await directory.actor_changed(_document((f"{ANA}#main-key", "OLD")))
        assert await cache.keys_of(ANA) == set()
        await cache.remember_actor(RemoteActor(ANA, f"{ANA}/inbox", None, {}, "t"), [(f"{ANA}#main-key", "OLD")])
        assert (await directory.key(f"{ANA}#main-key", refresh=False)) is not None
        # The same keys: nothing written
        assert not await directory.actor_changed(_document((f"{ANA}#main-key", "OLD")))
        # A rotation: the new key first, the old one still listed
        assert await directory.actor_changed(_document((f"{ANA}#key-2", "NEW"), (f"{ANA}#main-key", "OLD")))
        assert await cache.keys_of(ANA) == {(f"{ANA}#key-2", "NEW"), (f"{ANA}#main-key", "OLD")}
        # The grace period over: the old key is forgotten, in memory too
        assert await directory.actor_changed(_document((f"{ANA}#key-2", "NEW")))
        assert await cache.keys_of(ANA) == {(f"{ANA}#key-2", "NEW")}
        assert await directory.known_key_for(ANA) == f"{ANA}#key-2"
        # A document that is no actor, or names no key, changes nothing
        assert not await directory.actor_changed({"id": ANA})
        assert not await directory.actor_changed(_document())
        assert await cache.keys_of(ANA) == {(f"{ANA}#key-2", "NEW")}
    finally:
        await database.close()

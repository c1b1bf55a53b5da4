"""The federation store on a real SQLite file: followers' inboxes for the fan-out (``storage.fedstore``)."""

from pathlib import Path

from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.fedstore import FederationStore, RemoteActor


async def test_a_stored_shared_inbox_on_another_origin_is_not_delivered_to(tmp_path: Path) -> None:
    # Given followers stored before read_actor refused such shared inboxes
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        store = FederationStore(database)
        rows = [
            ("https://a.example/users/ana", "https://victim.example/inbox"),  # someone else's inbox
            ("https://b.example/users/bo", "https://B.example./inbox"),  # its own, spelt otherwise
            ("https://c.example/users/cy", None),
        ]
        for actor, shared in rows:
            await store.remember_actor(RemoteActor(actor, f"{actor}/inbox", shared, {}, "t"), [])
            await store.add_follower("taller", actor, {"id": f"{actor}/follows/1"}, accepted=True)
        # Then the fan-out goes to the follower's own inbox instead
        assert sorted(await store.follower_inboxes("taller")) == [
            "https://B.example./inbox",
            "https://a.example/users/ana/inbox",
            "https://c.example/users/cy/inbox",
        ]
    finally:
        await database.close()

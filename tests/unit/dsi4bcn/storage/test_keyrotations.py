"""Key rotations on a real SQLite file: the new key at once, the old one kept until its grace period ends."""

import pytest

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.storage.database import Connection, Database
from dsi4bcn.storage.keyrotations import KeyRotations
from dsi4bcn.storage.localactors import ProfileStore
from federation.keys import generate_key_pair

ORG = {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"]}


class _Announcements:
    """An ``Announce`` that records what it was given (and, for the test, returns an id)."""

    def __init__(self) -> None:
        self.records: list[ActorRecord | None] = []

    async def __call__(self, connection: Connection, record: ActorRecord | None) -> str | None:
        self.records.append(record)
        return f"https://n.example/activities/{len(self.records)}"


async def test_an_actor_gets_a_new_key_and_keeps_the_old_one_published_until_it_is_dropped(database: Database) -> None:
    profiles = ProfileStore(database)
    rotations = KeyRotations(database, profiles)
    before, _ = await profiles.put("organisation", "ateneu", ORG, None)
    old_private = await profiles.private_key_pem("ateneu")
    keys = generate_key_pair(1024)
    announced = _Announcements()

    rotation = await rotations.rotate("ateneu", keys, grace=100.0, now=1000.0, announce=announced)

    assert (rotation.old_number, rotation.new_number, rotation.expires) == (1, 2, 1100.0)
    after = await profiles.get("ateneu")
    assert after is not None and after.key_number == 2 and after.public_key_pem == keys.public_pem
    assert after.retired_keys == ((1, before.public_key_pem),)
    assert after.updated > before.updated  # a newer version of the actor, for peers that compare
    assert await profiles.private_key_pem("ateneu") == keys.private_pem
    # the announcement saw the new record, in the rotation's transaction, and is signed with the old key
    assert announced.records == [after]
    signing = await rotations.signing_keys()
    assert signing[str(rotation.update_id)].private_pem == old_private
    assert await rotations.next_expiry() == 1100.0
    assert await rotations.due(1099.0) == []

    due = await rotations.due(1100.0)
    assert [(key.local, key.number) for key in due] == [("ateneu", 1)]
    await rotations.drop(due[0], announce=announced)
    dropped = await profiles.get("ateneu")
    assert dropped is not None and dropped.retired_keys == () and dropped.key_number == 2
    assert announced.records[-1] == dropped
    assert await rotations.signing_keys() == {}
    assert await rotations.next_expiry() is None
    row = await database.one("SELECT private_key_pem, dropped FROM retired_keys")
    assert row is not None and row[0] is None and row[1] is not None


async def test_the_instance_actor_rotates_too_and_an_unknown_actor_changes_nothing(database: Database) -> None:
    profiles = ProfileStore(database)
    rotations = KeyRotations(database, profiles)
    first = await profiles.instance()
    keys = generate_key_pair(1024)
    announced = _Announcements()
    await rotations.rotate("", keys, grace=10.0, now=0.0, announce=announced)
    instance = await profiles.instance()
    assert (instance.key_number, instance.public_key_pem) == (2, keys.public_pem)
    assert instance.retired_keys == ((1, first.public_key_pem),) and instance.published == first.published
    assert await profiles.private_key_pem("") == keys.private_pem
    assert announced.records == [None]
    # twice within the grace period: both older keys stay published, newest first
    await rotations.rotate("", generate_key_pair(1024), grace=10.0, now=1.0, announce=announced)
    assert [number for number, _pem in (await profiles.instance()).retired_keys] == [2, 1]

    generation = profiles.generation
    with pytest.raises(KeyError):
        await rotations.rotate("nobody", keys, grace=10.0, now=0.0, announce=announced)
    assert profiles.generation == generation and len(announced.records) == 2
    assert [(key.local, key.number) for key in await rotations.due(100.0)] == [("", 1), ("", 2)]

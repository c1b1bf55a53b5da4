"""Which key signs what (``dsi4bcn.fediverse.signers``), over a real SQLite file and real RSA keys."""

from datetime import UTC, datetime
from pathlib import Path

from dsi4bcn.fediverse.signers import Signers
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.storage.database import Connection, Database, open_database
from dsi4bcn.storage.keyrotations import KeyRotations
from dsi4bcn.storage.localactors import ProfileStore
from federation.httpsig import HttpRequest, parse_signature, verify_signature
from federation.keys import generate_key_pair

BASE = "https://n.example"
ORG = {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"]}
UPDATE = "https://n.example/organisations/ateneu/activities/rotation"


async def _announce(connection: Connection, record: ActorRecord | None) -> str:
    return UPDATE


def _signed_by(headers: dict[str, str], public_pem: str) -> str:
    """The key id of a signed POST, checked against ``public_pem``."""
    request = HttpRequest("POST", "https://peer.example/inbox", {**headers}, b"{}")
    parsed = parse_signature(request, now=datetime.now(UTC))
    verify_signature(parsed, public_pem)
    return parsed.key_id


async def test_the_rotation_update_is_signed_with_the_old_key_and_everything_else_with_the_new(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        profiles = ProfileStore(database)
        rotations = KeyRotations(database, profiles)
        signers = Signers(profiles, BASE, database)
        old, _ = await profiles.put("organisation", "ateneu", ORG, None)
        live = await signers.live_signer()
        sign = await signers.signer("ateneu", "https://n.example/activities/1")
        headers = dict(sign(method="POST", url="https://peer.example/inbox", body=b"{}", content_type=None))
        assert _signed_by(headers, old.public_key_pem) == f"{BASE}/organisations/ateneu#main-key"

        keys = generate_key_pair(1024)
        await rotations.rotate("ateneu", keys, grace=60.0, now=0.0, announce=_announce)
        new = await profiles.get("ateneu")
        assert new is not None

        def signed(activity: str | None, public_pem: str) -> str:
            return _signed_by(
                dict(
                    sign_with[activity](method="POST", url="https://peer.example/inbox", body=b"{}", content_type=None)
                ),
                public_pem,
            )

        sign_with = {activity: await signers.signer("ateneu", activity) for activity in (UPDATE, "other", None)}
        # the Update announcing the rotation: the old key, which receivers hold
        assert signed(UPDATE, old.public_key_pem) == f"{BASE}/organisations/ateneu#main-key"
        # anything else, queued before or after: the new key under its new id
        assert signed("other", keys.public_pem) == f"{BASE}/organisations/ateneu#key-2"
        assert signed(None, keys.public_pem) == f"{BASE}/organisations/ateneu#key-2"

        # Once the grace period is over the old private key is gone: the Update (if retried) takes the new one
        (due,) = await rotations.due(100.0)
        await rotations.drop(due, announce=_announce)
        sign_with[UPDATE] = await signers.signer("ateneu", UPDATE)
        assert signed(UPDATE, keys.public_pem) == f"{BASE}/organisations/ateneu#key-2"

        # The instance actor's live signer (the node's fetch client, made once) keeps its key until the
        # signers are refreshed, as the rotator does after each rotation
        instance_keys = generate_key_pair(1024)
        await rotations.rotate("", instance_keys, grace=60.0, now=0.0, announce=_announce)
        before = dict(live(method="GET", url="https://peer.example/actor", body=None, content_type=None))
        assert f'keyId="{BASE}/actor#main-key"' in before["Signature"]
        await signers.refresh()
        after = dict(live(method="GET", url="https://peer.example/actor", body=None, content_type=None))
        assert f'keyId="{BASE}/actor#key-2"' in after["Signature"]
    finally:
        await database.close()

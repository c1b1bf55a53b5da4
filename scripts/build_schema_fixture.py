"""Build a node database as a released version left it: the schema at a given migration number, with
realistic rows in every table, for the upgrade test (tests/integration/test_schema_upgrade.py).

    python scripts/build_schema_fixture.py 9 tests/fixtures/schemas/schema-0009.sqlite3

The schema is made by applying the bundled migrations 1..N as the node applies them (each in one
transaction, then ``PRAGMA user_version = N``): released migrations never change, so they are the schema
that release made. The rows are what such a node holds: an organisation and a project with their key pairs
and the instance actor's, a remote follower and a followed actor with their keys, the inbox, the outbox, a
post and a delivery still owed, a failing host, a blocked domain, a peer with a received profile (checked
and turned into N-Triples by the node's own ingest code), its post and images, an uploaded logo, accounts
with argon2id password hashes, an invitation, a session, an API token and the audit log. Every value is
written only to the columns the table has at that number. The script fails if a table of that schema is
left empty, so that recording a release whose migrations add tables (docs/operating.md) means adding
their rows here first. The profiles live at ``BASE_URL``: start a node on the fixture with that base URL.
"""

import argparse
import asyncio
import hashlib
import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from dsi4bcn.fediverse.ingest import check_profile
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.storage.database import migrations
from dsi4bcn.web.passwords import hash_password
from federation.keys import generate_key_pair

BASE_URL = "https://old-release.example"
PEER = "https://peer.example"
SOCIAL = "https://social.example"
THEN = "2026-11-30T20:00:00Z"
LATER = "2026-11-30T21:00:00Z"
ORGANISATION = {
    "nameMap": {"ca": "Ateneu del Clot", "es": "Ateneo del Clot", "en": "Clot Community Centre"},
    "summaryMap": {"ca": "Un ateneu de barri que comparteix eines i sabers.", "en": "A neighbourhood centre."},
    "sectors": ["sector:civil-society"],
    "areas": ["area:maker", "area:open-education"],
    "offers": ["skill:workshop-space"],
    "basedIn": "neighbourhood:65",
    "location": {"type": "Place", "latitude": 41.4095, "longitude": 2.1875, "name": "Plaça del Canòdrom"},
}
PROJECT = {
    "nameMap": {"ca": "Taller obert", "en": "Open workshop"},
    "summaryMap": {"ca": "Reparem i fabriquem junts els dijous.", "en": "We repair and make things on Thursdays."},
    "areas": ["area:maker", "area:open-data"],
    "needs": ["skill:3d-printing"],
    "basedIn": "neighbourhood:65",
    "projectStatus": "status:active",
}
PEER_PROFILE = {
    "nameMap": {"ca": "Fàbrica Oberta de Gràcia", "en": "Gràcia Open Factory"},
    "sectors": ["sector:civil-society"],
    "areas": ["area:maker"],
    "offers": ["skill:3d-printing", "skill:laser-cutting"],
    "basedIn": "neighbourhood:31",
}


def _png(colour: tuple[int, int, int]) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="PNG")
    data = buffer.getvalue()
    return hashlib.sha256(data).hexdigest(), data


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _actor_document(url: str, keys_public: str) -> dict[str, Any]:
    """A Mastodon-like remote person, as the node keeps it in ``remote_actors``."""
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": url,
        "type": "Person",
        "preferredUsername": url.rsplit("/", 1)[-1],
        "inbox": f"{url}/inbox",
        "endpoints": {"sharedInbox": f"{SOCIAL}/inbox"},
        "publicKey": {"id": f"{url}#main-key", "owner": url, "publicKeyPem": keys_public},
    }


# long because: one row list per table, in the order of the migrations that made them
def _rows() -> dict[str, list[dict[str, Any]]]:
    instance, organisation, project, remote = (generate_key_pair() for _ in range(4))
    logo_sha, logo = _png((200, 40, 40))
    cached_sha, cached = _png((40, 40, 200))
    organisation_fields = dict(ORGANISATION, icon=f"{BASE_URL}/media/{logo_sha}.png")
    alice, bob = f"{SOCIAL}/users/alice", f"{SOCIAL}/users/bob"
    project_iri = f"{BASE_URL}/projects/taller-obert"
    organisation_iri = f"{BASE_URL}/organisations/ateneu-clot"
    peer_record = ActorRecord(
        "organisation",
        "fabrica-oberta",
        None,
        dict(PEER_PROFILE, icon=f"{PEER}/media/logo.png"),
        remote.public_pem,
        THEN,
        LATER,
    )
    peer_document = render_actor(peer_record, base_url=PEER, authority="peer.example", language="ca")
    checked = check_profile(peer_document, PEER)
    note_id = f"{project_iri}/notes/1"
    note = {
        "id": note_id,
        "type": "Note",
        "attributedTo": project_iri,
        "content": "<p>Obrim dijous!</p>",
        "published": LATER,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }
    create = {"id": f"{note_id}/activity", "type": "Create", "actor": project_iri, "object": note}
    follow = {"id": f"{SOCIAL}/follows/1", "type": "Follow", "actor": alice, "object": project_iri}
    accept = {"id": f"{project_iri}#accepts/1", "type": "Accept", "actor": project_iri, "object": follow}
    remote_note = {
        "id": f"{PEER}/organisations/fabrica-oberta/notes/7",
        "type": "Note",
        "attributedTo": checked.actor,
        "content": "<p>Nova impressora 3D</p>",
        "published": THEN,
    }
    password_hash = asyncio.run(hash_password("correct horse battery staple"))

    def actor(slug: str, kind: str, parent: str | None, fields: dict[str, Any], keys: Any) -> dict[str, Any]:
        return {
            "slug": slug,
            "kind": kind,
            "organisation": parent,
            "profile": json.dumps(fields, ensure_ascii=False),
            "private_key_pem": keys.private_pem,
            "public_key_pem": keys.public_pem,
            "published": THEN,
            "updated": LATER,
            "deleted": None,
        }

    return {
        "actors": [
            actor("ateneu-clot", "organisation", None, organisation_fields, organisation),
            actor("taller-obert", "project", "ateneu-clot", PROJECT, project),
        ],
        "node_settings": [
            {"name": "instance_private_key_pem", "value": instance.private_pem},
            {"name": "instance_public_key_pem", "value": instance.public_pem},
            {"name": "instance_created", "value": THEN},
            {
                "name": "identity",
                "value": json.dumps(
                    {"nameMap": {"ca": "Node del Clot"}, "summaryMap": {}, "icon": f"{BASE_URL}/media/{logo_sha}.png"}
                ),
            },
        ],
        "remote_actors": [
            {
                "id": alice,
                "inbox": f"{alice}/inbox",
                "shared_inbox": f"{SOCIAL}/inbox",
                "document": json.dumps(_actor_document(alice, remote.public_pem)),
                "fetched": THEN,
            },
        ],
        "remote_keys": [
            {"key_id": f"{alice}#main-key", "owner": alice, "public_key_pem": remote.public_pem, "fetched": THEN}
        ],
        "followers": [
            {
                "local": "taller-obert",
                "actor": alice,
                "follow_id": follow["id"],
                "follow": json.dumps(follow),
                "accepted": 1,
                "created": THEN,
            },
        ],
        "following": [
            {
                "local": "ateneu-clot",
                "actor": bob,
                "follow_id": f"{organisation_iri}#follows/1",
                "state": "accepted",
                "created": THEN,
            },
        ],
        "inbox": [
            {
                "activity_id": follow["id"],
                "actor": alice,
                "body": json.dumps(follow),
                "key_id": f"{alice}#main-key",
                "received": THEN,
                "processed": THEN,
                "outcome": "accepted",
            },
        ],
        "outbox": [
            {
                "activity_id": accept["id"],
                "local": "taller-obert",
                "type": "Accept",
                "body": json.dumps(accept),
                "public": 0,
                "published": THEN,
            },
            {
                "activity_id": create["id"],
                "local": "taller-obert",
                "type": "Create",
                "body": json.dumps(create),
                "public": 1,
                "published": LATER,
            },
        ],
        "notes": [
            {"id": note_id, "local": "taller-obert", "body": json.dumps(note), "published": LATER, "deleted": None}
        ],
        "deliveries": [
            {
                "activity_id": create["id"],
                "inbox": f"{SOCIAL}/inbox",
                "host": "social.example",
                "attempts": 2,
                "next_attempt": 4102444800.0,
                "last_error": "HTTP 503",
                "created": LATER,
            },
        ],
        "host_failures": [{"host": "social.example", "day": "2026-11-30"}],
        "blocked_domains": [{"domain": "spam.example", "reason": "spam", "created": THEN}],
        "remote_profiles": [
            {
                "actor": checked.actor,
                "peer": f"{PEER}/actor",
                "document": json.dumps(peer_document),
                "ntriples": checked.ntriples,
                "activity_id": f"{checked.actor}#updates/1",
                "key_id": f"{PEER}/actor#main-key",
                "received": LATER,
                "updated": checked.updated,
                "deleted": None,
                "first_received": THEN,
            },
        ],
        "graph_sync": [
            {"graph": iri, "version": 2, "synced": 1, "written": 1, "failed": None}
            for iri in (organisation_iri, project_iri, checked.actor)
        ],
        "peers": [
            {
                "actor": f"{PEER}/actor",
                "origin": PEER,
                "inbox": f"{PEER}/inbox",
                "profiles": f"{PEER}/profiles",
                "follow_id": f"{BASE_URL}/actor#follows/peer",
                "added": THEN,
                "backfill_total": 1,
                "backfill_done": 1,
                "last_sync": LATER,
                "last_error": None,
            },
        ],
        "remote_notes": [
            {
                "id": remote_note["id"],
                "author": checked.actor,
                "body": json.dumps(remote_note),
                "published": THEN,
                "received": LATER,
            },
        ],
        "media": [
            {
                "sha256": logo_sha,
                "media_type": "image/png",
                "bytes": logo,
                "width": 16,
                "height": 16,
                "source": "upload",
                "created": THEN,
            },
            {
                "sha256": cached_sha,
                "media_type": "image/png",
                "bytes": cached,
                "width": 16,
                "height": 16,
                "source": "cache",
                "created": LATER,
            },
        ],
        "profile_images": [{"actor": checked.actor, "role": "icon", "url": f"{PEER}/media/logo.png"}],
        "remote_media": [
            {
                "url": f"{PEER}/media/logo.png",
                "sha256": cached_sha,
                "fetched": LATER,
                "error": None,
                "attempts": 1,
                "due": LATER,
            },
        ],
        "accounts": [
            {
                "id": 1,
                "email": "admin@clot.example",
                "role": "admin",
                "organisation": None,
                "password_hash": password_hash,
                "created": THEN,
            },
            {
                "id": 2,
                "email": "editor@clot.example",
                "role": "editor",
                "organisation": "ateneu-clot",
                "password_hash": password_hash,
                "created": LATER,
            },
        ],
        "invitations": [
            {
                "token_hash": _sha("invitation"),
                "email": "editor@clot.example",
                "role": "editor",
                "organisation": "ateneu-clot",
                "created": THEN,
                "expires": "2026-12-07T20:00:00Z",
                "created_by": "admin@clot.example",
                "used": LATER,
            },
        ],
        "sessions": [
            {
                "id_hash": _sha("session"),
                "account": 1,
                "csrf": _sha("csrf")[:32],
                "created": LATER,
                "expires": "2026-12-14T21:00:00Z",
            },
        ],
        "api_tokens": [
            {
                "id": 1,
                "token_hash": _sha("api-token"),
                "account": 1,
                "name": "backups",
                "created": THEN,
                "last_used": LATER,
            },
        ],
        "audit_log": [
            {
                "id": 1,
                "at": THEN,
                "actor": "admin token",
                "action": "profile.create",
                "target": "ateneu-clot",
                "detail": "",
            },
            {
                "id": 2,
                "at": LATER,
                "actor": "admin@clot.example",
                "action": "account.invite",
                "target": "editor@clot.example",
                "detail": "editor of ateneu-clot",
            },
        ],
    }


def build(number: int, path: Path) -> None:
    """Write the database at migration ``number`` to ``path`` (replaced if it exists)."""
    known = migrations()
    if not 1 <= number <= len(known):
        raise SystemExit(f"there are migrations 1..{len(known)}, not {number}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA page_size = 1024")  # a small file to commit; any page size reads the same
        for current, _name, sql in known[:number]:
            connection.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {current};\nCOMMIT;")
        connection.execute("PRAGMA foreign_keys = ON")
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = [table for table in tables if not table.startswith("sqlite_")]
        rows = _rows()
        empty = [table for table in tables if not rows.get(table)]
        if empty:
            raise SystemExit(f"no rows written for {', '.join(empty)}: add them to this script first")
        connection.execute("BEGIN")
        for table in tables:
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            for row in rows[table]:
                kept = {name: value for name, value in row.items() if name in columns}
                names = ", ".join(kept)
                marks = ", ".join("?" for _ in kept)
                insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from sqlite_master
                connection.execute(insert, tuple(kept.values()))
        connection.execute("COMMIT")
        connection.execute("VACUUM")
    finally:
        connection.close()


def main() -> None:
    """The command line: the migration number and the file to write."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("number", type=int, help="the last migration of the release (its schema version)")
    parser.add_argument("path", type=Path, help="the SQLite file to write (replaced)")
    args = parser.parse_args()
    build(args.number, args.path)
    print(f"{args.path}: schema version {args.number}, {args.path.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

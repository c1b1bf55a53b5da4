"""A backup of a running node restores a node that keeps its identity in the fediverse.

Node A has an organisation and a project, followed by a real Fedify actor, and aggregates node B, which
keeps pushing profile updates. While B pushes and A's followers receive a post, ``dsi4bcn backup`` copies
A's data folder. A stops; ``dsi4bcn restore`` puts the backup into a new data folder, and a new process on
it, at A's base URL, serves the same actors with the same keys, B's profile as it was at the backup (the
graph rebuilt from SQLite), and a post made there reaches the Fedify actor, which verifies it with the key
it fetches again.
"""

import json
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.fedify_peer import start_fedify_peer
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, fetch, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = [pytest.mark.peer, pytest.mark.network]

ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
ORGANISATION = {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "ateneu-clot", "nameMap": {"ca": "Taller obert"}, "areas": ["area:maker"]}
ACTORS = ("organisations/ateneu-clot", "projects/taller-obert", "actor")


def _peer_profile(version: int) -> dict[str, Any]:
    return {"nameMap": {"ca": f"Fàbrica Oberta, versió {version}"}, "sectors": ["sector:civil-society"]}


def _actor(node: Node, path: str) -> dict[str, Any]:
    answer = fetch(f"{node.base_url}/{path}", headers={"Accept": "application/activity+json"})
    assert answer.status == 200, answer.body[:300]
    document: dict[str, Any] = answer.json()
    return document


def _dsi4bcn(*args: str) -> subprocess.CompletedProcess[str]:
    return run_dsi4bcn(list(args), timeout=120)


def _peer_name_in(database: Path, actor: str) -> str:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT document FROM remote_profiles WHERE actor = ?", (actor,)).fetchone()
    finally:
        connection.close()
    return "" if row is None else str(json.loads(row[0])["nameMap"]["ca"])


def _graph_name(node: Node, actor: str) -> str:
    """The Catalan name of ``actor`` in the node's aggregated graph ("" if absent)."""
    query = (
        f"SELECT ?name WHERE {{ GRAPH ?g {{ <{actor}> <https://www.w3.org/ns/activitystreams#name> ?name "
        "FILTER(lang(?name) = 'ca') } }"
    )
    return next((row["name"] for row in sparql_rows(node.base_url, query)), "")


def _push_updates(b: Node, stop: threading.Event, versions: list[int]) -> None:
    """B edits its organisation again and again until told to stop: each edit an Update pushed to A."""
    version = 0
    while not stop.is_set():
        version += 1
        answer = api(b.base_url, b.token, "PUT", "/api/organisations/fabrica", _peer_profile(version))
        assert answer.status == 200, answer.body
        versions.append(version)


# long because: one story, from the federation set up to the restored node's post verified by Fedify
def test_a_backup_of_a_running_node_restores_its_profiles_keys_and_followers(tmp_path: Path) -> None:
    b = start_node(tmp_path / "b", env=ENV)
    a = start_node(tmp_path / "a", env=ENV)
    peer = start_fedify_peer(log_dir=tmp_path / "fedify")
    restored: Node | None = None
    try:
        # Given A's profiles, followed by a Fedify actor, and A aggregating B's organisation
        assert api(a.base_url, a.token, "PUT", "/api/organisations/ateneu-clot", ORGANISATION).status == 201
        assert api(a.base_url, a.token, "PUT", "/api/projects/taller-obert", PROJECT).status == 201
        assert api(b.base_url, b.token, "PUT", "/api/organisations/fabrica", _peer_profile(0)).status == 201
        assert api(a.base_url, a.token, "POST", "/api/peers", {"url": b.base_url}).status == 202
        peer_org = f"{b.base_url}/organisations/fabrica"
        within(20, lambda: "versió 0" in _peer_name_in(a.database, peer_org), "B's organisation at A")
        project = f"{a.base_url}/projects/taller-obert"
        peer.follow(project)
        peer.wait_for_activity("Accept", actor=project)
        before = {path: _actor(a, path) for path in ACTORS}

        # When B keeps pushing updates and A posts to its followers while the backup is taken
        stop, versions = threading.Event(), [0]
        pushing = threading.Thread(target=_push_updates, args=(b, stop, versions))
        pushing.start()
        try:
            within(10, lambda: len(versions) > 3, "B's first updates")
            note = {"content": "<p>Abans de la còpia</p>"}
            posted = api(a.base_url, a.token, "POST", "/api/projects/taller-obert/notes", note)
            assert posted.status == 201, posted.body
            backup = tmp_path / "backup"
            taken = _dsi4bcn("backup", str(backup), "--data-dir", str(a.data_dir), "--base-url", a.base_url)
            assert taken.returncode == 0, taken.stderr
            peer.wait_for(lambda got: any(i.get("objectId") == posted.json()["object"]["id"] for i in got))
            within(10, lambda: len(versions) > 10, "more of B's updates")
        finally:
            stop.set()
            pushing.join(30)
        backed_up_name = _peer_name_in(backup / "dsi4bcn.sqlite3", peer_org)
        assert backed_up_name.startswith("Fàbrica Oberta, versió ")
        a.stop()

        # Then the backup restores into a new data folder, and a node on it at A's URL is A again
        answer = _dsi4bcn("restore", str(backup), "--data-dir", str(tmp_path / "restored"))
        assert answer.returncode == 0, answer.stderr
        assert f"--base-url {a.base_url}" in answer.stdout
        args = [str(tmp_path / "restored") if arg == str(a.data_dir) else arg for arg in a.args]
        restored = Node(data_dir=tmp_path / "restored", port=a.port, base_url=a.base_url, args=args, env=a.env)
        restored.start()  # healthy, and the graph written again from SQLite
        after = {path: _actor(restored, path) for path in ACTORS}
        assert after == before  # same ids, names, inboxes and public keys
        # and holds B's organisation, rebuilt into the graph, then brought up to B's last edit (pushed again by
        # B, which kept retrying while A was down)
        assert _graph_name(restored, peer_org) in (backed_up_name, *(f"Fàbrica Oberta, versió {v}" for v in versions))
        last = f"Fàbrica Oberta, versió {versions[-1]}"
        within(20, lambda: _graph_name(restored, peer_org) == last, "B's last edit at the restored node")

        # And a post made on the restored node reaches the Fedify follower, verified with the key it fetches
        peer.forget_caches()
        peer.reset()
        note = {"content": "<p>Després de restaurar</p>"}
        posted = api(restored.base_url, restored.token, "POST", "/api/projects/taller-obert/notes", note)
        assert posted.status == 201, posted.body
        create = peer.wait_for_activity("Create", actor=project, objectId=posted.json()["object"]["id"])
        assert create["auth"]["verifiedBy"] == "http-signature"
        assert peer.errors() == [], peer.errors()
    finally:
        peer.stop()
        if restored is not None:
            restored.stop()
        a.stop()
        b.stop()

"""The node admin page (/admin/node) on real node processes, through its forms as a browser posts them: the
node's name, description and logo, peers, blocked domains and the graph's rebuild. Each change is in the
audit log; a form without its CSRF token, from an editor, or with bad input changes nothing."""

import io
import re
import time
from collections.abc import Callable, Iterator

import pytest
from PIL import Image

from tests.support.accounts import accept_invitation, first_admin, first_admin_link
from tests.support.formclient import FormClient, csrf_of
from tests.support.http import Answer, api, database_dump, fetch
from tests.support.nodes import Node, free_port, start_node


def _png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("node-admin") / "node")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("node-admin-peer") / "node", host_name="localhost")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def admin(node: Node) -> FormClient:
    return first_admin(node)


@pytest.fixture(scope="module")
def editor(node: Node, admin: FormClient) -> FormClient:
    made = api(
        node.base_url,
        node.token,
        "POST",
        "/api/accounts",
        {"email": "ed@a.example", "role": "editor", "organisation": "a"},
    )
    return accept_invitation(node, made.json()["invitation"], "ed@a.example")


def _csrf(browser: FormClient) -> str:
    return csrf_of(browser.get("/admin/node?lang=en").body)


def _quiet_dump(node: Node) -> list[str]:
    """The database once the graph is settled and no delivery waits (a removed peer's Undo goes out)."""
    deadline = time.monotonic() + 15
    while True:
        node.settle()
        dump = database_dump(node.database)
        if not any(line.startswith('INSERT INTO "deliveries"') for line in dump) or time.monotonic() > deadline:
            return dump
        time.sleep(0.1)


def _unchanged(node: Node, post: Callable[[], Answer], status: int) -> Answer:
    before = _quiet_dump(node)
    answer = post()
    assert answer.status == status, answer.body[:1500]
    node.settle()
    assert database_dump(node.database) == before
    return answer


def _audit(node: Node) -> list[dict[str, str]]:
    return api(node.base_url, node.token, "GET", "/api/audit").json()


def test_the_dashboard_links_the_node_page_for_admins_only(admin: FormClient, editor: FormClient) -> None:
    assert b'href="/admin/node?lang=en"' in admin.get("/admin?lang=en").body
    assert b"/admin/node" not in editor.get("/admin?lang=en").body
    refused = editor.get("/admin/node?lang=en")
    assert refused.status == 403 and b"only an admin of the node may do this" in refused.body
    assert FormClient(admin.origin).get("/admin/node").status == 303  # a stranger is sent to sign in


def test_the_node_name_and_description_are_set_per_language(node: Node, admin: FormClient) -> None:
    fields = {
        "csrf": _csrf(admin),
        "name_ca": "Ateneu del Clot",
        "name_en": "Clot Workshop",
        "summary_es": "Un ateneo.",
    }
    answer = admin.post("/admin/node/identity?lang=en", fields)
    assert answer.status == 303 and answer.headers["location"].startswith("/admin/node?lang=en&done=identity")
    settings = api(node.base_url, None, "GET", "/api/settings").json()
    assert settings["nameMap"] == {"ca": "Ateneu del Clot", "en": "Clot Workshop"}
    assert settings["summaryMap"] == {"es": "Un ateneo."}
    page = admin.get("/admin/node?lang=en&done=identity")
    assert b"The name, description and logo are saved." in page.body and b'value="Ateneu del Clot"' in page.body
    assert "Ateneu del Clot" in FormClient(node.base_url).get("/?lang=ca").body.decode()
    assert any(entry["action"] == "node_identity_changed" for entry in _audit(node))


def test_identity_refusals_change_nothing(node: Node, admin: FormClient, editor: FormClient) -> None:
    fields = {"name_ca": "Nou nom", "summary_ca": "x"}
    _unchanged(node, lambda: admin.post("/admin/node/identity", fields), 403)
    _unchanged(node, lambda: editor.post("/admin/node/identity", {**fields, "csrf": _csrf_of_dashboard(editor)}), 403)
    long = {**fields, "csrf": _csrf(admin), "name_es": "n" * 101}
    answer = _unchanged(node, lambda: admin.post("/admin/node/identity?lang=en", long), 422)
    text = answer.body.decode()
    assert 'id="name-es-error">&#39;Name (in spanish)&#39; is longer than 100 characters' in text
    assert 'aria-invalid="true"' in text and 'value="Nou nom"' in text  # the posted values are kept
    catalan = _unchanged(node, lambda: admin.post("/admin/node/identity?lang=ca", long), 422)
    assert "té més de 100 caràcters" in catalan.body.decode()


def _csrf_of_dashboard(browser: FormClient) -> str:
    return csrf_of(browser.get("/admin?lang=en").body)


def test_a_logo_is_uploaded_checked_and_shown(node: Node, admin: FormClient) -> None:
    png = _png()
    fields = {"csrf": _csrf(admin), "name_ca": "Ateneu del Clot"}
    answer = admin.post("/admin/node/identity?lang=en", fields, {"logo": ("logo.png", "image/png", png)})
    assert answer.status == 303, answer.body[:1500]
    icon = api(node.base_url, None, "GET", "/api/settings").json()["icon"]
    assert re.fullmatch(re.escape(node.base_url) + r"/media/[0-9a-f]{64}\.png", icon)
    assert FormClient(node.base_url).get(icon.removeprefix(node.base_url)).body == png
    assert icon.removeprefix(node.base_url).encode() in admin.get("/?lang=en").body
    kept = admin.post(
        "/admin/node/identity?lang=en",
        {**fields, "csrf": _csrf(admin)},
        {"logo": ("", "application/octet-stream", b"")},
    )
    assert kept.status == 303 and api(node.base_url, None, "GET", "/api/settings").json()["icon"] == icon


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "is not a whole, readable PNG"),
        (_png()[:60], "is not a whole, readable PNG"),
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10), "larger than the 2097152-byte limit"),
    ],
    ids=["svg", "truncated", "oversized"],
)
def test_a_bad_logo_is_refused_beside_its_field_and_nothing_is_stored(
    node: Node, admin: FormClient, data: bytes, words: str
) -> None:
    fields = {"csrf": _csrf(admin), "name_ca": "Un altre nom"}
    post = lambda: admin.post("/admin/node/identity?lang=en", fields, {"logo": ("x.png", "image/png", data)})  # noqa: E731
    answer = _unchanged(node, post, 422)
    assert 'id="logo-error"' in answer.body.decode() and words in answer.body.decode()


def test_a_peer_is_added_shown_with_its_state_and_removed(node: Node, peer: Node, admin: FormClient) -> None:
    answer = admin.post("/admin/node/peers?lang=en", {"csrf": _csrf(admin), "url": peer.base_url})
    assert answer.status == 303, answer.body[:1500]
    page = admin.get("/admin/node?lang=en").body.decode()
    assert peer.base_url in page and re.search(r"State:</span> (up to date|catching up|waiting)", page)
    actor = api(node.base_url, node.token, "GET", "/api/peers").json()[0]["actor"]
    removed = admin.post("/admin/node/peers/remove?lang=en", {"csrf": _csrf(admin), "peer": actor})
    assert removed.status == 303 and api(node.base_url, node.token, "GET", "/api/peers").json() == []
    actions = [entry["action"] for entry in _audit(node)]
    assert "peer_added" in actions and "peer_removed" in actions


def test_peer_refusals_say_why_in_plain_words_and_change_nothing(
    node: Node, admin: FormClient, editor: FormClient
) -> None:
    bad = _unchanged(
        node, lambda: admin.post("/admin/node/peers?lang=en", {"csrf": _csrf(admin), "url": "ateneu"}), 422
    )
    assert "must be an http or https URL" in bad.body.decode()
    closed = f"http://127.0.0.1:{free_port()}"
    down = _unchanged(node, lambda: admin.post("/admin/node/peers?lang=es", {"csrf": _csrf(admin), "url": closed}), 422)
    assert "no se ha podido conectar con el nodo" in down.body.decode()
    _unchanged(node, lambda: admin.post("/admin/node/peers", {"url": closed}), 403)
    _unchanged(node, lambda: editor.post("/admin/node/peers", {"csrf": _csrf_of_dashboard(editor), "url": closed}), 403)
    _unchanged(node, lambda: admin.post("/admin/node/peers/remove", {"csrf": _csrf(admin), "peer": closed}), 404)


def test_a_node_that_keeps_to_the_public_network_says_so(tmp_path_factory: pytest.TempPathFactory) -> None:
    strict = start_node(tmp_path_factory.mktemp("strict") / "node", allow_private_network=False)
    try:
        admin = accept_invitation(strict, first_admin_link(strict), "admin@strict.example")
        fields = {"csrf": _csrf(admin), "url": "https://127.0.0.1:8443/"}
        answer = _unchanged(strict, lambda: admin.post("/admin/node/peers?lang=ca", fields), 422)
        assert "aquest node no contacta adreces privades ni locals" in answer.body.decode()
        assert "non-public address 127.0.0.1 refused" in answer.body.decode()  # the detail, for whoever needs it
    finally:
        strict.stop()


def test_a_domain_is_blocked_and_unblocked(node: Node, admin: FormClient) -> None:
    fields = {"csrf": _csrf(admin), "domain": "https://Spam.Example/users/x", "reason": "spam"}
    assert admin.post("/admin/node/blocked-domains?lang=en", fields).status == 303
    rows = api(node.base_url, node.token, "GET", "/api/blocked-domains").json()
    assert [(row["domain"], row["reason"]) for row in rows] == [("spam.example", "spam")]
    assert b"<strong>spam.example</strong>" in admin.get("/admin/node?lang=en").body
    gone = admin.post("/admin/node/blocked-domains/remove?lang=en", {"csrf": _csrf(admin), "domain": "spam.example"})
    assert gone.status == 303 and api(node.base_url, node.token, "GET", "/api/blocked-domains").json() == []
    actions = [entry["action"] for entry in _audit(node)]
    assert "domain_blocked" in actions and "domain_unblocked" in actions


def test_block_refusals_change_nothing(node: Node, admin: FormClient, editor: FormClient) -> None:
    bad = _unchanged(
        node,
        lambda: admin.post("/admin/node/blocked-domains?lang=en", {"csrf": _csrf(admin), "domain": "no domain!"}),
        422,
    )
    assert 'id="domain-error">this is not a domain name' in bad.body.decode()
    _unchanged(node, lambda: admin.post("/admin/node/blocked-domains", {"domain": "evil.example"}), 403)
    editor_fields = {"csrf": _csrf_of_dashboard(editor), "domain": "evil.example"}
    _unchanged(node, lambda: editor.post("/admin/node/blocked-domains", editor_fields), 403)
    _unchanged(
        node,
        lambda: admin.post("/admin/node/blocked-domains/remove", {"csrf": _csrf(admin), "domain": "x.example"}),
        404,
    )


def test_the_graph_status_is_in_words_and_a_rebuild_needs_confirming(
    node: Node, admin: FormClient, editor: FormClient
) -> None:
    page = admin.get("/admin/node?lang=en").body.decode()
    assert re.search(r"The graph holds [\d,]+ statements \(triples\) in \d+ graphs\.", page)
    unconfirmed = _unchanged(node, lambda: admin.post("/admin/node/graph/rebuild?lang=en", {"csrf": _csrf(admin)}), 422)
    assert "tick the box to confirm" in unconfirmed.body.decode()
    _unchanged(node, lambda: admin.post("/admin/node/graph/rebuild", {"confirm": "yes"}), 403)
    editor_fields = {"csrf": _csrf_of_dashboard(editor), "confirm": "yes"}
    _unchanged(node, lambda: editor.post("/admin/node/graph/rebuild", editor_fields), 403)
    done = admin.post("/admin/node/graph/rebuild?lang=en", {"csrf": _csrf(admin), "confirm": "yes"})
    assert done.status == 303 and "done=rebuilt" in done.headers["location"]
    assert any(entry["action"] == "graph_rebuilt" for entry in _audit(node))
    node.settle()


def test_every_key_is_replaced_from_the_page_once_confirmed(node: Node, admin: FormClient, editor: FormClient) -> None:
    page = admin.get("/admin/node?lang=ca").body.decode()
    assert "Claus de signatura" in page and "Període de gràcia, en hores: 48" in page
    unconfirmed = _unchanged(node, lambda: admin.post("/admin/node/keys/rotate?lang=en", {"csrf": _csrf(admin)}), 422)
    assert "tick the box to confirm that you want to replace every key" in unconfirmed.body.decode()
    _unchanged(node, lambda: admin.post("/admin/node/keys/rotate", {"confirm": "yes"}), 403)
    editor_fields = {"csrf": _csrf_of_dashboard(editor), "confirm": "yes"}
    _unchanged(node, lambda: editor.post("/admin/node/keys/rotate", editor_fields), 403)
    instance = f"{node.base_url}/actor"
    done = admin.post("/admin/node/keys/rotate?lang=en", {"csrf": _csrf(admin), "confirm": "yes"})
    assert done.status == 303 and "done=keys_rotated" in done.headers["location"]
    keys = fetch(instance, headers={"Accept": "application/activity+json"}).json()["publicKey"]
    assert [key["id"] for key in keys][:2] == [f"{instance}#key-2", f"{instance}#main-key"]
    assert any(entry["action"] == "keys_rotated" for entry in _audit(node))

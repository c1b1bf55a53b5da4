"""Answers to calls across three real nodes and a Fedify follower (issue 13's acceptance, without the
matching part): a project on A publishes a request for 3D printing; B's organisation, which aggregates A,
answers with an FEP-0837 offer; A's caller accepts it; the agreement is kept on A and B and reaches C's graph
with who provides and who receives; the Fedify follower of A's project received the call and the Accept.
A forged Accept, an offer for a call that does not exist and an answer to a call B does not hold change
nothing."""

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.accounts import first_admin
from tests.support.fake_actors import ActorServer, FakeActor
from tests.support.fedify_peer import FedifyPeer, start_fedify_peer
from tests.support.formclient import FormClient, csrf_of
from tests.support.http import Answer, api, database_dump, fetch, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within
from vocab.contexts import proposal_context

pytestmark = [pytest.mark.peer, pytest.mark.network]
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
CALL: dict[str, Any] = {
    "purpose": "request",
    "nameMap": {"ca": "Voluntàries d'impressió 3D per a la fira"},
    "concepts": ["skill:3d-printing"],
    "quantity": 2,
    "validUntil": "2099-12-15",
}
VF = "https://w3id.org/valueflows/ont/vf#"


@dataclass
class Network:
    a: Node
    b: Node
    c: Node
    peer: FedifyPeer
    project: str
    workshop: str
    admins: dict[str, FormClient]


def _holds(node: Node, iri: str) -> bool:
    return bool(sparql_rows(node.base_url, f"SELECT ?p WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 1"))


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    folder = tmp_path_factory.mktemp("call-answers")
    a, b, c = (start_node(folder / name, env=ENV) for name in "abc")
    put = [
        (a, "organisations/fem-barri", {"nameMap": {"ca": "Fem Barri"}, "sectors": ["sector:civil-society"]}),
        (
            a,
            "projects/fira-maker",
            {"organisation": "fem-barri", "nameMap": {"ca": "Fira maker"}, "areas": ["area:maker"]},
        ),
        (
            b,
            "organisations/fabrica",
            {"nameMap": {"ca": "Fàbrica Oberta"}, "sectors": ["sector:industry"], "offers": ["skill:3d-printing"]},
        ),
    ]
    for node, path, document in put:
        assert api(node.base_url, node.token, "PUT", f"/api/{path}", document).status == 201
    project, workshop = f"{a.base_url}/projects/fira-maker", f"{b.base_url}/organisations/fabrica"
    for aggregator, origin in ((b, a), (c, a), (c, b)):
        assert api(aggregator.base_url, aggregator.token, "POST", "/api/peers", {"url": origin.base_url}).status == 202
    within(20, lambda: _holds(b, project) and _holds(c, project) and _holds(c, workshop), "the peering")
    peer = start_fedify_peer(log_dir=tmp_path_factory.mktemp("fedify-answers"))
    peer.follow(project)
    peer.wait_for_activity("Accept")
    admins = {"a": first_admin(a), "b": first_admin(b)}  # signed in, as people who manage A and B
    yield Network(a, b, c, peer, project, workshop, admins)
    peer.stop()
    for node in (a, b, c):
        node.stop()


def _outcome(node: Node, activity_id: str) -> str:
    """What the node's inbox made of an activity ("" until it is processed)."""
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT outcome FROM inbox WHERE activity_id = ?", (activity_id,)).fetchone()
    finally:
        connection.close()
    return str(row[0]) if row and row[0] else ""


def _listed(node: Node, extra: str = "") -> list[str]:
    answer = fetch(f"{node.base_url}/api/network/calls?per_page=100{extra}")
    assert answer.status == 200, answer.body[:300]
    return [str(item["id"]) for item in answer.json()["calls"]]


def _page(url: str) -> str:
    answer = fetch(f"{url}?lang=ca", headers={"Accept": "text/html"})
    assert answer.status == 200, answer.body[:300]
    return answer.body.decode("utf-8")


def _answer_rows(dump: list[str]) -> list[str]:
    return [row for row in dump if row.startswith(('INSERT INTO "call_offers"', 'INSERT INTO "agreements"'))]


def _post(node: Node, sender: FakeActor, activity: dict[str, Any], status: int = 202) -> Answer:
    inbox = f"{node.base_url}/inbox"
    body = json.dumps(activity).encode()
    answer = fetch(inbox, method="POST", headers=sender.sign(inbox, body), body=body)
    assert answer.status == status, answer.body
    return answer


def _offers(node: Node, path: str) -> list[dict[str, Any]]:
    answer = api(node.base_url, node.token, "GET", path)
    assert answer.status == 200, answer.body
    result: list[dict[str, Any]] = answer.json()
    return result


def test_an_offer_accepted_becomes_an_agreement_everywhere(network: Network) -> None:
    a, b, c, peer = network.a, network.b, network.c, network.peer
    published = api(a.base_url, a.token, "POST", "/api/projects/fira-maker/calls", CALL)
    assert published.status == 201
    iri, call = published.json()["id"], published.json()["call"]
    within(5, lambda: _holds(b, iri) and _holds(c, iri), "the call on B and C")
    # B's organisation, which offers 3D printing, sees it among the calls it could answer within 5 s
    to_answer = "/api/organisations/fabrica/calls-to-answer"
    within(5, lambda: iri in [item["candidate"] for item in _offers(b, to_answer)], "the call among B's to answer")
    reasons = next(item for item in _offers(b, to_answer) if item["candidate"] == iri)["explanation"]
    assert reasons["requestMetByYourOffers"][0]["need"]["code"] == "skill:3d-printing"
    # and offers to collaborate on its admin page
    b_admin = network.admins["b"]
    page = b_admin.get("/admin/organisations/fabrica/answers?lang=ca")
    assert page.status == 200 and "Voluntàries d&#39;impressió 3D" in page.body.decode()
    sent = b_admin.post(
        "/admin/organisations/fabrica/offers?lang=ca",
        {"csrf": csrf_of(page.body), "call": iri, "content": "Dues impressores!"},
    )
    assert sent.status == 303, sent.body
    within(5, lambda: _offers(a, f"/api/calls/{call}/offers"), "the offer on A")
    received = _offers(a, f"/api/calls/{call}/offers")[0]
    assert received["offerer"] == network.workshop and received["state"] == "pending"
    # A's caller accepts it on the answers page
    a_admin = network.admins["a"]
    page = a_admin.get("/admin/projects/fira-maker/answers?lang=ca")
    assert "Dues impressores!" in page.body.decode() and "Accepta" in page.body.decode()
    accepted = a_admin.post(
        "/admin/projects/fira-maker/offers/accept?lang=ca",
        {"csrf": csrf_of(page.body), "call": call, "offer": received["id"]},
    )
    assert accepted.status == 303, accepted.body
    agreements = api(a.base_url, a.token, "GET", f"/api/calls/{call}/offers").json()
    assert agreements[0]["state"] == "accepted"
    again = api(a.base_url, a.token, "POST", f"/api/calls/{call}/offers/accept", {"offer": received["id"]})
    agreement_query = f"SELECT ?id WHERE {{ GRAPH ?id {{ ?id a <{VF}Agreement> ; <{VF}stipulates> ?c }} }}"
    within(10, lambda: sparql_rows(a.base_url, agreement_query), "the agreement in A's graph")
    agreement = sparql_rows(a.base_url, agreement_query)[0]["id"]
    assert agreement.startswith(f"{iri}/agreements/")
    assert again.status == 409
    within(5, lambda: _offers(b, "/api/organisations/fabrica/offers")[0]["state"] == "accepted", "the Accept on B")
    # The agreement is in A's, B's and C's graphs: B's workshop provides, A's project receives
    query = (
        f"SELECT ?provider ?receiver WHERE {{ GRAPH <{agreement}> {{ <{agreement}> a <{VF}Agreement> ;"
        f" <{VF}stipulates> ?c . ?c <{VF}provider> ?provider ; <{VF}receiver> ?receiver }} }}"
    )
    for node in (a, b, c):
        within(10, lambda node=node: sparql_rows(node.base_url, query), f"the agreement in {node.base_url}'s graph")
        assert sparql_rows(node.base_url, query) == [{"provider": network.workshop, "receiver": network.project}]
    # The Fedify follower received the call and the agreement
    peer.wait_for_activity("Create", objectId=iri)
    accept = peer.wait_for_activity("Accept", actor=network.project)
    assert accept["auth"]["verifiedBy"] == "http-signature"
    # The agreement is on the call's page and on both profiles' pages
    # A does not aggregate B: the page names B's workshop by its handle, linking to it
    assert "Acord amb" in _page(iri) and f'<a href="{network.workshop}">fabrica@' in _page(iri)
    assert f'<a href="{network.workshop}">fabrica@' in _page(f"{a.base_url}/@fira-maker")
    assert "Voluntàries d&#39;impressió 3D" in _page(f"{b.base_url}/@fabrica") or "Voluntàries d'impressió 3D" in _page(
        f"{b.base_url}/@fabrica"
    )


def test_a_reply_from_the_fediverse_shows_once_approved(network: Network) -> None:
    a, peer = network.a, network.peer
    published = api(a.base_url, a.token, "POST", "/api/projects/fira-maker/calls", CALL).json()
    iri, call = published["id"], published["call"]
    note = {
        "id": f"{peer.actor_url}/notes/reply-{call}",
        "type": "Note",
        "attributedTo": peer.actor_url,
        "content": "<p>Hi puc anar amb la meva impressora <script>x()</script></p>",
        "inReplyTo": iri,
        "to": ["https://www.w3.org/ns/activitystreams#Public", network.project],
        "published": "2026-12-01T10:00:00Z",
    }
    peer.send({"type": "Create", "object": note, "to": note["to"]}, to=[network.project])
    within(10, lambda: api(a.base_url, a.token, "GET", f"/api/calls/{call}/replies").json(), "the reply on A")
    reply = api(a.base_url, a.token, "GET", f"/api/calls/{call}/replies").json()[0]
    assert reply["state"] == "pending" and reply["author"] == peer.actor_url
    assert "la meva impressora" not in _page(iri)  # not shown before the caller approves it
    # The caller reviews it on the answers page and shows it on the call's page
    admin = network.admins["a"]
    page = admin.get("/admin/projects/fira-maker/answers?lang=ca")
    assert "Per revisar" in page.body.decode() and "<script>x()" not in page.body.decode()
    approve = admin.post(
        "/admin/projects/fira-maker/replies/approve?lang=ca",
        {"csrf": csrf_of(page.body), "call": call, "reply": reply["id"]},
    )
    assert approve.status == 303, approve.body
    page = _page(iri)
    assert "la meva impressora" in page and "<script>x()" not in page
    assert api(a.base_url, a.token, "POST", f"/api/calls/{call}/replies/approve", {"reply": "nope"}).status == 404


def test_forged_or_baseless_answers_change_nothing(network: Network) -> None:
    a, b = network.a, network.b
    published = api(a.base_url, a.token, "POST", "/api/projects/fira-maker/calls", CALL).json()
    iri, call = published["id"], published["call"]
    within(5, lambda: _holds(b, iri), "the call on B")
    offer = api(b.base_url, b.token, "POST", "/api/organisations/fabrica/offers", {"call": iri}).json()
    within(5, lambda: _offers(a, f"/api/calls/{call}/offers"), "the offer on A")
    before_b = database_dump(b.database)
    before_a = _offers(a, f"/api/calls/{call}/offers")
    server = ActorServer()
    try:
        mallory = server.add_actor("mallory")
        # A well-formed Accept of B's pending offer, signed by someone who is not the caller
        forged = {
            "@context": proposal_context(),
            "id": f"{mallory.id}/accepts/1",
            "type": "Accept",
            "actor": mallory.id,
            "object": offer["id"],
            "result": {
                "id": f"{mallory.id}/agreements/1",
                "type": "Agreement",
                "stipulates": {
                    "type": "Commitment",
                    "satisfies": f"{iri}#primary",
                    "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "2"},
                },
            },
        }
        _post(b, mallory, forged)
        # An offer for a call that does not exist on A
        ghost = {
            "@context": proposal_context(),
            "id": f"{mallory.id}/offers/1",
            "type": "Offer",
            "actor": mallory.id,
            "object": {
                "type": "Agreement",
                "stipulates": {
                    "type": "Commitment",
                    "satisfies": f"{a.base_url}/calls/nosuchcall#primary",
                    "resourceQuantity": {"hasUnit": "one"},
                },
            },
        }
        _post(a, mallory, ghost)
        # A call of A's project, published by someone else
        impostor = {
            "@context": proposal_context(),
            "id": f"{mallory.id}/creates/1",
            "type": "Create",
            "actor": mallory.id,
            "object": {
                "id": f"{mallory.id}/proposals/1",
                "type": "Proposal",
                "purpose": "request",
                "attributedTo": network.project,
                "name": "Fals",
                "publishes": {"id": f"{mallory.id}/proposals/1#primary", "type": "Intent", "action": "deliverService"},
            },
        }
        refused = _post(b, mallory, impostor, status=400)  # refused at the door, with its reason
        assert refused.json()["code"] == "inbox_refused" and "attributedTo" in refused.json()["error"]
        within(10, lambda: _outcome(b, forged["id"]), "B processed the forged Accept")
        within(10, lambda: _outcome(a, ghost["id"]), "A processed the offer for no call")
    finally:
        server.stop()
    assert "refused: " in _outcome(b, forged["id"]), _outcome(b, forged["id"])
    assert _outcome(a, ghost["id"]).startswith("refused: an offer for a call that does not exist"), _outcome(
        a, ghost["id"]
    )
    assert _offers(b, "/api/organisations/fabrica/offers")[0]["state"] == "pending"
    assert _offers(a, f"/api/calls/{call}/offers") == before_a
    assert _answer_rows(database_dump(b.database)) == _answer_rows(before_b)
    # Through the API: a call B does not hold, and no call at all
    missing = api(
        b.base_url, b.token, "POST", "/api/organisations/fabrica/offers", {"call": f"{a.base_url}/calls/nosuchcall"}
    )
    assert missing.status == 404 and missing.json()["code"] == "no_such_call"
    assert api(b.base_url, b.token, "POST", "/api/organisations/fabrica/offers", {}).status == 422
    assert api(a.base_url, a.token, "POST", f"/api/calls/{call}/offers/accept", {"offer": "nope"}).status == 404


def test_an_expired_call_leaves_the_open_lists_but_stays_in_the_graph(network: Network) -> None:
    a, b, c = network.a, network.b, network.c
    until = (datetime.now(UTC) + timedelta(seconds=8)).replace(microsecond=0).isoformat()
    published = api(a.base_url, a.token, "POST", "/api/projects/fira-maker/calls", {**CALL, "validUntil": until})
    assert published.status == 201, published.body
    iri = published.json()["id"]
    to_answer = "/api/organisations/fabrica/calls-to-answer"
    within(5, lambda: iri in [item["candidate"] for item in _offers(b, to_answer)], "the call among B's to answer")
    # When its time is up it leaves the list, and an offer is refused, but it stays queryable as history
    within(15, lambda: iri not in [item["candidate"] for item in _offers(b, to_answer)], "the call leaving B's list")
    late = api(b.base_url, b.token, "POST", "/api/organisations/fabrica/offers", {"call": iri})
    assert late.status == 409 and late.json()["code"] == "call_not_open"
    for node in (a, b, c):  # every node's open list, and the history
        within(10, lambda node=node: iri not in _listed(node), f"the call leaving {node.base_url}'s open calls")
        assert iri in _listed(node, "&state=all")
    assert _holds(a, iri) and _holds(b, iri) and _holds(c, iri)
    # Deleted, it leaves no triple anywhere within 5 s
    assert api(a.base_url, a.token, "DELETE", f"/api/calls/{published.json()['call']}").status == 200
    within(5, lambda: not any(_holds(node, iri) for node in (a, b, c)), "no triple of the deleted call anywhere")


def test_two_profiles_of_one_node_make_an_agreement_without_the_network(network: Network) -> None:
    a = network.a
    published = api(a.base_url, a.token, "POST", "/api/projects/fira-maker/calls", CALL).json()
    iri, call = published["id"], published["call"]
    assert api(a.base_url, a.token, "POST", "/api/projects/fira-maker/offers", {"call": iri}).status == 422
    sent = api(a.base_url, a.token, "POST", "/api/organisations/fem-barri/offers", {"call": iri, "content": "Hi som!"})
    assert sent.status == 201, sent.body
    received = _offers(a, f"/api/calls/{call}/offers")
    assert [offer["offerer"] for offer in received] == [f"{a.base_url}/organisations/fem-barri"]
    accepted = api(a.base_url, a.token, "POST", f"/api/calls/{call}/offers/accept", {"offer": received[0]["id"]})
    assert accepted.status == 200, accepted.body
    mine = [offer for offer in _offers(a, "/api/organisations/fem-barri/offers") if offer["call"] == iri]
    assert [offer["state"] for offer in mine] == ["accepted"]
    assert "Acord amb" in _page(f"{a.base_url}/@fem-barri")

"""A real node process publishes organisations and projects as ActivityPub actors in JSON-LD.

Given a node with one organisation and one project created through the admin API, a client discovers the
project with WebFinger, reads its actor, and gets the same RDF graph from the JSON-LD (expanded by pyld
with bundled contexts only) and from the Turtle.
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from pyld import jsonld
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within
from vocab.contexts import document_loader
from vocab.rdf import jsonld_to_graph

AS = "https://www.w3.org/ns/activitystreams#"
DSI = "https://w3id.org/dsi4bcn/ns#"
SEC = "https://w3id.org/security#"
ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

ORGANISATION = {
    "nameMap": {"ca": "Ateneu del Clot", "es": "Ateneo del Clot", "en": "Clot Athenaeum"},
    "summaryMap": {"ca": "Fabricació digital al barri.", "en": "Digital fabrication in the neighbourhood."},
    "sectors": ["sector:civil-society"],
    "areas": ["area:maker"],
    "basedIn": "neighbourhood:65",
    "website": "https://ateneu-clot.example/",
}
PROJECT = {
    "organisation": "ateneu-clot",
    "nameMap": {"ca": "Taller <obert> & lliure", "es": "Taller abierto", "en": "Open workshop"},
    "summaryMap": {"ca": "Reparem <b>coses</b>.\n\nCada dijous.", "en": "We repair things."},
    "areas": ["area:maker", "area:open-hardware"],
    "needs": ["skill:web-development"],
    "offers": ["skill:3d-printing", "skill:workshop-space"],
    "sdgs": ["sdg:12"],
    "basedIn": "neighbourhood:65",
    "location": {"type": "Place", "latitude": 41.4103, "longitude": 2.1886},
    "startDate": "2022-09-15",
    "website": "https://taller.example/",
    "email": "hola@taller.example",
}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("published") / "node")
    assert api(running.base_url, running.token, "PUT", "/api/organisations/ateneu-clot", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/taller-obert", PROJECT).status == 201
    yield running
    running.stop()


def _get(url: str, accept: str, **headers: str) -> tuple[int, str, bytes]:
    answer = fetch(url, headers={"Accept": accept, **headers})
    return answer.status, answer.content_type, answer.body


def test_webfinger_leads_to_the_actor_whose_json_ld_gives_the_expected_triples(node: Node) -> None:
    # Given a handle, When a client WebFingers it
    handle = f"acct:taller-obert@127.0.0.1:{node.port}"
    answer = fetch(f"{node.base_url}/.well-known/webfinger?resource={quote(handle)}")
    assert answer.status == 200
    assert answer.content_type == "application/jrd+json"
    jrd = answer.json()
    assert jrd["subject"] == handle
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link["type"] == ACTIVITY_JSON
    actor_url = self_link["href"]
    assert actor_url == f"{node.base_url}/projects/taller-obert"

    # Then the actor it points to is ActivityPub JSON-LD with only bundled context URLs
    status, content_type, body = _get(actor_url, ACTIVITY_JSON)
    assert (status, content_type) == (200, ACTIVITY_JSON)
    document = json.loads(body)
    assert document["@context"][:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    assert isinstance(document["@context"][2], dict)
    assert document["id"] == actor_url
    assert document["type"] == ["Group", "Project"]
    assert document["preferredUsername"] == "taller-obert"
    assert document["inbox"] == f"{actor_url}/inbox"
    assert document["endpoints"]["sharedInbox"] == f"{node.base_url}/inbox"
    assert document["url"] == f"{node.base_url}/@taller-obert"
    assert document["publicKey"]["owner"] == actor_url
    assert document["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert document["summary"] == "<p>Reparem &lt;b&gt;coses&lt;/b&gt;.</p><p>Cada dijous.</p>"
    fields = {item["name"]: item["value"] for item in document["attachment"]}
    assert 'href="https://taller.example/"' in fields["Web"]
    assert "mailto:hola@taller.example" in fields["Correu"]

    # And pyld, with a loader that serves only bundled contexts, expands it to the expected triples
    expanded = jsonld.expand(document, {"documentLoader": document_loader()})
    assert len(expanded) == 1
    graph = jsonld_to_graph(document)
    subject = URIRef(actor_url)
    expected = [
        (subject, RDF.type, URIRef(DSI + "Project")),
        (subject, RDF.type, URIRef(AS + "Group")),
        (subject, URIRef(DSI + "organisation"), URIRef(f"{node.base_url}/organisations/ateneu-clot")),
        (subject, URIRef(DSI + "area"), URIRef("https://w3id.org/dsi4bcn/area/open-hardware")),
        (subject, URIRef(DSI + "needs"), URIRef("https://w3id.org/dsi4bcn/skill/web-development")),
        (subject, URIRef(DSI + "offers"), URIRef("https://w3id.org/dsi4bcn/skill/workshop-space")),
        (subject, URIRef(DSI + "sdg"), URIRef("https://w3id.org/dsi4bcn/sdg/12")),
        (subject, URIRef(DSI + "basedIn"), URIRef("https://w3id.org/dsi4bcn/neighbourhood/65")),
        (subject, URIRef(DSI + "status"), URIRef("https://w3id.org/dsi4bcn/status/active")),
        (subject, URIRef(AS + "name"), Literal("Open workshop", lang="en")),
        (subject, URIRef(AS + "preferredUsername"), Literal("taller-obert")),
        (subject, URIRef("http://schema.org/url"), URIRef("https://taller.example/")),
        (subject, URIRef(SEC + "publicKey"), URIRef(f"{actor_url}#main-key")),
        (URIRef(f"{actor_url}#main-key"), URIRef(SEC + "owner"), subject),
    ]
    for triple in expected:
        assert triple in graph, triple
    start = graph.value(subject, URIRef("http://schema.org/startDate"))
    assert isinstance(start, Literal) and str(start) == "2022-09-15"
    assert str(start.datatype) == "http://www.w3.org/2001/XMLSchema#date"


def test_turtle_is_the_same_graph_as_the_json_ld(node: Node) -> None:
    for path in ("/projects/taller-obert", "/organisations/ateneu-clot", "/actor"):
        status, content_type, turtle = _get(node.base_url + path, "text/turtle")
        assert status == 200 and content_type.startswith("text/turtle")
        from_turtle = Graph().parse(data=turtle, format="turtle")
        _, _, json_body = _get(node.base_url + path, ACTIVITY_JSON)
        from_json_ld = jsonld_to_graph(json.loads(json_body))
        assert len(from_turtle) > 15
        assert isomorphic(from_turtle, from_json_ld), path


def test_both_activitypub_media_types_and_406(node: Node) -> None:
    url = f"{node.base_url}/projects/taller-obert"
    status, content_type, body = _get(url, LD_JSON_AS)
    assert (status, content_type) == (200, LD_JSON_AS)
    assert _get(url, ACTIVITY_JSON)[2] == body
    # Mastodon's Accept header when it fetches an actor.
    assert _get(url, f"{ACTIVITY_JSON}, {LD_JSON_AS}")[1] == ACTIVITY_JSON
    answer = fetch(url, headers={"Accept": "image/png"})
    assert answer.status == 406
    assert "text/turtle" in answer.json()["error"]
    assert answer.headers["vary"].startswith("Accept")


def test_the_html_page_is_escaped_and_in_the_visitors_language(node: Node) -> None:
    url = f"{node.base_url}/projects/taller-obert"
    status, content_type, body = _get(url, "text/html", **{"Accept-Language": "ca"})
    page = body.decode()
    assert status == 200 and content_type.startswith("text/html")
    assert "Taller &lt;obert&gt; &amp; lliure" in page
    assert "<obert>" not in page and "<b>coses</b>" not in page
    assert 'lang="ca"' in page and "Necessita" in page and "Desenvolupament web" in page
    assert "Sant Martí" in page  # the district of neighbourhood 65, through skos:broader
    _, _, english = _get(url, "text/html", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert "Open workshop" in english.decode() and "Needs" in english.decode()
    _, _, spanish = _get(url + "?lang=es", "text/html", **{"Accept-Language": "en"})
    assert "Taller abierto" in spanish.decode() and 'lang="es"' in spanish.decode()
    status, _, profile = _get(f"{node.base_url}/@taller-obert", "text/html")
    assert status == 200 and b"taller-obert@127.0.0.1" in profile
    status, _, home = _get(node.base_url + "/", "text/html")
    assert status == 200 and b"/@taller-obert" in home and b"/@ateneu-clot" in home


def test_webfinger_by_url_host_meta_and_nodeinfo(node: Node) -> None:
    actor = f"{node.base_url}/organisations/ateneu-clot"
    jrd = fetch(f"{node.base_url}/.well-known/webfinger?resource={quote(actor)}").json()
    assert jrd["subject"] == f"acct:ateneu-clot@127.0.0.1:{node.port}"
    instance = fetch(f"{node.base_url}/.well-known/webfinger?resource={quote(node.base_url + '/')}").json()
    assert instance["links"][0]["href"] == f"{node.base_url}/actor"
    for resource, status in [
        (f"acct:nobody@127.0.0.1:{node.port}", 404),
        ("acct:a@elsewhere.example", 404),
        ("nonsense", 400),
        ("", 400),
    ]:
        answer = fetch(f"{node.base_url}/.well-known/webfinger?resource={quote(resource)}")
        assert answer.status == status, resource
        assert "error" in answer.json()
    host_meta = fetch(f"{node.base_url}/.well-known/host-meta")
    assert host_meta.content_type == "application/xrd+xml"
    assert b"/.well-known/webfinger?resource={uri}" in host_meta.body
    links = fetch(f"{node.base_url}/.well-known/nodeinfo").json()["links"]
    info = fetch(links[0]["href"]).json()
    assert info["version"] == "2.1" and info["software"]["name"] == "dsi4bcn"
    assert info["usage"]["users"]["total"] == 2
    assert links[1]["href"] == f"{node.base_url}/actor"
    application = fetch(f"{node.base_url}/actor", headers={"Accept": ACTIVITY_JSON}).json()
    assert application["type"] == "Application"
    assert application["preferredUsername"] == "127.0.0.1"


def test_collections_count_and_the_inbox_refuses_what_is_not_an_activity(node: Node) -> None:
    for collection in ("outbox", "followers", "following"):
        answer = fetch(f"{node.base_url}/projects/taller-obert/{collection}", headers={"Accept": ACTIVITY_JSON})
        assert answer.status == 200
        document = answer.json()
        assert document["type"] == "OrderedCollection" and document["totalItems"] == 0
    assert fetch(f"{node.base_url}/projects/nobody/followers").status == 404
    answer = fetch(
        f"{node.base_url}/projects/taller-obert/inbox",
        method="POST",
        body=b"{}",
        headers={"Content-Type": ACTIVITY_JSON},
    )
    assert answer.status == 400 and "no id" in answer.json()["error"]


def test_a_deleted_project_answers_410_with_a_tombstone(node: Node, tmp_path: Path) -> None:
    body = dict(PROJECT, nameMap={"ca": "Efímer"})
    assert api(node.base_url, node.token, "PUT", "/api/projects/efimer", body).status == 201
    assert api(node.base_url, node.token, "DELETE", "/api/projects/efimer").status == 200
    answer = fetch(f"{node.base_url}/projects/efimer", headers={"Accept": ACTIVITY_JSON})
    assert answer.status == 410
    tombstone = answer.json()
    assert tombstone["type"] == "Tombstone" and tombstone["formerType"] == "Group"
    webfinger = fetch(f"{node.base_url}/.well-known/webfinger?resource=acct:efimer@127.0.0.1:{node.port}")
    assert webfinger.status == 410
    assert fetch(f"{node.base_url}/projects/efimer", headers={"Accept": "text/html"}).status == 410
    again = api(node.base_url, node.token, "PUT", "/api/projects/efimer", body)
    assert again.status == 409 and again.json()["code"] == "slug_deleted"


def test_hashtag_pages_list_the_projects_of_an_area(node: Node) -> None:
    # the page lists what the directory holds, which a new profile reaches within the graph sync's latency
    within(10, lambda: b"/@taller-obert" in fetch(f"{node.base_url}/tags/maker").body, "the project on its tag page")
    page = fetch(f"{node.base_url}/tags/maker?lang=en", headers={"Accept": "text/html"})
    assert page.status == 200 and b"/@taller-obert?lang=en" in page.body and b"#Maker culture" in page.body
    narrower = fetch(f"{node.base_url}/tags/digital-fabrication", headers={"Accept": "text/html"})
    assert narrower.status == 200 and b"/@taller-obert" not in narrower.body
    assert fetch(f"{node.base_url}/tags/astrology").status == 404


def test_private_contacts_never_leave_the_admin_api(node: Node) -> None:
    from urllib.parse import urlencode

    body = dict(
        PROJECT,
        nameMap={"ca": "Contactes"},
        contacts=[
            {"name": "Anna Puig", "email": "anna@taller.example", "contactType": "coordinació", "public": True},
            {"name": "Jordi Serra", "email": "jordi.private@taller.example", "public": False},
        ],
    )
    assert api(node.base_url, node.token, "PUT", "/api/projects/contactes", body).status == 201
    editable = api(node.base_url, node.token, "GET", "/api/projects/contactes").json()
    assert [contact["name"] for contact in editable["contacts"]] == ["Anna Puig", "Jordi Serra"]
    for accept in (ACTIVITY_JSON, "text/turtle", "text/html"):
        published = fetch(f"{node.base_url}/projects/contactes", headers={"Accept": accept}).body
        assert b"jordi.private" not in published and b"Jordi" not in published
    actor = fetch(f"{node.base_url}/projects/contactes", headers={"Accept": ACTIVITY_JSON}).json()
    assert actor["contacts"] == [
        {"type": "ContactPoint", "name": "Anna Puig", "email": "anna@taller.example", "contactType": "coordinació"}
    ]
    graph = jsonld_to_graph(actor)
    assert (None, URIRef("http://schema.org/contactPoint"), None) in graph

    def graph_has(text: str) -> bool:
        query = f'ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{text}")) }} }}'
        answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/json"})
        return bool(answer.json()["boolean"])

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not graph_has("anna@taller.example"):
        time.sleep(0.1)
    assert graph_has("anna@taller.example")
    assert not graph_has("jordi.private")

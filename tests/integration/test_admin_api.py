"""The admin API on a real node: round trips, and bad input that gets a clear error and changes nothing."""

import json
from collections.abc import Iterator

import pytest

from tests.support.http import api, database_dump, fetch
from tests.support.nodes import Node, start_node

ORGANISATION = {
    "nameMap": {"ca": "Clau Oberta"},
    "sectors": ["sector:civil-society"],
    "areas": ["area:privacy"],
}
PROJECT = {
    "organisation": "clau-oberta",
    "nameMap": {"ca": "Guia de drets", "en": "Rights guide"},
    "areas": ["area:digital-rights"],
    "needs": ["skill:translation"],
    "offers": ["skill:legal-advice"],
    "basedIn": "district:1",
}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("admin") / "node")
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/guia-drets", PROJECT).status == 201
    yield running
    running.stop()


def settled_dump(node: Node) -> list[str]:
    """The database once the node has put every written profile in its graph (earlier tests write)."""
    node.settle()
    return database_dump(node.database)


def test_get_change_a_field_and_put_back(node: Node) -> None:
    answer = api(node.base_url, node.token, "GET", "/api/projects/guia-drets")
    assert answer.status == 200
    document = answer.json()
    assert document["organisation"] == f"{node.base_url}/organisations/clau-oberta"
    assert document["basedIn"] == "district:1"
    document["offers"].append("skill:translation")
    document["summaryMap"] = {"es": "Una guía."}
    updated = api(node.base_url, node.token, "PUT", "/api/projects/guia-drets", document)
    assert updated.status == 200
    assert updated.json() == api(node.base_url, node.token, "GET", "/api/projects/guia-drets").json()
    assert updated.json()["offers"] == ["skill:legal-advice", "skill:translation"]
    actor = fetch(f"{node.base_url}/projects/guia-drets", headers={"Accept": "application/activity+json"}).json()
    assert actor["offers"] == ["skill:legal-advice", "skill:translation"]
    assert actor["updated"] >= actor["published"]


def test_lists_carry_slugs(node: Node) -> None:
    projects = api(node.base_url, node.token, "GET", "/api/projects").json()
    assert isinstance(projects, list) and "guia-drets" in [item["slug"] for item in projects]
    organisations = api(node.base_url, node.token, "GET", "/api/organisations").json()
    assert [item["slug"] for item in organisations] == ["clau-oberta"]
    assert api(node.base_url, node.token, "GET", "/api/organisations/clau-oberta").json()["sectors"] == [
        "sector:civil-society"
    ]
    filtered = api(node.base_url, node.token, "GET", "/api/projects?organisation=nobody").json()
    assert filtered == []


BIG = json.dumps({"nameMap": {"ca": "x" * (1024 * 1024 + 10)}}).encode()
# A few hundred KB of "[": json.loads raised RecursionError, which was answered 500 (issue 9).
NESTED = b"[" * 300_000


@pytest.mark.parametrize(
    ("method", "path", "body", "token", "status", "expected_fields"),
    [
        ("PUT", "/api/projects/nou", b'{"nameMap": {"ca": "x"', "good", 400, []),
        ("PUT", "/api/projects/nou", dict(PROJECT, areas=["area:astrology"]), "good", 422, ["areas[0]"]),
        (
            "PUT",
            "/api/projects/nou",
            {k: v for k, v in PROJECT.items() if k != "nameMap"},
            "good",
            422,
            ["nameMap"],
        ),
        ("PUT", "/api/projects/Bad_Slug!", PROJECT, "good", 400, ["slug"]),
        (
            "PUT",
            "/api/projects/-x",
            dict(PROJECT, areas="area:maker", nameMap=["a"]),
            "good",
            400,
            ["slug", "nameMap"],
        ),
        (
            "PUT",
            "/api/projects/nou",
            dict(PROJECT, needs=[3], startDate=20200101, discoverable="yes"),
            "good",
            422,
            ["needs[0]", "startDate", "discoverable"],
        ),
        ("PUT", "/api/projects/nou", dict(PROJECT, organisation="nobody"), "good", 422, ["organisation"]),
        ("PUT", "/api/projects/nou", BIG, "good", 413, []),
        ("PUT", "/api/projects/nou", PROJECT, None, 401, []),
        ("PUT", "/api/projects/nou", PROJECT, "wrong-token-0123456789", 401, []),
        ("DELETE", "/api/projects/guia-drets", None, None, 401, []),
        ("GET", "/api/projects", None, "wrong-token-0123456789", 401, []),
        ("PUT", "/api/projects/nou", b"[1, 2]", "good", 422, [""]),
        ("PUT", "/api/organisations/guia-drets", ORGANISATION, "good", 409, []),
        ("DELETE", "/api/organisations/clau-oberta", None, "good", 409, []),
        ("DELETE", "/api/projects/nobody", None, "good", 404, []),
        ("PUT", "/api/projects/actor", PROJECT, "good", 400, ["slug"]),
        ("PUT", "/api/projects/nou", NESTED, "good", 400, []),
        ("PUT", "/api/organisations/nou", b'{"nameMap": ' + b'{"a": ' * 5000, "good", 400, []),
        ("POST", "/api/peers", NESTED, "good", 400, []),
        ("POST", "/api/projects/guia-drets/notes", NESTED, "good", 400, []),
        ("POST", "/api/projects/guia-drets/following", NESTED, "good", 400, []),
        ("POST", "/api/projects/guia-drets/follow-requests/accept", NESTED, "good", 400, []),
        ("PUT", "/api/blocked-domains/spam.example", NESTED, "good", 400, []),
        ("PUT", "/api/projects/nou", b'{"nameMap": {"ca": "\\ud800"}}', "good", 400, []),
        ("PUT", "/api/projects/nou", '{"nameMap": {"ca": "é"}}'.encode("latin-1"), "good", 400, []),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    node: Node,
    method: str,
    path: str,
    body: object,
    token: str | None,
    status: int,
    expected_fields: list[str],
) -> None:
    before = settled_dump(node)
    raw = body if isinstance(body, bytes) else None
    answer = api(
        node.base_url,
        node.token if token == "good" else token,
        method,
        path,
        None if raw is not None else body,
        raw=raw,
    )
    assert answer.status == status, answer.body[:300]
    assert answer.content_type == "application/json"
    error = answer.json()
    assert error["error"] and error["code"]
    fields = [problem["field"] for problem in error.get("problems", [])]
    for field in expected_fields:
        assert field in fields, (field, fields)
    for problem in error.get("problems", []):
        assert problem["message"] and problem["code"]
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert database_dump(node.database) == before


def test_wrong_content_type_is_415(node: Node) -> None:
    before = settled_dump(node)
    answer = api(node.base_url, node.token, "PUT", "/api/projects/nou", PROJECT, content_type="text/plain")
    assert answer.status == 415 and answer.json()["code"] == "unsupported_media_type"
    assert database_dump(node.database) == before


def test_errors_speak_the_clients_language(node: Node) -> None:
    answer = fetch(
        f"{node.base_url}/api/projects/nou",
        method="PUT",
        headers={
            "Authorization": f"Bearer {node.token}",
            "Content-Type": "application/json",
            "Accept-Language": "es",
        },
        body=json.dumps({"organisation": "clau-oberta", "areas": ["area:maker"]}).encode(),
    )
    assert answer.status == 422
    assert answer.json()["problems"][0]["message"] == "hay que indicar «nameMap»"


def test_the_editable_profile_is_self_contained_json_ld(node: Node) -> None:
    from vocab.rdf import jsonld_to_graph

    document = api(node.base_url, node.token, "GET", "/api/projects/guia-drets").json()
    graph = jsonld_to_graph(document)
    subject = f"{node.base_url}/projects/guia-drets"
    triples = {(str(s), str(p), str(o)) for s, p, o in graph}
    assert (subject, "https://w3id.org/dsi4bcn/ns#basedIn", "https://w3id.org/dsi4bcn/district/1") in triples
    assert (
        subject,
        "https://w3id.org/dsi4bcn/ns#organisation",
        f"{node.base_url}/organisations/clau-oberta",
    ) in triples


@pytest.mark.parametrize(
    ("language", "did_you_mean"),
    [
        ("ca", "«neds» no és un terme del perfil; potser volíeu dir «needs»?"),
        ("es", "«neds» no es un término del perfil; ¿quizá quería decir «needs»?"),
        ("en", "'neds' is not a profile term; did you mean 'needs'?"),
    ],
)
def test_wrong_terms_and_concepts_get_suggestions_in_the_clients_language(
    node: Node, language: str, did_you_mean: str
) -> None:
    before = settled_dump(node)
    body = {
        **PROJECT,
        "neds": ["skill:translation"],
        "name": {"ca": "x"},
        "areas": ["area:makers"],
        "offers": ["workshop-space"],
    }
    answer = api(node.base_url, node.token, "PUT", f"/api/projects/nou?lang={language}", body)
    assert answer.status == 422
    problems = {problem["field"]: problem for problem in answer.json()["problems"]}
    assert problems["neds"]["message"] == did_you_mean
    assert problems["neds"]["params"] == {"field": "neds", "suggestions": ["needs"]}
    assert problems["name"]["params"]["suggestions"] == ["nameMap"]
    assert problems["areas[0]"]["params"]["suggestions"][0] == "area:maker"
    assert problems["offers[0]"]["params"]["suggestions"] == ["skill:workshop-space"]
    assert "skill:workshop-space" in problems["offers[0]"]["message"]
    assert database_dump(node.database) == before

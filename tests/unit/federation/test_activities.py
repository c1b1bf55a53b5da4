"""Activity builders, activity shapes, and origins compared on normalised hosts (``federation.activities``)."""

import pytest

from federation import activities
from federation.errors import ActivityError

LOCAL = "https://node.example/projects/taller"


def test_note_and_create_are_addressed_publicly() -> None:
    note = activities.note(
        note_id=f"{LOCAL}/notes/1",
        actor=LOCAL,
        followers=f"{LOCAL}/followers",
        content="<p>Hola</p>",
        content_map={"ca": "<p>Hola</p>"},
        published="2026-01-01T00:00:00Z",
        tags=[activities.hashtag("OpenData", "https://node.example/tags/open-data")],
    )
    create = activities.create(f"{LOCAL}/activities/2", LOCAL, note)
    assert create["to"] == [activities.PUBLIC] and create["cc"] == [f"{LOCAL}/followers"]
    assert create["object"]["tag"][0]["name"] == "#OpenData"


@pytest.mark.parametrize("iri", ["https://[", "https://[::1/x", "https://a]b/", "http://[x]/"])
def test_an_iri_urlsplit_cannot_split_has_no_origin(iri: str) -> None:
    # urlsplit raises ValueError on these; an activity naming one is refused (400), not a crash (500).
    assert activities.origin(iri) == ""
    with pytest.raises(ActivityError, match=r"id must be an absolute http\(s\) IRI"):
        activities.check_activity_shape({"id": iri, "type": "Follow", "actor": iri})
    with pytest.raises(ActivityError, match=r"actor must be an absolute http\(s\) IRI"):
        activities.check_activity_shape({"id": "https://masto.example/1", "type": "Follow", "actor": iri})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://a.example/x", "https://A.EXAMPLE./y"),
        ("https://a.example/x", "https://a\u3002example/y"),
        ("https://a.example/x", "https://\uff41.example/y"),
        ("https://a.example/x", "https://a.example:443/y"),
        ("http://127.0.0.1:8080/x", "http://127\uff0e0\uff0e0\uff0e1:8080/y"),
    ],
)
def test_same_origin_compares_normalised_hosts(first: str, second: str) -> None:
    assert activities.same_origin(first, second)
    assert activities.origin(first) == activities.origin(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://a.example/x", "https://b.example/x"),
        ("https://a.example/x", "http://a.example/x"),
        ("https://a.example/x", "https://a.example:8443/x"),
        ("https://a.example/x", "https://user@a.example/x"),
        ("https://a.example/x", "https://a.example%2e/x"),
    ],
)
def test_same_origin_tells_origins_apart(first: str, second: str) -> None:
    assert not activities.same_origin(first, second)


def test_an_iri_whose_host_cannot_be_normalised_has_no_origin() -> None:
    assert activities.origin("https://%31%32%37.0.0.1/x") == ""
    assert activities.origin("https://a\u200bb.example/x") == ""
    assert not activities.same_origin("https://%31.example/x", "https://%31.example/x")


@pytest.mark.parametrize(
    "iri",
    [
        "https://peer.example/a b",
        "https://peer.example/a\nb",
        "https://peer.example/<x>",
        "https://peer.example/\ud800",
    ],
)
def test_an_id_that_cannot_be_written_as_rdf_is_refused_at_the_door(iri: str) -> None:
    # Such ids once reached the provenance graph, where N-Triples could not write them and the sync stopped.
    assert not activities.is_http_iri(iri)
    with pytest.raises(ActivityError, match=r"id must be an absolute http\(s\) IRI"):
        activities.check_activity_shape({"id": iri, "type": "Update", "actor": "https://peer.example/actor"})

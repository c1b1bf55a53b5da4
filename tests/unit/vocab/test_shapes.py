"""SHACL shapes accept a complete profile and reject one with a field wrong."""

import copy
from typing import Any

import pytest
from rdflib import Graph

from vocab.contexts import published_context
from vocab.rdf import jsonld_to_graph
from vocab.shapes import validate

KEY = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"
BASE = "https://node.example"


def _project(**changes: Any) -> dict[str, Any]:
    actor = f"{BASE}/projects/taller"
    document: dict[str, Any] = {
        "@context": published_context(),
        "id": actor,
        "type": ["Group", "Project"],
        "preferredUsername": "taller",
        "name": "Taller",
        "nameMap": {"ca": "Taller", "en": "Workshop"},
        "inbox": f"{actor}/inbox",
        "outbox": f"{actor}/outbox",
        "followers": f"{actor}/followers",
        "following": f"{actor}/following",
        "url": f"{BASE}/@taller",
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": KEY},
        "organisation": f"{BASE}/organisations/ateneu",
        "areas": ["area:maker"],
        "needs": ["skill:web-development"],
        "offers": ["skill:3d-printing"],
        "sdgs": ["sdg:4"],
        "basedIn": "neighbourhood:68",
        "location": {"type": "Place", "latitude": 41.40, "longitude": 2.20},
        "projectStatus": "status:active",
        "startDate": "2021-03-01",
        "published": "2024-01-01T00:00:00Z",
        "updated": "2024-01-01T00:00:00Z",
    }
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def _graph(document: dict[str, Any]) -> Graph:
    return jsonld_to_graph(copy.deepcopy(document))


def test_a_complete_project_conforms() -> None:
    result = validate(_graph(_project()))
    assert result.conforms, [str(v) for v in result.violations]


@pytest.mark.parametrize(
    ("changes", "path_fragment"),
    [
        ({"areas": ["skill:web-development"]}, "area"),
        ({"areas": None}, "area"),
        ({"needs": ["area:maker"]}, "needs"),
        ({"basedIn": "sdg:4"}, "basedIn"),
        ({"projectStatus": None}, "status"),
        ({"organisation": None}, "organisation"),
        ({"preferredUsername": "Not Valid"}, "preferredUsername"),
        ({"inbox": None}, "inbox"),
        ({"startDate": "soon"}, "startDate"),
        ({"location": {"type": "Place", "latitude": 123, "longitude": 2}}, ""),
        (
            {
                "publicKey": {
                    "id": f"{BASE}/projects/taller#main-key",
                    "owner": f"{BASE}/projects/taller",
                    "publicKeyPem": "not a key",
                }
            },
            "",
        ),
    ],
)
def test_a_profile_with_one_field_wrong_fails(changes: dict[str, Any], path_fragment: str) -> None:
    result = validate(_graph(_project(**changes)))
    assert not result.conforms
    assert any(path_fragment in v.path or path_fragment in str(v) for v in result.violations)


def test_an_organisation_needs_a_sector() -> None:
    actor = f"{BASE}/organisations/ateneu"
    document = _project(
        id=actor,
        type=["Organization", "org:Organization"],
        organisation=None,
        projectStatus=None,
        publicKey={"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": KEY},
    )
    result = validate(_graph(document))
    assert not result.conforms
    assert any("sector" in v.path for v in result.violations)
    document["sectors"] = ["sector:civil-society"]
    assert validate(_graph(document)).conforms

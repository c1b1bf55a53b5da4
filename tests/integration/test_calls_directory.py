"""Calls for collaboration in the directory, across two real nodes: B aggregates A, A publishes calls, and
B lists them at /calls (page, JSON, Atom) with filters and counts, on the profile's page, on the skill's
concept page and on a page of their own; a call that ends leaves the open list; bad filters are a 400."""

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
ORGANISATION = {"nameMap": {"ca": "Fem Barri"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "fem-barri", "nameMap": {"ca": "Fira maker"}, "areas": ["area:maker"]}
PRINTING: dict[str, Any] = {
    "purpose": "request",
    "nameMap": {"ca": "Voluntàries d'impressió 3D", "en": "3D printing volunteers"},
    "concepts": ["skill:3d-printing"],
    "basedIn": "neighbourhood:64",
    "deadline": "2099-06-01",
    "validUntil": "2099-12-15",
}
WEB: dict[str, Any] = {
    "purpose": "offer",
    "nameMap": {"ca": "Oferim desenvolupament web"},
    "concepts": ["skill:web-development"],
    "basedIn": "district:1",
    "validUntil": "2099-12-31",
}
ATOM = "{http://www.w3.org/2005/Atom}"
EXPIRES_IN = 8  # seconds the short call stays open


@dataclass
class Calls:
    a: Node
    b: Node
    printing: str
    web: str


def _publish(a: Node, document: dict[str, Any], profile: str = "projects/fira-maker") -> str:
    answer = api(a.base_url, a.token, "POST", f"/api/{profile}/calls", document)
    assert answer.status == 201, answer.body
    return str(answer.json()["id"])


def _listed(node: Node, **parameters: str) -> dict[str, Any]:
    answer = fetch(f"{node.base_url}/api/network/calls?{urlencode(parameters)}")
    assert answer.status == 200, answer.body
    return dict(answer.json())


def _ids(listing: dict[str, Any]) -> set[str]:
    return {call["id"] for call in listing["calls"]}


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Calls]:
    # Given two nodes, B aggregating A, and two calls of A's project
    folder = tmp_path_factory.mktemp("calls-directory")
    a, b = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    for path, document in (("organisations/fem-barri", ORGANISATION), ("projects/fira-maker", PROJECT)):
        assert api(a.base_url, a.token, "PUT", f"/api/{path}", document).status == 201
    assert api(b.base_url, b.token, "POST", "/api/peers", {"url": a.base_url}).status == 202
    project = f"{a.base_url}/projects/fira-maker"
    within(20, lambda: fetch(f"{b.base_url}/network/profile?id={project}").status == 200, "A's project on B")
    ids = [_publish(a, document) for document in (PRINTING, WEB)]
    within(20, lambda: len(_ids(_listed(b))) == 2, "A's calls listed on B")
    yield Calls(a, b, *ids)
    a.stop()
    b.stop()


def test_the_peer_lists_the_calls_with_filters_and_counts(calls: Calls) -> None:
    b = calls.b
    listing = _listed(b, lang="en")
    assert _ids(listing) == {calls.printing, calls.web}
    printing = next(call for call in listing["calls"] if call["id"] == calls.printing)
    assert printing["title"] == "3D printing volunteers" and printing["purpose"] == "request"
    assert printing["district"]["label"] == "Sant Martí" and printing["deadline"].startswith("2099-06-01")
    assert printing["author"]["name"] == "Fira maker" and not printing["local"]
    assert printing["page"].startswith("/network/call?id=")
    assert _ids(_listed(b, skill="3d-printing")) == {calls.printing}
    # a broader skill finds the calls of a narrower one, and its count says so
    assert _ids(_listed(b, skill="skill:software-development")) == {calls.web}
    skills = {value["key"]: value["count"] for value in listing["facets"]["skill"]}
    assert skills["software-development"] == 1 and skills["hardware"] == 1
    assert _ids(_listed(b, district="10")) == {calls.printing}
    assert _ids(_listed(b, deadline_before="2099-06-01")) == {calls.printing}
    assert _ids(_listed(b, deadline_before="2099-05-31")) == set()
    # counts ignore their own filter: choosing requests still counts the offers
    requests = _listed(b, purpose="request")
    assert _ids(requests) == {calls.printing}
    assert dict((value["key"], value["count"]) for value in requests["facets"]["purpose"]) == {"request": 1, "offer": 1}
    assert requests["facets"]["district"] == [{"key": "10", "label": "Sant Martí", "count": 1}]


def test_the_calls_page_and_the_call_pages(calls: Calls) -> None:
    b = calls.b
    page = fetch(f"{b.base_url}/calls?lang=ca&purpose=request").body.decode()
    assert "Voluntàries d&#39;impressió 3D" in page and "Oferim desenvolupament web" not in page
    assert f"De {calls.a.base_url.split('//')[1]}" in page and "Sant Martí" in page and "2099-06-01" in page
    own = fetch(f"{calls.a.base_url}/calls?lang=en&skill=web-development").body.decode()
    assert "Oferim desenvolupament web" in own and "3D printing volunteers" not in own
    received = fetch(f"{b.base_url}/network/call?{urlencode({'id': calls.printing, 'lang': 'en'})}")
    assert received.status == 200 and "3D printing volunteers" in received.body.decode()
    assert "Fira maker" in received.body.decode()
    assert fetch(f"{b.base_url}/network/call?id=https://nowhere.example/calls/x").status == 404
    empty = fetch(f"{b.base_url}/calls?lang=en&skill=legal").body.decode()
    assert "No open call matches these filters." in empty


def test_profile_and_concept_pages_show_the_calls(calls: Calls) -> None:
    a, b = calls.a, calls.b
    project = f"{a.base_url}/projects/fira-maker"
    for page in (
        fetch(f"{b.base_url}/network/profile?{urlencode({'id': project, 'lang': 'en'})}"),
        fetch(f"{project}?lang=en", headers={"Accept": "text/html"}),
    ):
        text = page.body.decode()
        assert page.status == 200 and "Calls for collaboration" in text and "3D printing volunteers" in text
    concept = fetch(f"{b.base_url}/concepts/skill/hardware?lang=en").body.decode()
    assert "Open calls asking for or offering it" in concept and "3D printing volunteers" in concept
    assert "Oferim desenvolupament web" not in concept


def test_bad_filters_are_refused(calls: Calls) -> None:
    b = calls.b
    for query, code in (
        ("purpose=maybe", "calls_unknown_value"),
        ("skill=area:maker", "directory_unknown_concept"),
        ("deadline_before=2099-13-01", "calls_bad_day"),
        ("colour=red", "calls_unknown_parameter"),
        ("page=0", "directory_bad_number"),
    ):
        answer = fetch(f"{b.base_url}/api/network/calls?{query}")
        assert answer.status == 400 and answer.json()["code"] == code, (query, answer.body)
    page = fetch(f"{b.base_url}/calls?purpose=maybe&lang=es")
    assert page.status == 400 and "tiene que ser uno de request, offer" in page.body.decode()
    assert fetch(f"{b.base_url}/calls.atom?state=sometimes").status == 400


def _feed_ids(node: Node) -> list[str]:
    answer = fetch(f"{node.base_url}/calls.atom")
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.body)
    return [entry.findtext(f"{ATOM}id", "") for entry in feed.iter(f"{ATOM}entry")]


def test_a_call_that_ends_leaves_the_open_list_and_the_feed(calls: Calls) -> None:
    # Given a call that ends in a few seconds, listed on B and newest in its feed
    a, b = calls.a, calls.b
    time.sleep(1.1)  # published in a later second than the others: the newest
    ends = datetime.now(UTC) + timedelta(seconds=EXPIRES_IN)
    short = {
        "purpose": "request",
        "nameMap": {"ca": "Traducció urgent"},
        "concepts": ["skill:translation"],
        "validUntil": ends.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    iri = _publish(a, short)
    within(EXPIRES_IN - 2, lambda: iri in _ids(_listed(b)), "the short call on B")
    assert _feed_ids(b) == _ids_in_order(_listed(b)) and _feed_ids(b)[0] == iri
    assert set(_feed_ids(b)) == {calls.printing, calls.web, iri}
    # When it ends, it leaves the open list and the feed, and stays in the list of all
    time.sleep(max(0.0, ends.timestamp() - time.time() + 1))
    assert _ids(_listed(b)) == {calls.printing, calls.web}
    assert iri in _ids(_listed(b, state="all"))
    assert iri not in _feed_ids(b)
    assert _listed(b, skill="translation")["total"] == 0


def _ids_in_order(listing: dict[str, Any]) -> list[str]:
    return [call["id"] for call in listing["calls"]]

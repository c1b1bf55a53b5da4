"""Collaboration matching across two federated nodes: a need on A is met by an offer on B, both nodes suggest
the pair with the reason, and the suggestions follow edits and deletions."""

import sqlite3
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, fetch, put_profile
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
# No periodic resync within a test: what reaches A must come with B's activities (the backfill runs when A peers)
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "300"}
SKILL = "https://w3id.org/dsi4bcn/skill/"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("matching")
    a, b = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    _put(a, "organisations/ateneu", {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]})
    _put(
        a,
        "projects/repair-cafe",
        {
            "organisation": "ateneu",
            "nameMap": {"ca": "Repair Cafè del Clot", "en": "Clot Repair Café"},
            "summaryMap": {"ca": "Reparem aparells electrònics i en fem inventari obert."},
            "areas": ["area:social-solidarity-economy"],
            "needs": ["skill:web-development"],
            "offers": ["skill:workshop-space"],
            "basedIn": "neighbourhood:67",
        },
    )
    _put(b, "organisations/teixit", {"nameMap": {"ca": "Teixit Digital"}, "sectors": ["sector:industry"]})
    _put(
        b,
        "projects/botiga-web",
        {
            "organisation": "teixit",
            "nameMap": {"ca": "Botigues web cooperatives"},
            "areas": ["area:social-solidarity-economy"],
            "offers": ["skill:web-development"],
            "needs": ["skill:storage-space"],
            "basedIn": "neighbourhood:68",
        },
    )
    _put(
        b,
        "projects/sensors",
        {
            "organisation": "teixit",
            "nameMap": {"ca": "Sensors de soroll"},
            "areas": ["area:citizen-science"],
            "offers": ["skill:iot-sensors"],
        },
    )
    for here, there in ((a, b), (b, a)):
        answer = api(here.base_url, here.token, "POST", "/api/peers", {"url": there.base_url})
        assert answer.status == 202, answer.body
    yield a, b
    a.stop()
    b.stop()


def _put(node: Node, path: str, document: dict) -> None:
    put_profile(node.base_url, node.token, path, document)


def _match(node: Node, **query: str) -> tuple[int, dict]:
    answer = fetch(f"{node.base_url}/api/match?{urlencode(query)}", headers={"Accept": "application/json"})
    return answer.status, answer.json()


def _partners(node: Node, iri: str) -> list[str]:
    status, body = _match(node, project=iri)
    return [result["partner"] for result in body["results"]] if status == 200 else []


def test_a_need_on_one_node_meets_an_offer_on_the_other(pair: tuple[Node, Node]) -> None:
    a, b = pair
    repair, shop = f"{a.base_url}/projects/repair-cafe", f"{b.base_url}/projects/botiga-web"
    within(10, lambda: shop in _partners(a, repair), "B's offer reaching A's matching")
    within(10, lambda: repair in _partners(b, shop), "A's need reaching B's matching")

    status, on_a = _match(a, project=repair, lang="en")
    assert status == 200
    assert on_a["asker"]["id"] == repair
    assert [need["label"] for need in on_a["asker"]["needs"]] == ["Web development"]
    best = on_a["results"][0]
    assert best["partner"] == shop and best["kind"] == "project"
    met = best["explanation"]["needsMetByTheirOffers"]
    assert [(m["need"]["id"], m["offer"]["id"], m["relation"]) for m in met] == [
        (SKILL + "web-development", SKILL + "web-development", "same")
    ]
    assert met[0]["need"]["label"] == "Web development"
    assert [area["code"] for area in best["explanation"]["sharedAreas"]] == ["area:social-solidarity-economy"]
    assert best["explanation"]["place"]["same"] == "district"
    # The unrelated project on B ranks below the complementary one
    ranked = [result["partner"] for result in on_a["results"]]
    assert f"{b.base_url}/projects/sensors" not in ranked[:1]

    status, on_b = _match(b, project=shop, lang="ca")
    assert status == 200
    mine = next(result for result in on_b["results"] if result["partner"] == repair)
    served = mine["explanation"]["theirNeedsMetByYourOffers"]
    assert [(m["need"]["id"], m["offer"]["id"]) for m in served] == [
        (SKILL + "web-development", SKILL + "web-development")
    ]
    # B's need for storage is met by A's workshop space only loosely or not at all; the reason says which
    assert served[0]["need"]["label"] == "Desenvolupament web"
    assert abs(sum(mine["explanation"]["shares"].values()) - 1) < 0.01

    # B's page about its shop lists A's project, linked in the visitor's language, with the reason.
    page = fetch(f"{b.base_url}/partners?{urlencode({'project': shop, 'lang': 'en'})}").body.decode()
    assert f'data-partner="{repair}"' in page and f'href="{repair}?lang=en"' in page
    assert "Your offers meet their needs" in page and "Web development" in page


def test_suggestions_follow_edits_and_deletions(pair: tuple[Node, Node]) -> None:
    a, b = pair
    repair, shop = f"{a.base_url}/projects/repair-cafe", f"{b.base_url}/projects/botiga-web"
    within(10, lambda: shop in _partners(a, repair), "B's offer reaching A's matching")

    # When B's project stops offering web development, A's reason for it disappears
    document = api(b.base_url, b.token, "GET", "/api/projects/botiga-web").json()
    document["offers"] = ["skill:graphic-design"]
    _put(b, "projects/botiga-web", document)

    def need_no_longer_met() -> bool:
        status, body = _match(a, project=repair)
        found = [r for r in body.get("results", []) if r["partner"] == shop]
        return status == 200 and (not found or not found[0]["explanation"]["needsMetByTheirOffers"])

    within(10, need_no_longer_met, "the edit reaching A's matching")
    # It came with B's Update activity (a resync would leave no activity id), and nothing was refused
    with sqlite3.connect(f"file:{a.database}?mode=ro", uri=True) as connection:
        [(activity_id,)] = connection.execute("SELECT activity_id FROM remote_profiles WHERE actor = ?", (shop,))
    assert activity_id and activity_id.startswith(f"{shop}/activities/")
    assert "refused" not in a.log()

    # When B deletes the project, A no longer suggests it, and asking for it is a 404
    assert api(b.base_url, b.token, "DELETE", "/api/projects/botiga-web").status == 200
    within(10, lambda: shop not in _partners(a, repair), "the deletion reaching A's matching")
    status, body = _match(a, project=shop)
    assert status == 404 and "error" in body


def test_weights_and_bad_requests(pair: tuple[Node, Node]) -> None:
    a, _ = pair
    repair = f"{a.base_url}/projects/repair-cafe"
    status, body = _match(a, project=repair, weight_needs="1", weight_offers="0", weight_areas="0")
    assert status == 200
    assert body["weights"]["needs"] > body["weights"]["areas"] == 0
    for query, fragment in (
        ({}, "exactly one"),
        ({"project": repair, "organisation": repair}, "exactly one"),
        ({"project": "not an iri"}, "IRI"),
        ({"project": repair, "limit": "0"}, "limit"),
        ({"project": repair, "limit": "ten"}, "limit"),
        ({"project": repair, "weight_needs": "2"}, "weight"),
        ({"project": repair, "weight_needs": "x"}, "weight_needs"),
        ({"project": repair, "weight_colour": "1"}, "weight_colour"),
        ({"project": repair, "include_own": "yes"}, "include_own"),
        ({"organisation": repair}, "organisation"),
    ):
        status, body = _match(a, **query, lang="en")  # the whole message in English, reason and all
        assert status in (400, 404), (query, status, body)
        assert fragment in body["error"], (query, body)


def test_the_command_line_lists_partners_with_their_reasons(pair: tuple[Node, Node]) -> None:
    a, b = pair
    repair = f"{a.base_url}/projects/repair-cafe"
    offer = {  # a partner with a reason to be suggested, whatever the tests before did to B's projects
        "organisation": "teixit",
        "nameMap": {"ca": "Webs per als barris"},
        "areas": ["area:social-solidarity-economy"],
        "offers": ["skill:web-development"],
    }
    _put(b, "projects/webs-per-als-barris", offer)
    within(10, lambda: bool(_partners(a, repair)), "any suggestion")
    done = run_dsi4bcn(["match", repair, "--url", a.base_url, "--lang", "en", "--limit", "3"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("1. ")
    refused = run_dsi4bcn(["match", repair, "--url", a.base_url, "--weight", "colour=1"])
    assert refused.returncode == 1 and "weight_colour" in refused.stderr

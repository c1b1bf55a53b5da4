"""What the surface fuzzer (``test_fuzz_surfaces.py``) found, one focused test each (issue 9).

- ``?page=`` with more than 4,300 digits, or with digits ``str.isdigit`` accepts and ``int`` refuses ("²",
  "١"), made the collection routes raise ``ValueError``: a 500.
- (The admin API's deep JSON and lone surrogates: ``test_admin_api.py``.)
"""

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.support.http import api, database_dump, fetch
from tests.support.nodes import Node, start_node

ORGANISATION = {"nameMap": {"ca": "Clau Oberta"}, "sectors": ["sector:civil-society"]}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("findings") / "node")
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    yield running
    running.stop()


@pytest.mark.parametrize(
    "path", ["/actor/outbox", "/actor/followers", "/organisations/clau-oberta/following", "/actor/profiles"]
)
@pytest.mark.parametrize("page", ["9" * 5000, "²", "١", "0", "-1", "1e3", "10000000", ""])
def test_a_bad_page_number_is_a_400(node: Node, path: str, page: str) -> None:
    node.settle()
    before = database_dump(node.database)
    answer = fetch(
        f"{node.base_url}{path}?page={quote(page)}",
        headers={"Accept": "application/activity+json", "Accept-Language": "es"},
        timeout=5,
    )
    assert answer.status == 400, answer.body[:300]
    assert answer.json()["code"] == "bad_page"
    assert answer.json()["error"].startswith("«page» tiene que ser un número entero de 1 a ")
    assert database_dump(node.database) == before


def test_good_page_numbers_still_work(node: Node) -> None:
    for path in ("/actor/outbox", "/actor/profiles"):
        answer = fetch(f"{node.base_url}{path}?page=1", headers={"Accept": "application/activity+json"})
        assert answer.status == 200 and answer.json()["type"] == "OrderedCollectionPage"

"""A profile received from a peer node has a page on the aggregating node that says where it comes from."""

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
ORGANISATION = {
    "nameMap": {"ca": "Cooperativa <b>Teixit</b>", "en": "Weave <Co-op>"},
    "summaryMap": {"ca": "Teixim <script>alert(1)</script> xarxes & eines"},
    "sectors": ["sector:industry"],
    "areas": ["area:platform-cooperativism"],
    "basedIn": "neighbourhood:71",
    "website": "https://teixit.example/",
}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("received")
    origin, aggregator = start_node(folder / "a", env=ENV), start_node(folder / "c", env=ENV)
    try:
        assert api(origin.base_url, origin.token, "PUT", "/api/organisations/teixit", ORGANISATION).status == 201
        assert api(aggregator.base_url, aggregator.token, "POST", "/api/peers", {"url": origin.base_url}).status == 202
        yield origin, aggregator
    finally:
        origin.stop()
        aggregator.stop()


def profile_page(node: Node, iri: str, language: str = "en") -> Answer:
    return fetch(f"{node.base_url}/network/profile?{urlencode({'id': iri, 'lang': language})}")


def test_a_received_profile_says_which_node_it_comes_from_and_links_to_the_original(pair: tuple[Node, Node]) -> None:
    origin, aggregator = pair
    iri = f"{origin.base_url}/organisations/teixit"
    within(10, lambda: profile_page(aggregator, iri).status == 200, "the profile received")
    answer = profile_page(aggregator, iri)
    assert answer.content_type.startswith("text/html")
    text = answer.body.decode()
    host = origin.base_url.removeprefix("http://")
    assert f"Profile received from the node <strong>{host}</strong>" in text
    assert f'<a href="{origin.base_url}/@teixit" rel="nofollow noopener">see the original</a>' in text
    assert "<h1>Weave &lt;Co-op&gt;</h1>" in text
    # The stranger's summary is shown as text: its markup is gone, its words stay.
    assert "<script>" not in text and "Teixim" in text and "xarxes &amp; eines" in text
    assert 'href="/concepts/area/platform-cooperativism?lang=en"' in text
    assert 'href="/concepts/neighbourhood/71?lang=en"' in text
    assert 'href="/concepts/district/10?lang=en"' in text
    assert f"/partners?profile={iri.replace(':', '%3A')}" in text
    catalan = profile_page(aggregator, iri, "ca").body.decode()
    assert "Perfil rebut del node" in catalan and "Cooperativa &lt;b&gt;Teixit&lt;/b&gt;" in catalan


def test_an_unknown_profile_is_a_404_page_and_a_local_one_is_sent_to_its_own_page(pair: tuple[Node, Node]) -> None:
    origin, aggregator = pair
    for iri in ("", "not an iri", f"{origin.base_url}/organisations/nobody"):
        answer = profile_page(aggregator, iri, "es")
        assert answer.status == 404 and "Este nodo no tiene ningún perfil recibido" in answer.body.decode()
    asked = urlencode({"id": f"{origin.base_url}/organisations/teixit", "lang": "ca"})
    local = fetch(f"{origin.base_url}/network/profile?{asked}", headers={"Accept": "text/html"})
    assert local.status == 200 and "<h1>Cooperativa &lt;b&gt;Teixit&lt;/b&gt;</h1>" in local.body.decode()

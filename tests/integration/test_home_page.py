"""The home page as a visitor first sees it: the network in numbers (the directory's own counts), a search
box that leads to the directory, the map of neighbourhoods, the latest posts and the ways in."""

import json
import re
import time

from tests.support.http import api, fetch
from tests.support.nodes import Node


def _home(node: Node, language: str) -> str:
    # The directory index loads in the background after start: the page says so until it is ready.
    deadline = time.monotonic() + 30
    while True:
        text = fetch(f"{node.base_url}/?lang={language}", headers={"Accept": "text/html"}).body.decode()
        if 'class="numbers"' in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def test_the_home_page_shows_the_network_in_numbers_its_map_and_its_latest_post(demo_node: Node) -> None:
    # Given a post by one of the demo projects
    content = "<p>Taller obert dissabte: <b>impressió 3D</b> per a tothom.</p>"
    posted = api(
        demo_node.base_url, demo_node.token, "POST", "/api/projects/aire-net-a-escola/notes", {"content": content}
    )
    assert posted.status == 201
    # When a visitor opens the home page
    page = _home(demo_node, "en")
    # Then the numbers are the directory's
    directory = json.loads(fetch(f"{demo_node.base_url}/api/directory?per_page=1").body)
    kinds = {item["key"]: item["count"] for item in directory["facets"]["kind"]}
    numbers = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", page)[:4]]
    nodes = sum(1 for item in directory["facets"]["source"] if item["count"])
    places = sum(1 for item in directory["facets"]["neighbourhood"] if item["count"])
    assert numbers == [kinds["organisation"], kinds["project"], nodes, places]
    assert kinds["project"] > 0 and places > 0
    # And the search box asks the directory, the map links to it by neighbourhood, and the post is there
    assert '<form class="home-search" method="get" action="/directory"' in page
    assert re.search(r'<a class="dm-area" href="/directory\?neighbourhood=\d+&amp;lang=en"', page)
    posts = page[page.index("home-posts") :]
    assert "<b>impressió 3D</b>" in posts and "/@aire-net-a-escola?lang=en" in posts
    for way in ('href="/directory?lang=en"', 'href="/sparql?lang=en"', 'href="/graph"', 'href="/ns?lang=en"'):
        assert way in page

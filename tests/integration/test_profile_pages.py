"""Profile pages on a real node: projects and organisation linked both ways, latest posts, concept links,
OpenGraph and schema.org JSON-LD that a profile cannot break out of, Atom feeds, and remote follow through
a real WebFinger server on 127.0.0.1."""

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest

from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node
from tests.support.webfinger_server import WebFingerServer, webfinger_server

HOSTILE = "Clau </script><script>alert(1)</script> & <b>Co</b>"
ORGANISATION = {
    "nameMap": {"ca": HOSTILE},
    "summaryMap": {"ca": "Drets digitals </script> al barri", "en": "Digital rights </script> nearby"},
    "sectors": ["sector:civil-society"],
    "areas": ["area:privacy"],
    "website": "https://clau.example/",
    "icon": "https://clau.example/logo.png",
    "basedIn": "neighbourhood:71",
}
PROJECT = {
    "organisation": "clau-oberta",
    "nameMap": {"ca": "Guia de drets", "en": "Rights guide"},
    "areas": ["area:open-data"],
    "needs": ["skill:translation"],
    "offers": ["skill:legal-advice"],
    "basedIn": "district:1",
}
HTML = {"Accept": "text/html"}
A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("pages") / "node")
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/guia-drets", PROJECT).status == 201
    for number in range(6):
        content = f"<p>Post {number}: drets &amp; deures <script>alert({number})</script></p>"
        answer = api(running.base_url, running.token, "POST", "/api/projects/guia-drets/notes", {"content": content})
        assert answer.status == 201, answer.body
    yield running
    running.stop()


def page(node: Node, path: str, language: str = "ca") -> str:
    answer = fetch(f"{node.base_url}{path}?lang={language}", headers=HTML)
    assert answer.status == 200 and answer.content_type.startswith("text/html"), answer.body[:300]
    return answer.body.decode()


class _Head(HTMLParser):
    """The script elements, meta tags and links of a page, as a browser's parser splits them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str | None]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._script = found
            self.scripts.append((found, ""))
        elif tag == "meta" and found.get("property"):
            self.meta[str(found["property"])] = str(found.get("content"))
        elif tag in ("link", "a"):
            self.links.append({"tag": tag, **found})

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)


def parsed(html: str) -> _Head:
    parser = _Head()
    parser.feed(html)
    return parser


def test_the_organisation_lists_its_projects_and_the_project_names_its_organisation(node: Node) -> None:
    organisation = page(node, "/organisations/clau-oberta")
    assert f'<a href="{node.base_url}/@guia-drets?lang=ca">Guia de drets</a>' in organisation
    project = page(node, "/projects/guia-drets", "en")
    assert f'<a href="{node.base_url}/@clau-oberta?lang=en">' in project
    assert "Clau &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;</a>" in project
    partners = f'href="/partners?project={quote(node.base_url + "/projects/guia-drets", safe="/")}&amp;lang=en"'
    assert partners in project


def test_concepts_link_to_their_pages(node: Node) -> None:
    links = {str(link.get("href")) for link in parsed(page(node, "/projects/guia-drets", "es")).links}
    for href in (
        "/concepts/area/open-data?lang=es",
        "/concepts/skill/translation?lang=es",
        "/concepts/skill/legal-advice?lang=es",
        "/concepts/district/1?lang=es",
    ):
        assert href in links, (href, sorted(links))
    organisation = {str(link.get("href")) for link in parsed(page(node, "/organisations/clau-oberta")).links}
    assert {"/concepts/sector/civil-society?lang=ca", "/concepts/neighbourhood/71?lang=ca"} <= organisation


def test_the_project_shows_its_five_latest_posts_sanitised_and_linked(node: Node) -> None:
    html = page(node, "/projects/guia-drets")
    posts = re.findall(r'<li class="post">.*?</li>', html, re.S)
    assert len(posts) == 5
    numbers = [int(re.search(r"Post (\d)", post).group(1)) for post in posts]  # type: ignore[union-attr]
    assert numbers == [5, 4, 3, 2, 1]  # newest first; the oldest of six is left out
    assert "<script>alert" not in html and "drets &amp; deures" in html
    note_links = [link["href"] for link in parsed(html).links if "/notes/" in str(link.get("href"))]
    assert len(note_links) == 5 and all(
        str(h).startswith(f"{node.base_url}/projects/guia-drets/notes/") for h in note_links
    )
    assert "<time datetime=" in posts[0]
    # An organisation without posts says so.
    assert "Encara no hi ha cap publicació." in page(node, "/organisations/clau-oberta")


def test_a_new_post_shows_at_once_on_a_page_already_rendered(node: Node) -> None:
    before = page(node, "/organisations/clau-oberta", "en")
    assert "No posts yet." in before
    answer = api(node.base_url, node.token, "POST", "/api/organisations/clau-oberta/notes", {"content": "Obrim!"})
    assert answer.status == 201
    after = page(node, "/organisations/clau-oberta", "en")
    assert "Obrim!" in after and "No posts yet." not in after


def test_opengraph_and_schema_org_describe_the_profile_and_cannot_be_escaped(node: Node) -> None:
    html = page(node, "/organisations/clau-oberta", "en")
    head = parsed(html)
    # One script element only: the hostile name did not close it and open another.
    assert [attributes.get("type") for attributes, _ in head.scripts] == ["application/ld+json"]
    raw = head.scripts[0][1]
    assert "<" not in raw and "\\u003c/script\\u003e" in raw
    document = json.loads(raw)
    assert document["@context"] == "https://schema.org" and document["@type"] == "Organization"
    assert document["name"] == HOSTILE
    assert document["url"] == f"{node.base_url}/@clau-oberta"
    assert document["sameAs"] == "https://clau.example/" and document["logo"] == "https://clau.example/logo.png"
    assert document["description"] == "Digital rights </script> nearby"
    assert {place["name"] for place in document["areaServed"]} == {"Provençals del Poblenou", "Sant Martí"}
    assert head.meta["og:title"] == HOSTILE and head.meta["og:type"] == "website"
    assert head.meta["og:url"] == f"{node.base_url}/@clau-oberta"
    assert head.meta["og:image"] == "https://clau.example/logo.png"
    assert head.meta["og:description"] == "Digital rights </script> nearby"
    project = parsed(page(node, "/projects/guia-drets"))
    assert "og:image" not in project.meta  # no logo, no image
    assert json.loads(project.scripts[0][1])["@type"] == "Project"


def atom(answer: Answer) -> ET.Element:
    assert answer.status == 200, answer.body[:300]
    assert answer.content_type == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(answer.body)
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated", f"author/{A}name"):
        assert feed.findtext(f"{A}{name}"), name
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "content"):
            assert entry.findtext(f"{A}{name}"), name
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        assert entry.find(f"{A}content").get("type") == "html"  # type: ignore[union-attr]
    return feed


def test_each_profile_and_the_node_have_an_atom_feed_linked_from_their_pages(node: Node) -> None:
    project = atom(fetch(f"{node.base_url}/projects/guia-drets/feed.atom"))
    entries = project.findall(f"{A}entry")
    assert len(entries) == 6 and entries[0].findtext(f"{A}title", "").startswith("Post 5: drets & deures")
    content = entries[0].findtext(f"{A}content", "")
    assert content.startswith("<p>Post 5: drets &amp; deures") and "<script" not in content
    organisation = atom(fetch(f"{node.base_url}/organisations/clau-oberta/feed.atom"))
    assert organisation.findtext(f"{A}title") == HOSTILE  # escaped in the XML, read back whole
    everything = atom(fetch(f"{node.base_url}/feed.atom"))
    authors = {entry.findtext(f"{A}author/{A}name") for entry in everything.findall(f"{A}entry")}
    assert authors >= {"Guia de drets", HOSTILE}
    alternates = [
        link for link in parsed(page(node, "/projects/guia-drets")).links if link.get("type") == "application/atom+xml"
    ]
    assert {str(link["href"]) for link in alternates} == {f"{node.base_url}/projects/guia-drets/feed.atom"}
    assert any(link["tag"] == "link" and link.get("rel") == "alternate" for link in alternates)
    home = parsed(page(node, "/"))
    assert any(link.get("href") == "/feed.atom" and link.get("rel") == "alternate" for link in home.links)
    assert fetch(f"{node.base_url}/projects/nobody/feed.atom").status == 404
    assert fetch(f"{node.base_url}/organisations/guia-drets/feed.atom").status == 404


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def follow(node: Node, actor: str, handle: str, language: str = "en") -> Answer:
    """``GET /follow`` without following the redirect."""
    url = f"{node.base_url}/follow?{urlencode({'actor': actor, 'handle': handle, 'lang': language})}"
    try:
        with urllib.request.build_opener(_NoRedirects).open(url, timeout=30) as answer:
            return Answer(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@pytest.fixture(scope="module")
def server() -> Iterator[WebFingerServer]:
    with webfinger_server() as running:
        yield running


def test_the_follow_button_leads_to_the_subscribe_page_of_the_visitors_server(
    node: Node, server: WebFingerServer
) -> None:
    actor = f"{node.base_url}/projects/guia-drets"
    answer = follow(node, actor, f"@alice@{server.host}")
    assert answer.status == 303
    assert answer.headers["location"] == f"{server.subscribe_page}?uri={quote(actor, safe='')}"
    assert f"acct:alice@{server.host}" in server.lookups
    with urllib.request.urlopen(answer.headers["location"], timeout=10) as subscribe:
        assert b"Confirm the follow" in subscribe.read()
    assert server.subscribed[-1] == actor


@pytest.mark.parametrize(
    ("handle", "status", "words"),
    [
        ("not a handle", 400, "That does not look like a fediverse handle"),
        ("", 400, "That does not look like a fediverse handle"),
        ("bob@{host}", 502, "Your server does not know that account"),
        ("nosub@{host}", 502, "Your server does not offer following from another site"),
        ("garbage@{host}", 502, "Your server does not offer following from another site"),
        ("alice@127.0.0.1:1", 502, "Your server could not be reached"),
    ],
)
def test_a_follow_that_cannot_go_on_says_why_in_a_page(
    node: Node, server: WebFingerServer, handle: str, status: int, words: str
) -> None:
    answer = follow(node, f"{node.base_url}/projects/guia-drets", handle.format(host=server.host))
    assert answer.status == status and answer.content_type.startswith("text/html")
    text = answer.body.decode()
    assert words in text and '<html lang="en">' in text
    assert "@guia-drets@127.0.0.1:" in text  # what to search for from their own account instead
    # The form again, with what was typed, to correct it.
    assert f'name="actor" value="{node.base_url}/projects/guia-drets"' in text
    assert f'value="{handle.format(host=server.host)}"' in text


def test_a_follow_of_what_this_node_does_not_hold_is_a_404_page_in_the_visitors_language(
    node: Node, server: WebFingerServer
) -> None:
    for actor in (f"{node.base_url}/projects/nobody", "https://elsewhere.example/projects/x", ""):
        answer = follow(node, actor, f"alice@{server.host}", language="es")
        assert answer.status == 404 and "Este nodo no tiene ningún perfil" in answer.body.decode()


def test_without_private_network_the_lookup_is_refused_and_lookups_are_rate_limited(
    tmp_path_factory: pytest.TempPathFactory, server: WebFingerServer
) -> None:
    strict = start_node(tmp_path_factory.mktemp("strict") / "node", allow_private_network=False)
    try:
        assert api(strict.base_url, strict.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
        actor = f"{strict.base_url}/organisations/clau-oberta"
        seen = len(server.lookups)
        statuses = [follow(strict, actor, f"alice@{server.host}").status for _ in range(12)]
        assert statuses[:10] == [502] * 10  # 127.0.0.1 is refused by the safe client
        assert statuses[10:] == [429, 429]
        assert len(server.lookups) == seen  # nothing reached the server
        limited = follow(strict, actor, f"alice@{server.host}", language="ca")
        assert limited.status == 429 and int(limited.headers["retry-after"]) >= 1
        assert "Massa intents seguits" in limited.body.decode()
    finally:
        strict.stop()

"""The view of a received profile: its words as plain text, its concepts as directory links, its origin."""

from dsi4bcn.matching.model import Profile
from dsi4bcn.web.receivedview import received_view

BASE = "https://w3id.org/dsi4bcn/"
PROFILE = Profile(
    id="https://peer.example/projects/x",
    kind="project",
    areas=frozenset({BASE + "area/open-data"}),
    needs=frozenset({BASE + "skill/translation"}),
    sdgs=frozenset({BASE + "sdg/11", BASE + "sdg/3"}),
    neighbourhood=BASE + "neighbourhood/71",
    district=BASE + "district/10",
    names={"ca": "Dades <obertes>", "en": "Open <data>"},
)


def test_a_received_profile_reads_as_text_with_links_and_its_origin() -> None:
    document = {
        "summaryMap": {"ca": "<p>Hola <script>x</script>món &amp; barri</p>"},
        "url": "https://peer.example/@x",
        "website": "javascript:alert(1)",
    }
    view = received_view(
        document, PROFILE, peer="https://peer.example/actor", updated="2026-01-02T00:00:00Z", language="ca"
    )
    assert view.name == "Dades <obertes>" and view.node == "peer.example"
    assert view.summary == "Hola xmón & barri"  # text only (as a browser joins it); the template escapes it
    assert view.original == "https://peer.example/@x" and view.website is None
    hrefs = [link.href for _, links in view.rows for link in links]
    assert hrefs == [
        "/concepts/area/open-data",
        "/concepts/skill/translation",
        "/concepts/neighbourhood/71",
        "/concepts/district/10",
        "/concepts/sdg/3",
        "/concepts/sdg/11",
    ]


def test_without_a_page_address_the_original_is_the_actor() -> None:
    view = received_view({"url": "ftp://x"}, PROFILE, peer="https://peer.example/actor", updated="", language="es")
    assert view.original == PROFILE.id and view.name == "Dades <obertes>" and view.summary == ""

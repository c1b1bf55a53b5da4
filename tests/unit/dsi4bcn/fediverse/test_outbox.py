"""What a post keeps of its HTML, and the hashtags of a profile's areas (``fediverse.outbox``)."""

from dsi4bcn.fediverse.outbox import area_hashtags, sanitise_html
from dsi4bcn.profiles.actorrecords import ActorRecord


def test_posts_keep_only_what_mastodon_keeps() -> None:
    dirty = (
        '<p onclick="x()">Hola <script>alert(1)</script><b>món</b> <img src=x>'
        '<a href="javascript:alert(1)">mal</a> <a href="https://ok.example/">bé</a></p>'
    )
    clean = sanitise_html(dirty)
    assert "<script>" not in clean and "onclick" not in clean and "<img" not in clean
    assert "javascript:" not in clean
    assert '<a href="https://ok.example/" rel="nofollow noopener noreferrer">bé</a>' in clean
    assert "<b>món</b>" in clean


def test_area_hashtags_are_camel_case_english_labels() -> None:
    record = ActorRecord(
        "project", "p", "o", {"areas": ["area:open-data", "area:social-solidarity-economy"]}, "PEM", "t", "t"
    )
    tags = area_hashtags(record, "https://n.example")
    assert [t["name"] for t in tags] == ["#OpenData", "#SocialAndSolidarityEconomy"]
    assert tags[0]["href"] == "https://n.example/tags/open-data"


def test_area_hashtags_in_another_language_keep_its_accents() -> None:
    record = ActorRecord("project", "p", "o", {"areas": ["area:open-data", "area:maker"]}, "PEM", "t", "t")
    assert [t["name"] for t in area_hashtags(record, "https://n.example", "es")] == [
        "#DatosAbiertos",
        "#CulturaMaker",
    ]
    assert [t["name"] for t in area_hashtags(record, "https://n.example", "ca")] == ["#DadesObertes", "#CulturaMaker"]

"""What a person writes into a post, made into what is sent (``fediverse.postcompose``): Markdown without
raw HTML, plain text as text, suggested and free hashtags, and each refusal."""

import pytest

from dsi4bcn.fediverse.outbox import MAX_POST_LENGTH
from dsi4bcn.fediverse.postcompose import (
    ComposeRefused,
    body_html,
    chosen_hashtags,
    free_hashtags,
    suggested_hashtags,
)
from dsi4bcn.profiles.actorrecords import ActorRecord

BASE = "https://n.example"
RECORD = ActorRecord("project", "p", "o", {"areas": ["area:open-data", "area:nowhere", "area:maker"]}, "PEM", "t", "t")


def test_markdown_is_rendered_without_raw_html_and_then_sanitised() -> None:
    html = body_html(
        "# Títol\n\n**fort** <script>x()</script> [a](javascript:alert(1)) [b](https://b.example)", "markdown"
    )
    assert "<h1>Títol</h1>" in html and "<strong>fort</strong>" in html
    assert "&lt;script&gt;" in html and "<script" not in html and 'href="javascript' not in html
    assert '<a href="https://b.example" rel="nofollow noopener noreferrer">b</a>' in html


def test_markdown_images_are_not_embedded() -> None:
    assert "<img" not in body_html("![foto](https://x.example/a.png)", "markdown")


def test_plain_text_is_text_in_paragraphs() -> None:
    assert body_html("**a** <b>b</b>\nc\n\nd", "text") == "<p>**a** &lt;b&gt;b&lt;/b&gt;<br>c</p><p>d</p>"


@pytest.mark.parametrize(("text", "code"), [("", "post_text_required"), (" \n ", "post_text_required")])
def test_an_empty_post_is_refused(text: str, code: str) -> None:
    with pytest.raises(ComposeRefused) as refused:
        body_html(text, "markdown")
    assert refused.value.code == code


def test_a_post_over_the_limit_is_refused() -> None:
    body_html("x" * MAX_POST_LENGTH, "text")
    with pytest.raises(ComposeRefused) as refused:
        body_html("x" * (MAX_POST_LENGTH + 1), "text")
    assert refused.value.code == "post_text_too_long" and refused.value.params == {"limit": MAX_POST_LENGTH}


def test_suggestions_are_the_known_areas_in_the_post_s_language() -> None:
    tags = suggested_hashtags(RECORD, BASE, "ca")
    assert [(t.code, t.name) for t in tags] == [("area:open-data", "#DadesObertes"), ("area:maker", "#CulturaMaker")]
    assert tags[0].href == f"{BASE}/tags/open-data"


def test_free_hashtags_are_split_trimmed_and_kept_once() -> None:
    assert free_hashtags(" #FestaMajor, sants;#Sants  Barça_2 ") == ["FestaMajor", "sants", "Barça_2"]
    assert free_hashtags("") == []


@pytest.mark.parametrize("text", ["no-val", "#123", "a#b", "x" * 61, "<b>"])
def test_a_word_that_is_no_hashtag_is_refused(text: str) -> None:
    with pytest.raises(ComposeRefused) as refused:
        free_hashtags(text)
    assert refused.value.code == "hashtag_invalid"


def test_more_than_ten_hashtags_are_refused() -> None:
    assert len(free_hashtags(" ".join(f"t{n}" for n in range(10)))) == 10
    with pytest.raises(ComposeRefused) as refused:
        free_hashtags(" ".join(f"t{n}" for n in range(11)))
    assert refused.value.code == "too_many_hashtags"


def test_chosen_hashtags_take_ticked_suggestions_then_free_ones_without_repeats() -> None:
    suggested = suggested_hashtags(RECORD, BASE, "en")
    tags = chosen_hashtags(suggested, ["area:maker", "area:not-suggested"], ["opendata", "Sants"], BASE)
    assert tags == [
        {"type": "Hashtag", "name": "#MakerCulture", "href": f"{BASE}/tags/maker"},
        {"type": "Hashtag", "name": "#opendata", "href": f"{BASE}/directory?q=opendata"},
        {"type": "Hashtag", "name": "#Sants", "href": f"{BASE}/directory?q=Sants"},
    ]
    assert [t["name"] for t in chosen_hashtags(suggested, ["area:maker"], ["makerculture"], BASE)] == ["#MakerCulture"]

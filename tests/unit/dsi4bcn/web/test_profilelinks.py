"""Concept-page and directory links of concepts, schema.org documents, OpenGraph tags and safe script JSON."""

import json
from html.parser import HTMLParser

import pytest

from dsi4bcn.web.profilelinks import (
    FILTER_PARAMETERS,
    concept_key,
    directory_filter_link,
    directory_link,
    opengraph_tags,
    schema_org_document,
    script_json,
)


def test_a_concept_links_to_its_page() -> None:
    assert concept_key("area:open-data") == "open-data"
    assert concept_key("sdg:11") == "11"
    assert directory_link("area", "area:open-data") == "/concepts/area/open-data"
    assert directory_link("needs", "skill:data-visualisation") == "/concepts/skill/data-visualisation"
    assert directory_link("offers", "data-visualisation") == "/concepts/skill/data-visualisation"
    assert directory_link("neighbourhood", "neighbourhood:71") == "/concepts/neighbourhood/71"
    assert directory_link("sdg", "sdg:11") == "/concepts/sdg/11"
    # Every field's parameter is one the directory reads.
    assert set(FILTER_PARAMETERS.values()) == {"area", "needs", "offers", "sector", "sdg", "status"}


def test_the_directory_filtered_by_a_concept_stays_available() -> None:
    assert directory_filter_link("area", "area:open-data") == "/directory?area=open-data"
    assert directory_filter_link("needs", "skill:data-visualisation") == "/directory?needs=data-visualisation"
    assert directory_filter_link("district", "district:10") == "/directory?district=10"


def test_an_odd_key_is_encoded_and_an_unknown_filter_refused() -> None:
    assert directory_link("area", "area:a&b=c/d") == "/concepts/area/a%26b%3Dc%2Fd"
    assert directory_filter_link("area", "area:a&b=c") == "/directory?area=a%26b%3Dc"
    with pytest.raises(ValueError, match="colour"):
        directory_link("colour", "area:open-data")
    with pytest.raises(ValueError, match="colour"):
        directory_filter_link("colour", "area:open-data")


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.scripts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.inside = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.scripts[-1] += data


def test_json_in_a_script_element_cannot_close_it() -> None:
    hostile = "</script><script>alert(1)</script><!-- & \u2028 >"
    text = str(script_json({"name": hostile}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert "\\u003c/script\\u003e" in text
    page = f'<script type="application/ld+json">{text}</script><p>after</p>'
    parser = _Scripts()
    parser.feed(page)
    assert parser.tags == ["script", "p"]  # one script element, then the paragraph: nothing broke out
    assert json.loads(parser.scripts[0]) == {"name": hostile}  # and the JSON reads back the same


def test_the_same_document_without_escaping_would_break_out() -> None:
    # The check above can fail: plain json.dumps lets the profile close the element.
    page = f'<script type="application/ld+json">{json.dumps({"name": "</script><p>x"})}</script>'
    parser = _Scripts()
    parser.feed(page)
    assert parser.tags.count("p") == 1


def test_a_schema_org_project_names_its_place_website_and_organisation() -> None:
    document = schema_org_document(
        kind="project",
        name="Aire Net",
        description="Sensors",
        url="https://n.example/@aire",
        website="https://aire.example/",
        places=["Sant Martí"],
        parent=("Taller", "https://n.example/@taller"),
    )
    assert document["@type"] == "Project" and document["sameAs"] == "https://aire.example/"
    assert document["areaServed"] == [{"@type": "Place", "name": "Sant Martí"}]
    assert document["parentOrganization"]["url"] == "https://n.example/@taller"
    organisation = schema_org_document(kind="organisation", name="T", description="", url="https://n.example/@t")
    assert organisation["@type"] == "Organization"
    assert not {"description", "sameAs", "logo", "areaServed"} & organisation.keys()


def test_opengraph_tags_have_an_image_only_with_a_logo_and_a_short_description() -> None:
    tags = dict(opengraph_tags(title="T", description="x" * 500, url="https://n.example/@t", image=None, site_name="n"))
    assert tags["og:type"] == "website" and tags["og:url"] == "https://n.example/@t"
    assert "og:image" not in tags and len(tags["og:description"]) == 300
    with_logo = dict(
        opengraph_tags(title="T", description="d", url="u", image="https://n.example/l.png", site_name="n")
    )
    assert with_logo["og:image"] == "https://n.example/l.png" and with_logo["og:description"] == "d"

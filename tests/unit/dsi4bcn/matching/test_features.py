"""A profile's matching features from its RDF triples, and tags stripped from its text (``matching.features``)."""

import itertools
import re

import pytest

from dsi4bcn.matching.features import profile_from_triples, strip_tags


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Fem <b>coses</b></p>", " Fem  coses  "),
        ("a < b > c", "a   c"),
        ("1 <> 2", "1 <> 2"),  # "<>" is no tag
        ("<><b>x", "<> x"),
        ("<a<b>x", " x"),  # a tag runs to the first ">"
        ("x < y", "x < y"),
        ("<" * 5000, "<" * 5000),  # no ">": nothing to strip (a regex retried from every "<")
    ],
)
def test_tags_are_replaced_by_spaces(html: str, text: str) -> None:
    assert strip_tags(html) == text


def test_tag_stripping_gives_what_the_regex_gave() -> None:
    # The scan replaced re.sub(r"<[^>]+>", " ", text): the same result on every string of up to 7 of these.
    reference = re.compile(r"<[^>]+>")
    for length in range(8):
        for characters in itertools.product("<>a ", repeat=length):
            text = "".join(characters)
            assert strip_tags(text) == reference.sub(" ", text), text


def test_a_received_summary_is_matched_as_text_without_its_markup() -> None:
    actor = "https://peer.example/projects/p"
    triples = [
        (
            ("iri", actor),
            ("iri", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ("iri", "https://w3id.org/dsi4bcn/ns#Project"),
        ),
        (
            ("iri", actor),
            ("iri", "https://www.w3.org/ns/activitystreams#summary"),
            ("literal", "<p>Reparem <b>bicicletes</b></p>" + "<" * 10_000, "", ""),
        ),
    ]
    profile = profile_from_triples(actor, triples)
    assert profile is not None
    assert profile.text.split()[:2] == ["Reparem", "bicicletes"]

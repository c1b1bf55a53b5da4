"""Content negotiation as ActivityPub servers need it."""

import pytest

from federation.conneg import media_type, negotiate, parse_accept
from federation.errors import NegotiationError

OFFERS = [
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    "text/html",
    "text/turtle",
    "application/json",
]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/activity+json", OFFERS[0]),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', OFFERS[1]),
        ("application/ld+json", OFFERS[1]),
        # Mastodon's Accept when it fetches an actor.
        (
            'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
            OFFERS[0],
        ),
        ("text/turtle", OFFERS[3]),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", OFFERS[2]),
        ("*/*", OFFERS[0]),
        (None, OFFERS[0]),
        ("", OFFERS[0]),
        ("text/*", OFFERS[2]),
        ("text/turtle;q=0.5, text/html;q=0.4", OFFERS[3]),
        ("application/json", OFFERS[4]),
        ("TEXT/TURTLE", OFFERS[3]),
    ],
)
def test_negotiate_picks_the_preferred_offer(accept: str | None, expected: str) -> None:
    assert negotiate(accept, OFFERS) == expected


@pytest.mark.parametrize(
    "accept",
    [
        "image/png",
        "application/xml",
        'application/ld+json; profile="https://example.org/other"',
        "text/turtle;q=0",
        "application/n-triples",
    ],
)
def test_negotiate_refuses_what_it_cannot_serve(accept: str) -> None:
    assert negotiate(accept, OFFERS) is None


def test_a_profile_list_may_name_several_profiles() -> None:
    accept = 'application/ld+json; profile="https://example.org/x https://www.w3.org/ns/activitystreams"'
    assert negotiate(accept, OFFERS) == OFFERS[1]


def test_quoted_commas_do_not_split_ranges() -> None:
    ranges = parse_accept('application/ld+json; profile="a,b", text/html;q=0.2')
    assert [(r.type, r.subtype, r.param("profile")) for r in ranges] == [
        ("application", "ld+json", "a,b"),
        ("text", "html", None),
    ]
    assert ranges[1].quality == 0.2


def test_malformed_ranges_raise_with_a_reason() -> None:
    with pytest.raises(NegotiationError, match="malformed"):
        parse_accept("nonsense")
    with pytest.raises(NegotiationError, match="quality"):
        parse_accept("text/html;q=high")


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/activity+json", "application/activity+json"),
        ('Application/LD+JSON; profile="https://www.w3.org/ns/activitystreams"', "application/ld+json"),
        ("  application/json ;charset=utf-8", "application/json"),
        ('application/json; x="' + '"' * 8000, "application/json"),  # parameters are not read at all
        (None, ""),
        ("", ""),
        ("json", ""),
        ("application/", ""),
        ("/json", ""),
        ("application/json/x", ""),
        ("application/json (comment)", ""),
        ("application/json" + "(" * 4000, ""),
        ("applicatión/json", ""),
    ],
)
def test_the_media_type_of_a_content_type(content_type: str | None, expected: str) -> None:
    assert media_type(content_type) == expected

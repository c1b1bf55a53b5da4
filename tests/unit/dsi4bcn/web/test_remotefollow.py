"""Remote follow's pure parts: reading a visitor's handle and the subscribe template of a WebFinger answer."""

import pytest

from dsi4bcn.web.remotefollow import SUBSCRIBE_REL, RemoteFollowError, parse_handle, subscribe_url

ACTOR = "https://n.example/projects/aire-net"


@pytest.mark.parametrize("text", ["alice@social.example", "@alice@social.example", "acct:Alice@Social.Example"])
def test_a_handle_in_any_usual_form(text: str) -> None:
    acct = parse_handle(text)
    assert (acct.user, acct.host) == ("alice", "social.example")


def test_a_handle_may_name_a_port() -> None:
    assert parse_handle("bob@127.0.0.1:8080").host == "127.0.0.1:8080"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "alice",
        "alice@",
        "@social.example",
        "a b@social.example",
        "alice@social.example/path",
        "alice@localhost",
        "alice@social.example?x=1",
        "alice@-bad.example",
        "alice@bad-.example",
        "alice@social..example",
        "alice@social.example:80a",
        "alice@social.example:123456",
        "alice@soc_ial.example",
        "al/ice@social.example",
        "x" * 400 + "@social.example",
    ],
)
def test_what_is_not_a_handle_is_refused_with_400(text: str) -> None:
    with pytest.raises(RemoteFollowError) as caught:
        parse_handle(text)
    assert (caught.value.code, caught.value.status) == ("follow_bad_handle", 400)


def test_the_subscribe_template_gets_the_encoded_actor() -> None:
    jrd = {
        "subject": "acct:alice@social.example",
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": "https://social.example/users/alice"},
            {"rel": SUBSCRIBE_REL, "template": "https://social.example/authorize_interaction?uri={uri}"},
        ],
    }
    assert subscribe_url(jrd, ACTOR) == (
        "https://social.example/authorize_interaction?uri=https%3A%2F%2Fn.example%2Fprojects%2Faire-net"
    )


@pytest.mark.parametrize(
    "jrd",
    [
        {},
        [],
        {"links": "no"},
        {"links": [{"rel": "self", "href": "https://social.example/users/alice"}]},
        {"links": [{"rel": SUBSCRIBE_REL}]},
        {"links": [{"rel": SUBSCRIBE_REL, "template": "https://social.example/no-placeholder"}]},
        {"links": [{"rel": SUBSCRIBE_REL, "template": "javascript:alert('{uri}')"}]},
        {"links": [{"rel": SUBSCRIBE_REL, "template": "https://social.example/x?uri={uri}\r\nSet-Cookie: a=b"}]},
    ],
)
def test_no_usable_template_is_a_502(jrd: object) -> None:
    with pytest.raises(RemoteFollowError) as caught:
        subscribe_url(jrd, ACTOR)
    assert (caught.value.code, caught.value.status) == ("follow_no_subscribe", 502)

"""WebFinger parsing and documents, and host-meta."""

import xml.etree.ElementTree as ET

import pytest

from federation.errors import WebFingerError
from federation.types import Acct
from federation.webfinger import (
    PROFILE_PAGE_REL,
    acct_query_url,
    filter_rels,
    host_meta_json,
    host_meta_xrd,
    jrd,
    parse_acct,
    parse_resource,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acct:fablab-poblenou@node.example", Acct("fablab-poblenou", "node.example")),
        ("@FabLab@Node.Example", Acct("fablab", "node.example")),
        ("acct:p@127.0.0.1:8443", Acct("p", "127.0.0.1:8443")),
        ("acct:p%40x@node.example", Acct("p@x", "node.example")),
    ],
)
def test_parse_acct(text: str, expected: Acct) -> None:
    if "%40" in text:
        with pytest.raises(WebFingerError):
            parse_acct(text)
    else:
        assert parse_acct(text) == expected


@pytest.mark.parametrize(
    "resource",
    [
        None,
        "",
        "acct:nobody",
        "acct:@host",
        "mailto:x@y",
        "ftp://h/x",
        "acct:a@b/c",
        "x" * 600,
        "https://[",
        "http://[x]/",
    ],
)
def test_bad_resources_raise_with_a_reason(resource: str | None) -> None:
    with pytest.raises(WebFingerError):
        parse_resource(resource)


def test_url_resources_pass_through() -> None:
    assert parse_resource("https://node.example/projects/a") == "https://node.example/projects/a"


def test_jrd_points_at_the_actor_and_filters_rels() -> None:
    document = jrd(
        "acct:a@node.example",
        "https://node.example/projects/a",
        profile_page="https://node.example/@a",
        aliases=["https://node.example/projects/a", "https://node.example/projects/a"],
    )
    assert document["subject"] == "acct:a@node.example"
    assert document["aliases"] == ["https://node.example/projects/a"]
    self_link = document["links"][0]
    assert self_link == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "https://node.example/projects/a",
    }
    only_self = filter_rels(document, ["self"])
    assert [link["rel"] for link in only_self["links"]] == ["self"]
    assert [link["rel"] for link in filter_rels(document, [])["links"]] == ["self", PROFILE_PAGE_REL]


def test_host_meta_xrd_is_xml_with_an_lrdd_template() -> None:
    root = ET.fromstring(host_meta_xrd("https://node.example"))
    link = root.find("{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link")
    assert link is not None
    assert link.get("template") == "https://node.example/.well-known/webfinger?resource={uri}"
    assert host_meta_json("https://node.example/")["links"][0]["template"].endswith("resource={uri}")


def test_query_url_is_https() -> None:
    assert acct_query_url(Acct("a", "node.example")) == (
        "https://node.example/.well-known/webfinger?resource=acct:a@node.example"
    )

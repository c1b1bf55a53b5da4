"""The node's identity setting: checked like a profile's texts, every problem at once, with a fallback language."""

import json

import pytest

from dsi4bcn.profiles.nodeidentity import NodeIdentity, normalise_identity, stored_identity
from dsi4bcn.profiles.validation import ProfileInvalid

BASE = "https://node.example"
LOGO = "ab" * 32 + ".png"


def test_texts_are_trimmed_and_a_missing_language_falls_back_to_one_given() -> None:
    identity = normalise_identity(
        {"nameMap": {"es": "  Nodo de Gràcia "}, "summaryMap": {"ca": "Xarxa", "en": "Net"}}, BASE
    )
    assert identity.name("ca") == "Nodo de Gràcia"
    assert identity.summary("en") == "Net" and identity.summary("es") == "Xarxa"
    assert stored_identity(json.dumps(identity.document(BASE)), BASE) == identity


def test_no_setting_is_the_default_identity() -> None:
    assert stored_identity(None, BASE) == NodeIdentity() == normalise_identity({}, BASE)
    assert NodeIdentity().name("ca") is None and NodeIdentity().summary("en") is None


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ProfileInvalid) as refused:
        normalise_identity({"nameMap": {"ca": "x" * 101, "??": "y"}, "summaryMap": "text", "logo": "z"}, BASE)
    codes = sorted((problem.field, problem.code) for problem in refused.value.problems)
    assert codes == [
        ("logo", "unknown_setting"),
        ("nameMap.??", "bad_language"),
        ("nameMap.ca", "too_long"),
        ("summaryMap", "wrong_type"),
    ]
    with pytest.raises(ProfileInvalid):
        normalise_identity(["not", "an", "object"], BASE)


def test_the_logo_is_one_of_this_nodes_images() -> None:
    identity = normalise_identity({"icon": f"{BASE}/media/{LOGO}"}, BASE)
    assert identity.logo == LOGO and identity.document(BASE)["icon"] == f"{BASE}/media/{LOGO}"
    assert normalise_identity({"icon": {"type": "Image", "url": f"{BASE}/media/{LOGO}"}}, BASE).logo == LOGO
    for elsewhere in (f"https://peer.example/media/{LOGO}", f"{BASE}/static/mark.svg", f"{BASE}/media/x.png"):
        with pytest.raises(ProfileInvalid) as refused:
            normalise_identity({"icon": elsewhere}, BASE)
        assert [(p.field, p.code) for p in refused.value.problems] == [("icon", "logo_not_local")], elsewhere
    with pytest.raises(ProfileInvalid) as refused:
        normalise_identity({"icon": "not a url"}, BASE)
    assert [p.field for p in refused.value.problems] == ["icon"]

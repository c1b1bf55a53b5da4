"""The node's identity setting: checked like a profile's texts, every problem at once, with a fallback language."""

import json

import pytest

from dsi4bcn.profiles.nodeidentity import NodeIdentity, normalise_identity, stored_identity
from dsi4bcn.profiles.validation import ProfileInvalid


def test_texts_are_trimmed_and_a_missing_language_falls_back_to_one_given() -> None:
    identity = normalise_identity({"nameMap": {"es": "  Nodo de Gràcia "}, "summaryMap": {"ca": "Xarxa", "en": "Net"}})
    assert identity.name("ca") == "Nodo de Gràcia"
    assert identity.summary("en") == "Net" and identity.summary("es") == "Xarxa"
    assert stored_identity(json.dumps(identity.document())) == identity


def test_no_setting_is_the_default_identity() -> None:
    assert stored_identity(None) == NodeIdentity() == normalise_identity({})
    assert NodeIdentity().name("ca") is None and NodeIdentity().summary("en") is None


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ProfileInvalid) as refused:
        normalise_identity({"nameMap": {"ca": "x" * 101, "??": "y"}, "summaryMap": "text", "logo": "z"})
    codes = sorted((problem.field, problem.code) for problem in refused.value.problems)
    assert codes == [
        ("logo", "unknown_setting"),
        ("nameMap.??", "bad_language"),
        ("nameMap.ca", "too_long"),
        ("summaryMap", "wrong_type"),
    ]
    with pytest.raises(ProfileInvalid):
        normalise_identity(["not", "an", "object"])

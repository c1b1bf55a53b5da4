"""The profile field table: every field is a term of a context an editable document uses, and each kind's
fields are those validation accepts and documents publish."""

from typing import Any

import pytest

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.fields import FIELDS, KINDS, Kind, fields_of
from vocab.contexts import AS_CONTEXT, document_loader, dsi_context


def _terms(context: dict[str, Any]) -> set[str]:
    return {term for term in context if not term.startswith("@")}


def test_every_field_is_a_term_of_the_activitystreams_or_dsi4bcn_context() -> None:
    activitystreams = document_loader()(AS_CONTEXT, {})["document"]["@context"]
    known = _terms(activitystreams) | _terms(dsi_context())
    assert {field.name for field in FIELDS} <= known


def test_names_are_unique_and_only_texts_are_per_language() -> None:
    assert len({field.name for field in FIELDS}) == len(FIELDS)
    assert {field.name for field in FIELDS if field.per_language} == {"nameMap", "summaryMap"}


@pytest.mark.parametrize("kind", KINDS)
def test_fields_published_as_stored_reach_the_actor_unchanged(kind: Kind) -> None:
    # Given a record holding a made-up value for every field of its kind that is published as stored
    stored = {field.name: f"value of {field.name}" for field in fields_of(kind) if field.as_stored}
    record = ActorRecord(kind, "x", None, {"nameMap": {"ca": "X"}, **stored}, "PEM", "2024-01-01T00:00:00Z", "")
    # When it is rendered, then each of those values is in the actor as it is
    actor = render_actor(record, base_url="https://n.example", authority="n.example", language="ca")
    assert {name: actor[name] for name in stored} == stored

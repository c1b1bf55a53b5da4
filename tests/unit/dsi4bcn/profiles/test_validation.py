"""Validation and canonical form of editable profiles."""

from typing import Any

import pytest

from dsi4bcn.profiles.validation import ProfileInvalid, check_slug, editable_document, normalise_profile
from vocab.concepts import concept_index

ACTOR = "https://n.example/projects/taller"
ORG = "https://n.example/organisations/ateneu"


def _resolve(reference: str) -> str | None:
    return "ateneu" if reference in ("ateneu", ORG) else None


def _project(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organisation": "ateneu",
        "nameMap": {"ca": "Taller obert", "en": "Open workshop"},
        "summaryMap": {"ca": "Fem coses.\n\nAmb el barri."},
        "areas": ["area:maker", "https://w3id.org/dsi4bcn/area/open-hardware", "area:maker"],
        "needs": ["skill:web-development"],
        "offers": ["skill:3d-printing"],
        "sdgs": ["sdg:4"],
        "basedIn": "neighbourhood:68",
        "location": {"type": "Place", "latitude": 41.4, "longitude": 2.2, "name": "Poblenou"},
        "startDate": "2021-03-01",
        "website": "https://taller.example/",
        "email": "hola@taller.example",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def _normalise(body: Any, kind: str = "project") -> tuple[dict[str, Any], str | None]:
    return normalise_profile(
        kind,
        body,
        actor_iri=ACTOR,
        concepts=concept_index(),  # type: ignore[arg-type]
        resolve_organisation=_resolve,
    )


def _problems(body: Any, kind: str = "project") -> list[tuple[str, str]]:
    with pytest.raises(ProfileInvalid) as raised:
        _normalise(body, kind)
    return [(p.field, p.code) for p in raised.value.problems]


def test_a_good_project_is_brought_to_canonical_form() -> None:
    fields, organisation = _normalise(_project())
    assert organisation == "ateneu"
    assert fields["areas"] == ["area:maker", "area:open-hardware"]
    assert fields["projectStatus"] == "status:active"
    assert fields["manuallyApprovesFollowers"] is False
    assert fields["discoverable"] is True and fields["indexable"] is True
    assert next(iter(fields)) == "nameMap"


def test_the_editable_document_round_trips() -> None:
    fields, _ = _normalise(_project())
    document = editable_document("project", fields, actor_iri=ACTOR, organisation_iri=ORG)
    assert document["id"] == ACTOR and document["type"] == "Project"
    again, organisation = _normalise(document)
    assert again == fields and organisation == "ateneu"


@pytest.mark.parametrize(
    ("email", "good"),
    [
        ("hola@taller.example", True),
        ("mailto:hola@taller.example", True),
        ("a.b@c.d.e", True),
        ("a@b..", True),
        ("a@b", False),
        ("a@.b", False),
        ("a@b.", False),
        ("@b.c", False),
        ("a@@b.c", False),
        ("a@b@c.d", False),
        ("a b@c.d", False),
        ("<a@b.c>", False),
        ('"a"@b.c', False),
        ("a@" + "b" * 249 + ".cat", False),  # 255 characters
        ("a@" + "." * 100_000 + "@", False),  # a regex over the whole address took seconds on this
    ],
)
def test_email_addresses(email: str, good: bool) -> None:
    if good:
        assert _normalise(_project(email=email))[0]["email"] == email.removeprefix("mailto:")
    else:
        assert ("email", "bad_email") in _problems(_project(email=email))


@pytest.mark.parametrize("website", ["https://[", "https://[::1", "http://[x]/", "https://a]b/"])
def test_a_url_that_cannot_be_split_is_a_bad_url(website: str) -> None:
    assert ("website", "bad_url") in _problems(_project(website=website))


def test_every_problem_is_listed_at_once() -> None:
    body = _project(
        nameMap=None,
        areas=["area:nope", "skill:web-development"],
        needs="skill:nothing",
        basedIn="sdg:4",
        website="ftp://x",
        email="not-an-email",
        startDate="2021-13-01",
        colour="blue",
        location={"latitude": 100, "longitude": "east"},
        organisation="unknown-org",
        discoverable="yes",
    )
    problems = _problems(body)
    assert ("nameMap", "required") in problems
    assert ("areas[0]", "unknown_concept") in problems
    assert ("areas[1]", "wrong_scheme") in problems
    assert ("needs[0]", "unknown_concept") in problems
    assert ("basedIn", "wrong_scheme") in problems
    assert ("website", "bad_url") in problems
    assert ("email", "bad_email") in problems
    assert ("startDate", "bad_date") in problems
    assert ("colour", "unknown_field") in problems
    assert ("location.latitude", "out_of_range") in problems
    assert ("location.longitude", "wrong_type") in problems
    assert ("organisation", "unknown_organisation") in problems
    assert ("discoverable", "wrong_type") in problems


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"nameMap": {"ca": ""}}, ("nameMap.ca", "empty")),
        ({"nameMap": {"ca": "x" * 201}}, ("nameMap.ca", "too_long")),
        ({"nameMap": {"Català!": "x"}}, ("nameMap.Català!", "bad_language")),
        ({"nameMap": "Taller"}, ("nameMap", "wrong_type")),
        ({"areas": []}, ("areas", "required")),
        ({"areas": ["area:maker"] * 41}, ("areas", "too_many")),
        ({"organisation": None}, ("organisation", "required")),
        ({"organisation": 3}, ("organisation", "wrong_type")),
        ({"endDate": "2020-01-01"}, ("endDate", "date_order")),
        ({"projectStatus": "status:finished"}, ("projectStatus", "unknown_concept")),
        ({"id": "https://other.example/p"}, ("id", "id_mismatch")),
        ({"type": "Organization"}, ("type", "wrong_kind")),
        ({"@context": "https://evil.example/context"}, ("@context", "bad_context")),
        ({"icon": {"type": "Image"}}, ("icon.url", "required")),
        ({"manuallyApprovesFollowers": 1}, ("manuallyApprovesFollowers", "wrong_type")),
    ],
)
def test_single_problems(changes: dict[str, Any], expected: tuple[str, str]) -> None:
    body = _project(**changes)
    if "organisation" in changes and changes["organisation"] is None:
        body.pop("organisation", None)
    assert expected in _problems(body)


def test_a_body_that_is_not_an_object() -> None:
    assert _problems(["a list"]) == [("", "not_object")]


def test_organisations_need_a_sector_and_cannot_name_an_organisation() -> None:
    body = {"nameMap": {"ca": "Ateneu"}, "organisation": "ateneu"}
    problems = _problems(body, "organisation")
    assert ("sectors", "required") in problems
    assert ("organisation", "unknown_field") in problems
    fields, organisation = _normalise(
        {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"], "type": "Organization"},
        "organisation",
    )
    assert organisation is None and fields["sectors"] == ["sector:civil-society"]


def test_accepted_contexts() -> None:
    from vocab.contexts import published_context

    _normalise(_project(**{"@context": published_context()}))
    _normalise(
        _project(
            **{
                "@context": [
                    "https://www.w3.org/ns/activitystreams",
                    "https://w3id.org/dsi4bcn/context.jsonld",
                ]
            }
        )
    )


@pytest.mark.parametrize("slug", ["fablab-poblenou", "a", "x1", "a" * 64])
def test_good_slugs(slug: str) -> None:
    assert check_slug(slug) is None


@pytest.mark.parametrize("slug", ["", "-a", "a-", "A", "a_b", "a.b", "a" * 65, "é", "a b"])
def test_bad_slugs(slug: str) -> None:
    problem = check_slug(slug)
    assert problem is not None and problem.code == "bad_slug"


def test_contacts_are_checked_and_private_by_default() -> None:
    fields, _ = _normalise(
        _project(
            contacts=[
                {"name": "Anna Puig", "email": "anna@taller.example", "contactType": "coordinació", "public": True},
                {"name": "Jordi Serra", "telephone": "+34 600 000 001"},
            ]
        )
    )
    assert fields["contacts"] == [
        {
            "type": "ContactPoint",
            "name": "Anna Puig",
            "email": "anna@taller.example",
            "contactType": "coordinació",
            "public": True,
        },
        {"type": "ContactPoint", "name": "Jordi Serra", "telephone": "+34 600 000 001", "public": False},
    ]
    problems = _problems(_project(contacts=[{"email": "x"}, {"name": "A", "age": 3, "public": "yes"}, "text"]))
    assert ("contacts[0].name", "required") in problems
    assert ("contacts[1].age", "unknown_field") in problems
    assert ("contacts[1].public", "wrong_type") in problems
    assert ("contacts[2]", "wrong_type") in problems


def test_only_public_contacts_are_published() -> None:
    from dsi4bcn.profiles.actorrecords import ActorRecord
    from dsi4bcn.profiles.documents import render_actor

    fields, _ = _normalise(
        _project(
            contacts=[
                {"name": "Anna Puig", "email": "anna@taller.example", "public": True},
                {"name": "Jordi Serra", "email": "jordi.private@taller.example"},
            ]
        )
    )
    record = ActorRecord("project", "taller", "ateneu", fields, "PEM", "t", "t")
    document = render_actor(record, base_url="https://n.example", authority="n.example", language="ca")
    assert document["contacts"] == [{"type": "ContactPoint", "name": "Anna Puig", "email": "anna@taller.example"}]
    assert "jordi" not in str(document)


def _params(body: Any, where: str, kind: str = "project") -> dict[str, Any]:
    with pytest.raises(ProfileInvalid) as raised:
        normalise_profile(kind, body, actor_iri=ACTOR, concepts=concept_index(), resolve_organisation=_resolve)
    return next(dict(p.params) for p in raised.value.problems if p.field == where)


def test_wrong_terms_and_concepts_carry_suggestions() -> None:
    body = _project(neds=["skill:web-development"], name={"ca": "Taller"}, areas=["area:makers"])
    body["offers"] = ["workshop-space"]
    body["location"] = {"latitude": 41.4, "longitud": 2.2}
    body["contacts"] = [{"name": "Anna", "mail": "anna@example.org"}]
    assert _params(body, "neds")["suggestions"] == ["needs"]
    assert _params(body, "name")["suggestions"] == ["nameMap"]
    assert _params(body, "areas[0]")["suggestions"][0] == "area:maker"
    assert _params(body, "offers[0]")["suggestions"] == ["skill:workshop-space"]
    assert _params(body, "location.longitud")["suggestions"][0] == "longitude"
    assert _params(body, "contacts[0].mail")["suggestions"][0] == "email"
    # The same code in the field's schemes is the nearest concept (here, district 4 and neighbourhood 4).
    assert _params(_project(basedIn="sdg:4"), "basedIn") == {
        "value": "sdg:4",
        "scheme": "district / neighbourhood",
        "suggestions": ["district:4", "neighbourhood:4"],
    }
    assert "suggestions" not in _params(_project(colour="blue"), "colour")


def test_suggestions_stop_after_twenty_problems() -> None:
    body = _project(areas=[f"area:make{n}" for n in range(30)])
    with pytest.raises(ProfileInvalid) as raised:
        normalise_profile("project", body, actor_iri=ACTOR, concepts=concept_index(), resolve_organisation=_resolve)
    suggested = [p for p in raised.value.problems if "suggestions" in p.params]
    assert len(suggested) == 20 and len(raised.value.problems) == 30

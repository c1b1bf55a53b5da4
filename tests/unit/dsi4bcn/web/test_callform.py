"""The call form's model: a posted form to the editable call, a stored call back to the form, and the
validation's problems beside their fields in the reader's language."""

from typing import Any

import pytest
from multidict import MultiDict

from dsi4bcn.profiles.callvalidation import CallInvalid, normalise_call
from dsi4bcn.web.callform import (
    barcelona_time,
    call_from_values,
    empty_values,
    form_errors,
    posted_values,
    values_of_call,
)
from vocab.concepts import concept_index


def _problems(call: dict[str, Any]) -> list[Any]:
    with pytest.raises(CallInvalid) as raised:
        normalise_call(call, concepts=concept_index())
    return raised.value.problems


def _form(**fields: str | list[str]) -> MultiDict[str]:
    form: MultiDict[str] = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            form.add(name.replace("__", "."), item)
    return form


def test_a_filled_form_is_the_editable_call_the_api_takes() -> None:
    form = _form(
        purpose="request",
        nameMap__ca=" Voluntàries per a la fira ",
        nameMap__en="",
        contentMap__ca="Dues persones.\n\nGràcies!",
        concepts=["skill:3d-printing", "skill:3d-printing"],
        quantity="2",
        basedIn="neighbourhood:64",
        validFrom__date="2026-12-01",
        validUntil__date="2026-12-15",
        validUntil__time="18:30",
        deadline__date="2026-12-10",
        budget="1 200,5 €",
    )
    call = call_from_values(posted_values(form))
    assert call == {
        "purpose": "request",
        "nameMap": {"ca": "Voluntàries per a la fira"},
        "contentMap": {"ca": "Dues persones.\n\nGràcies!"},
        "concepts": ["skill:3d-printing"],
        "quantity": 2,
        "basedIn": "neighbourhood:64",
        "validFrom": "2026-12-01",
        "validUntil": "2026-12-15T18:30:00+01:00",  # Barcelona's time, winter
        "deadline": "2026-12-10",
        "budget": "1200.5",
    }
    fields = normalise_call(call, concepts=concept_index())
    assert fields["validFrom"] == "2026-11-30T23:00:00Z" and fields["validUntil"] == "2026-12-15T17:30:00Z"
    assert fields["deadline"] == "2026-12-10T22:59:59Z" and fields["budget"] == "1200.5"


def test_a_stored_call_comes_back_to_the_form_as_it_was_typed() -> None:
    form = _form(
        purpose="offer",
        nameMap__es="Taller libre",
        concepts="skill:3d-printing",
        validFrom__date="2026-07-01",
        validFrom__time="09:15",
        validUntil__date="2026-07-31",
        budget="950",
        location__latitude="41.40",
        location__longitude="2.19",
        location__name="Can Framis",
    )
    values = posted_values(form)
    fields = normalise_call(call_from_values(values), concepts=concept_index())
    shown = values_of_call(fields)
    assert shown["validFrom"] == {"date": "2026-07-01", "time": "09:15"}  # summer: UTC+2 and back
    assert shown["validUntil"] == {"date": "2026-07-31", "time": ""}  # the day's end is the day alone
    assert shown["deadline"] == {"date": "", "time": ""}
    assert shown["nameMap"] == {"ca": "", "es": "Taller libre", "en": ""}
    assert shown["location"] == {"latitude": "41.4", "longitude": "2.19", "name": "Can Framis"}
    # And saving the form unchanged saves the same call
    assert normalise_call(call_from_values(shown), concepts=concept_index()) == fields


def test_an_empty_form_is_refused_for_what_is_required_only() -> None:
    call = call_from_values(empty_values())
    assert call == {"nameMap": {}, "concepts": []}
    errors = form_errors(_problems(call), "en")
    assert errors == {
        "purpose": ["'What it is' is required"],
        "nameMap": ["'Title' is required"],
        "concepts": ["'Skills and resources' is required"],
    }


def test_each_problem_is_said_beside_its_field_in_the_readers_language() -> None:
    values = empty_values()
    values.update(purpose="request", concepts=["skill:no-such-skill"], quantity="dos", budget="12.000,50")
    values["nameMap"]["es"] = "x" * 201
    values["validFrom"] = {"date": "2026-12-10", "time": ""}
    values["validUntil"] = {"date": "2026-12-01", "time": ""}
    values["deadline"] = {"date": "demà", "time": ""}
    errors = form_errors(_problems(call_from_values(values)), "ca")
    assert set(errors) == {"nameMap", "concepts", "quantity", "budget", "validUntil", "deadline"}
    assert errors["nameMap"] == ["«Títol (Español)» té més de 200 caràcters"]
    assert errors["quantity"] == ["«Quantitat» ha de ser un nombre enter"]
    assert errors["budget"] == ["«Pressupost (euros)» ha de ser un import en euros"]
    assert errors["validUntil"] == ["La crida acaba abans de començar: «Acaba» ha de ser posterior a quan s'obre."]
    assert errors["deadline"][0].startswith("«Termini per respondre»: escriviu el dia")
    assert "skill:no-such-skill" in errors["concepts"][0]


def test_a_time_without_a_day_or_an_unreadable_time_is_refused() -> None:
    values = empty_values()
    values.update(purpose="offer", concepts=["skill:3d-printing"])
    values["nameMap"]["en"] = "Room"
    values["validFrom"] = {"date": "", "time": "10:00"}
    values["validUntil"] = {"date": "2026-12-01", "time": "25:00"}
    errors = form_errors(_problems(call_from_values(values)), "es")
    assert set(errors) == {"validFrom", "validUntil"}
    assert errors["validFrom"][0].startswith("«Se abre»: escribid el día")


def test_the_deadline_after_the_end_names_the_deadline_field() -> None:
    values = empty_values()
    values.update(purpose="request", concepts=["skill:3d-printing"])
    values["nameMap"]["ca"] = "Repte"
    values["validUntil"] = {"date": "2026-12-01", "time": ""}
    values["deadline"] = {"date": "2026-12-02", "time": ""}
    errors = form_errors(_problems(call_from_values(values)), "en")
    assert errors == {"deadline": ["'Answer by' is after the call ends: it must be before it ends, or the same day."]}


def test_a_stored_time_is_said_as_barcelona_s_day_and_time() -> None:
    assert barcelona_time("2099-12-09T23:00:00Z", "validFrom") == {"date": "2099-12-10", "time": ""}
    assert barcelona_time("2099-12-09T23:00:00Z", "deadline") == {"date": "2099-12-10", "time": "00:00"}
    assert barcelona_time("2099-12-15T22:59:59Z", "validUntil") == {"date": "2099-12-15", "time": ""}
    assert barcelona_time("2026-07-01T07:15:30Z", "validUntil") == {"date": "2026-07-01", "time": "09:15:30"}

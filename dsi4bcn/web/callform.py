"""The call form of the admin pages, pure: a posted form to the editable call the admin API takes, a call
to what its form shows, and the validation's problems as messages beside their fields.

What the form shows is a dict of texts (``CallValues``): what was posted, kept as typed so that a refused
form comes back as it was sent, or a stored call brought back to what a person types (its times as
Barcelona's day and, when it is not the day's start or end, the time). ``call_from_values`` makes the
editable call of docs/calls.md out of it; the checks are ``normalise_call``'s own, run by
``web.callactions``, so that the form can say nothing the API would not.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dsi4bcn.i18n import LANGUAGES, UI, message
from dsi4bcn.profiles.values import Problem
from dsi4bcn.web.profileform import FormData, field_of_problem

__all__ = [
    "FIELD_LABELS",
    "TIME_TERMS",
    "CallValues",
    "barcelona_time",
    "call_from_values",
    "empty_values",
    "form_errors",
    "posted_values",
    "values_of_call",
]

CallValues = dict[str, Any]
TIME_TERMS = ("validFrom", "validUntil", "deadline")
# The label of each form field (a key of ui.toml), which its problems name instead of the API's term.
FIELD_LABELS = {
    "purpose": "callform_purpose",
    "nameMap": "callform_title",
    "contentMap": "callform_description",
    "concepts": "callform_concepts",
    "quantity": "callform_quantity",
    "basedIn": "call_place",
    "location": "callform_point",
    "validFrom": "callform_valid_from",
    "validUntil": "callform_valid_until",
    "deadline": "callform_deadline",
    "budget": "callform_budget",
}
# Problems the form says in its own words: the API's name the terms ("validUntil"), the form its fields.
_FORM_MESSAGES = {
    "bad_datetime": "callform_bad_date",
    "call_time_order": "callform_time_order",
    "deadline_after_end": "callform_deadline_after_end",
}
_LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English"}
_BARCELONA = ZoneInfo("Europe/Madrid")
_DAY_START = time(0, 0)
_DAY_END = time(23, 59, 59)
_TEXT_LIMIT = 6000  # characters kept of a posted text (the validation's limits are lower, so it still says so)
_PLACE_PARTS = ("latitude", "longitude", "name")


def _one(form: FormData, name: str) -> str:
    values = form.getall(name, [])
    return str(values[-1]).strip()[:_TEXT_LIMIT] if values and isinstance(values[-1], str) else ""


def empty_values() -> CallValues:
    """What a new call's form shows: nothing chosen, nothing written."""
    return {
        "purpose": "",
        "nameMap": {language: "" for language in LANGUAGES},
        "contentMap": {language: "" for language in LANGUAGES},
        "concepts": [],
        "quantity": "",
        "basedIn": "",
        "location": {part: "" for part in _PLACE_PARTS},
        **{term: {"date": "", "time": ""} for term in TIME_TERMS},
        "budget": "",
    }


def posted_values(form: FormData) -> CallValues:
    """The form's values as they were posted (trimmed), to build the call from and to show again."""
    return {
        "purpose": _one(form, "purpose"),
        "nameMap": {language: _one(form, f"nameMap.{language}") for language in LANGUAGES},
        "contentMap": {language: _one(form, f"contentMap.{language}") for language in LANGUAGES},
        "concepts": list(dict.fromkeys(str(v) for v in form.getall("concepts", []) if isinstance(v, str) and v)),
        "quantity": _one(form, "quantity"),
        "basedIn": _one(form, "basedIn"),
        "location": {part: _one(form, f"location.{part}") for part in _PLACE_PARTS},
        **{term: {"date": _one(form, f"{term}.date"), "time": _one(form, f"{term}.time")} for term in TIME_TERMS},
        "budget": _one(form, "budget"),
    }


def _moment(term: str, day: str, clock: str) -> str | None:
    """A day (Barcelona's, as the validation reads it), or the day and time in Barcelona with its offset;
    what cannot be read goes as typed, for the validation to refuse."""
    if not day and not clock:
        return None
    if not clock:
        return day
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), _BARCELONA)
    except ValueError:
        return f"{day}T{clock}"
    if term == "validFrom" and moment.time() == _DAY_START:
        return day
    return moment.isoformat()


def _quantity(text: str) -> int | str | None:
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text


def _budget(text: str) -> str | None:
    """Euros as typed, without the sign or spaces; a decimal comma (``950,5``) read as a point."""
    amount = text.replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in amount and "." not in amount:
        amount = amount.replace(",", ".")
    return amount or None


def _coordinate(text: str) -> float | str:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def _location(place: Mapping[str, str]) -> dict[str, Any] | None:
    if not (place.get("latitude") or place.get("longitude")):
        return None
    found: dict[str, Any] = {
        "latitude": _coordinate(place.get("latitude", "")),
        "longitude": _coordinate(place.get("longitude", "")),
    }
    if place.get("name"):
        found["name"] = place["name"]
    return found


def call_from_values(values: CallValues) -> dict[str, Any]:
    """The editable call the form's ``values`` describe: what is blank left out, so that the validation says
    "required" where a required field is missing (the title and the concepts are always sent)."""
    call: dict[str, Any] = {
        "nameMap": {language: text for language, text in values["nameMap"].items() if text},
        "concepts": list(values["concepts"]),
    }
    texts = {language: text for language, text in values["contentMap"].items() if text}
    optional: dict[str, Any] = {
        "purpose": values["purpose"] or None,
        "contentMap": texts or None,
        "quantity": _quantity(values["quantity"]),
        "basedIn": values["basedIn"] or None,
        "location": _location(values["location"]),
        **{term: _moment(term, values[term]["date"], values[term]["time"]) for term in TIME_TERMS},
        "budget": _budget(values["budget"]),
    }
    call.update({term: value for term, value in optional.items() if value is not None})
    return call


def barcelona_time(stamp: str, term: str) -> dict[str, str]:
    """A stored time of ``term`` (UTC, ``Z``) as Barcelona's day, and its time unless it is the day's start
    (for ``validFrom``) or end (for the others), which a day alone means: ``{"date": …, "time": …}``."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(_BARCELONA)
    default = _DAY_START if term == "validFrom" else _DAY_END
    clock = moment.time().replace(tzinfo=None)
    if clock == default:
        return {"date": moment.date().isoformat(), "time": ""}
    return {"date": moment.date().isoformat(), "time": clock.isoformat("seconds" if clock.second else "minutes")}


def values_of_call(fields: Mapping[str, Any]) -> CallValues:
    """What the form of a stored call shows (its canonical fields, as ``normalise_call`` returns them)."""
    values = empty_values()
    values["purpose"] = str(fields.get("purpose", ""))
    for term in ("nameMap", "contentMap"):
        values[term].update({str(k): str(v) for k, v in (fields.get(term) or {}).items()})
    values["concepts"] = [str(code) for code in fields.get("concepts", [])]
    values["quantity"] = str(fields["quantity"]) if "quantity" in fields else ""
    values["basedIn"] = str(fields.get("basedIn", ""))
    place = fields.get("location") or {}
    values["location"] = {part: str(place[part]) if part in place else "" for part in _PLACE_PARTS}
    for term in TIME_TERMS:
        if term in fields:
            values[term] = barcelona_time(str(fields[term]), term)
    values["budget"] = str(fields.get("budget", ""))
    return values


def _label(where: str, field: str, language: str) -> str:
    """A field's label in ``language``; a text of one language ("nameMap.es") with that language's name."""
    label = UI[FIELD_LABELS[field]][language] if field in FIELD_LABELS else field
    suffix = where[len(field) + 1 :] if where.startswith(field + ".") else ""
    return f"{label} ({_LANGUAGE_NAMES[suffix]})" if suffix in _LANGUAGE_NAMES else label


def form_errors(problems: Sequence[Problem], language: str) -> dict[str, list[str]]:
    """The validation's problems as messages in ``language`` by form field (``"_"`` for the whole form),
    each naming the field by its label rather than by the API's term."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        field = field_of_problem(problem.field)
        key = field if field in FIELD_LABELS else "_"
        label = _label(problem.field, field, language)
        params = {**problem.params, "field": label} if "field" in problem.params else dict(problem.params)
        if problem.code in _FORM_MESSAGES:
            text = UI[_FORM_MESSAGES[problem.code]][language].format(field=label)
        else:
            text = message(problem.code, language, **params)
        found.setdefault(key, []).append(text)
    return found

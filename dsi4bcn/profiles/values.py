"""Checks of the single values of a profile: texts in several languages, concepts, places, dates, URLs,
e-mail addresses, telephone numbers, contacts and icons.

``ValueChecker`` brings each value to its canonical form and notes every ``Problem`` it finds instead of
stopping at the first, so that a document's problems are all reported at once
(``dsi4bcn.profiles.validation``).
"""

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from dsi4bcn.i18n import Phrase, Reason
from dsi4bcn.profiles.suggestions import suggest_concepts, suggest_term
from vocab.concepts import ConceptIndex

__all__ = ["Problem", "ValueChecker", "is_email", "is_telephone"]

_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# One part of an e-mail address; the address is checked by ``is_email`` in one pass (a single regex for the
# whole address backtracked over every dot of a long domain: quadratic time).
_EMAIL_PART = re.compile(r'[^@\s<>"]+')
_TELEPHONE = re.compile(r"^\+?[0-9 ()./-]{6,32}$")
_TEXT_LIMIT = 254  # e-mail addresses and telephone numbers
_NAME_LIMIT = 200
_URL_LIMIT = 2048
_LIST_LIMIT = 40
_CONTACTS_LIMIT = 20
# How many problems of one document get "did you mean" suggestions: each costs about a millisecond, and a
# hostile document may have hundreds of wrong concepts.
_SUGGESTIONS_LIMIT = 20
_PLACE_TERMS = ("type", "latitude", "longitude", "name")
_CONTACT_TERMS = ("type", "name", "email", "telephone", "contactType", "public")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where, a stable code, and the values for its message."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def is_email(text: str) -> bool:
    """``local@domain``: one ``@``, no spaces, quotes or angle brackets, and a dot inside the domain."""
    local, at, domain = text.partition("@")
    return (
        bool(at)
        and _EMAIL_PART.fullmatch(local) is not None
        and _EMAIL_PART.fullmatch(domain) is not None
        and "." in domain[1:-1]
    )


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced "[" or "]", a bracketed host that is no IP address
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_telephone(text: str) -> bool:
    """A telephone number: digits, spaces and ``()./-``, maybe a leading ``+``, 6 to 32 characters."""
    return _TELEPHONE.fullmatch(text) is not None


@dataclass
class ValueChecker:
    """Checks values one by one, noting each problem under the name of where it was found."""

    concepts: ConceptIndex
    problems: list[Problem] = dataclasses.field(default_factory=list)
    suggestions_left: int = _SUGGESTIONS_LIMIT

    def add(self, where: str, code: str, **params: Any) -> None:
        """Note a problem at ``where``."""
        self.problems.append(Problem(where, code, params))

    def add_suggesting(self, where: str, code: str, suggest: Callable[[], list[str]], **params: Any) -> None:
        """Note a problem at ``where`` with the names ``suggest`` finds as its ``suggestions`` parameter
        (while this document's budget of suggestions lasts)."""
        if self.suggestions_left > 0:
            self.suggestions_left -= 1
            found = suggest()
            if found:
                params["suggestions"] = found
        self.add(where, code, **params)

    def unknown_term(self, where: str, name: str, terms: tuple[str, ...]) -> None:
        """Note that ``name`` (found at ``where``) is none of ``terms``, with the terms it may have meant."""
        self.add_suggesting(where, "unknown_field", lambda: suggest_term(name, terms), field=where[:80])

    def text_map(self, where: str, value: Any, limit: int, required: bool) -> dict[str, str] | None:
        """A map from language tags to texts of at most ``limit`` characters, trimmed."""
        if value is None:
            if required:
                self.add(where, "required", field=where)
            return None
        if not isinstance(value, dict):
            self.add(where, "wrong_type", field=where, expected='{"ca": "…", "es": "…", "en": "…"}')
            return None
        result: dict[str, str] = {}
        for language, text in value.items():
            key = f"{where}.{language}"
            if not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language):
                self.add(key, "bad_language", value=str(language)[:40])
            elif not isinstance(text, str):
                self.add(key, "wrong_type", field=key, expected=Phrase("text"))
            elif not text.strip():
                self.add(key, "empty", field=key)
            elif len(text) > limit:
                self.add(key, "too_long", field=key, limit=limit)
            else:
                result[language] = text.strip()
        if not value and required:
            self.add(where, "required", field=where)
        return result or None

    def concept(self, where: str, value: Any, schemes: tuple[str, ...]) -> str | None:
        """A concept of one of ``schemes``, by IRI or ``scheme:code``, as ``scheme:code``."""
        if not isinstance(value, str):
            self.add(where, "wrong_type", field=where, expected=Phrase("a concept IRI or scheme:code"))
            return None
        concept = self.concepts.resolve(value.strip())
        nearest = partial(suggest_concepts, value, schemes, self.concepts)
        if concept is None:
            self.add_suggesting(where, "unknown_concept", nearest, value=value[:200])
            return None
        if concept.scheme not in schemes:
            self.add_suggesting(where, "wrong_scheme", nearest, value=value[:200], scheme=" / ".join(schemes))
            return None
        return concept.curie

    def concept_list(self, where: str, value: Any, scheme: str, required: bool) -> list[str] | None:
        """One concept or a list of concepts of ``scheme``, without repeats."""
        if value is None or value == []:
            if required:
                self.add(where, "required", field=where)
            return None
        items = value if isinstance(value, list) else [value]
        if len(items) > _LIST_LIMIT:
            self.add(where, "too_many", field=where, limit=_LIST_LIMIT)
            return None
        found = [self.concept(f"{where}[{i}]", item, (scheme,)) for i, item in enumerate(items)]
        unique = list(dict.fromkeys(curie for curie in found if curie is not None))
        return unique or None

    def _string(self, where: str, value: Any, expected: str) -> str | None:
        """``value`` if it is a string; else None, noting a wrong type unless it is null."""
        if value is None or isinstance(value, str):
            return value
        self.add(where, "wrong_type", field=where, expected=Phrase(expected))
        return None

    def url(self, where: str, value: Any) -> str | None:
        """An http or https URL with a host."""
        given = self._string(where, value, "a URL")
        if given is None:
            return None
        if len(given) > _URL_LIMIT or not _is_http_url(given.strip()):
            self.add(where, "bad_url", field=where)
            return None
        return given.strip()

    def pattern(self, where: str, value: Any, valid: Callable[[str], bool], code: str) -> str | None:
        """A short text that ``valid`` accepts (an e-mail address loses a leading ``mailto:``)."""
        given = self._string(where, value, "text")
        if given is None:
            return None
        text = given.strip().removeprefix("mailto:") if code == "bad_email" else given.strip()
        if len(text) > _TEXT_LIMIT or not valid(text):
            self.add(where, code, field=where)
            return None
        return text

    def day(self, where: str, value: Any) -> str | None:
        """A date written ``YYYY-MM-DD``."""
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else ""
        try:
            if len(text) == 10:
                return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        self.add(where, "bad_date", field=where)
        return None

    def boolean(self, where: str, value: Any) -> bool | None:
        """``true`` or ``false``."""
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(where, "wrong_type", field=where, expected=Phrase("true or false"))
            return None
        return value

    def coordinate(self, where: str, value: Any, low: float, high: float) -> float | None:
        """A number from ``low`` to ``high``, rounded to six decimals."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, "wrong_type", field=where, expected=Phrase("a number"))
            return None
        if not low <= float(value) <= high:
            self.add(where, "out_of_range", field=where, low=low, high=high)
            return None
        return round(float(value), 6)

    def location(self, where: str, value: Any) -> dict[str, Any] | None:
        """A ``Place`` with a latitude, a longitude and maybe a name."""
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(where, "wrong_type", field=where, expected='{"latitude": …, "longitude": …}')
            return None
        for key in value:
            if key not in _PLACE_TERMS:
                self.unknown_term(f"{where}.{key}", str(key), _PLACE_TERMS)
        if value.get("type", "Place") != "Place":
            self.add(f"{where}.type", "wrong_kind", expected="Place")
        latitude = self.coordinate(f"{where}.latitude", value.get("latitude"), -90.0, 90.0)
        longitude = self.coordinate(f"{where}.longitude", value.get("longitude"), -180.0, 180.0)
        name = value.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > _NAME_LIMIT):
            self.add(f"{where}.name", "wrong_type", field=f"{where}.name", expected=Phrase("short text"))
            name = None
        if latitude is None or longitude is None:
            return None
        place: dict[str, Any] = {"type": "Place", "latitude": latitude, "longitude": longitude}
        if name:
            place["name"] = name.strip()
        return place

    def contacts(self, where: str, value: Any) -> list[dict[str, Any]] | None:
        """Contact persons; each says whether the organisation made it public (default: not public)."""
        if value is None or value == []:
            return None
        if not isinstance(value, list) or len(value) > _CONTACTS_LIMIT:
            self.add(where, "wrong_type", field=where, expected=Reason("expected_contacts", limit=_CONTACTS_LIMIT))
            return None
        contacts = []
        for position, item in enumerate(value):
            here = f"{where}[{position}]"
            if not isinstance(item, dict):
                self.add(here, "wrong_type", field=here, expected='{"name": …, "email": …, "public": true}')
                continue
            for key in item:
                if key not in _CONTACT_TERMS:
                    self.unknown_term(f"{here}.{key}", str(key), _CONTACT_TERMS)
            if item.get("type", "ContactPoint") != "ContactPoint":
                self.add(f"{here}.type", "wrong_kind", expected="ContactPoint")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > _NAME_LIMIT:
                self.add(f"{here}.name", "required", field=f"{here}.name")
                continue
            contact: dict[str, Any] = {"type": "ContactPoint", "name": name.strip()}
            email = self.pattern(f"{here}.email", item.get("email"), is_email, "bad_email")
            telephone = self.pattern(f"{here}.telephone", item.get("telephone"), is_telephone, "wrong_type")
            role = item.get("contactType")
            if role is not None and (not isinstance(role, str) or len(role) > _NAME_LIMIT):
                self.add(
                    f"{here}.contactType", "wrong_type", field=f"{here}.contactType", expected=Phrase("short text")
                )
                role = None
            public = self.boolean(f"{here}.public", item.get("public"))
            contact.update(
                {key: val for key, val in (("email", email), ("telephone", telephone), ("contactType", role)) if val}
            )
            contact["public"] = bool(public)
            contacts.append(contact)
        return contacts or None

    def icon(self, where: str, value: Any) -> str | None:
        """An image URL, given as it is or as an ``Image`` with a ``url``."""
        if not isinstance(value, dict):
            return self.url(where, value)
        if value.get("type", "Image") != "Image":
            self.add(f"{where}.type", "wrong_kind", expected="Image")
            return None
        if "url" not in value:
            self.add(f"{where}.url", "required", field=f"{where}.url")
            return None
        return self.url(f"{where}.url", value["url"])

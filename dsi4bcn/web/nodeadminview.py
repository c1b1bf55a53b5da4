"""The node admin page's view model, pure: the identity form's values and the settings document it makes,
its problems put beside their fields in the admin's language, and the graph's status in plain words.

The form has a name and a description for each of the interface's languages (``i18n.LANGUAGES``); a name
or description in another language, set through the API, is kept as it is.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from dsi4bcn.i18n import LANGUAGES, UI, message
from dsi4bcn.profiles.nodeidentity import NodeIdentity
from dsi4bcn.profiles.values import Problem

__all__ = ["LOGO_FIELD", "field_errors", "graph_words", "identity_body", "identity_values"]

# The settings document's text maps and the form fields that hold them (``name_ca``, ``summary_en``, …).
_MAPS = {"nameMap": ("name", "node_name"), "summaryMap": ("summary", "node_description")}
LOGO_FIELD = "logo"


def identity_values(identity: NodeIdentity) -> dict[str, str]:
    """The identity form's fields as ``identity`` fills them."""
    values: dict[str, str] = {}
    for language in LANGUAGES:
        values[f"name_{language}"] = identity.names.get(language, "")
        values[f"summary_{language}"] = identity.summaries.get(language, "")
    return values


def identity_body(fields: Mapping[str, str], identity: NodeIdentity, icon: str | None) -> dict[str, Any]:
    """The settings document a posted identity form makes: a blank field says nothing in that language, the
    languages the form does not show keep what ``identity`` has, and the logo is ``icon`` (a URL or None)."""
    names = {tag: text for tag, text in identity.names.items() if tag not in LANGUAGES}
    summaries = {tag: text for tag, text in identity.summaries.items() if tag not in LANGUAGES}
    for language in LANGUAGES:
        if name := fields.get(f"name_{language}", "").strip():
            names[language] = name
        if summary := fields.get(f"summary_{language}", "").strip():
            summaries[language] = summary
    return {"nameMap": names, "summaryMap": summaries, "icon": icon}


def _form_field(problem: Problem, language: str) -> tuple[str, str]:
    """The form field a problem of the settings document belongs to, and how the form labels it."""
    document_field, _dot, tag = problem.field.partition(".")
    if document_field in _MAPS and tag in LANGUAGES:
        prefix, label = _MAPS[document_field]
        where = UI[f"node_in_{tag}"][language].lower()
        return f"{prefix}_{tag}", f"{UI[label][language]} ({where})"
    if document_field in _MAPS:
        prefix, label = _MAPS[document_field]
        return f"{prefix}_{language}", UI[label][language]
    return LOGO_FIELD, UI["node_logo"][language]


def field_errors(problems: Sequence[Problem], language: str) -> dict[str, str]:
    """``{form field: message}`` of ``problems``, each message in ``language`` naming the field as the form
    labels it (the first problem of a field, if it has several)."""
    errors: dict[str, str] = {}
    for problem in problems:
        field, label = _form_field(problem, language)
        params = {**problem.params, "field": label} if "field" in problem.params else dict(problem.params)
        errors.setdefault(field, message(problem.code, language, **params))
    return errors


def graph_words(status: Mapping[str, Any], language: str) -> list[str]:
    """What ``nodenetwork.graph_status`` reports, as sentences in ``language``."""
    if status["triples"] is None:
        words = [message("graph_counting", language)]
    else:
        words = [message("graph_holds", language, triples=f"{status['triples']:,}", graphs=status["graphs"])]
    if status.get("storeReachable") is False:
        words = [message("graph_store_unreachable", language)]
    pending = int(status["unsynced"])
    words.append(message("graph_pending", language, count=pending) if pending else message("graph_synced", language))
    set_aside = int(status["setAside"]["count"])
    if set_aside:
        words.append(message("graph_set_aside", language, count=set_aside))
    restarts = int(status["graphProcessRestarts"])
    if restarts:
        words.append(message("graph_restarts", language, count=restarts))
    return words

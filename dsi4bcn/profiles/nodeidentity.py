"""The node's own identity, a setting of its administrators: its name and description in each language,
and its logo.

The settings document uses the profile's terms (``nameMap``, ``summaryMap``, ``icon``) and is checked by
the same value checks, so every problem is listed at once. The logo must be an image uploaded to this node
(one of its ``/media/`` URLs), so that a visitor's browser loads it from this node only. A node that has
none shows the defaults of its pages (``ui.toml``'s ``node_title`` and ``node_intro``, the dsi4bcn mark).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dsi4bcn.profiles.images import own_media_name
from dsi4bcn.profiles.validation import ProfileInvalid
from dsi4bcn.profiles.values import ValueChecker
from vocab.concepts import concept_index

__all__ = ["SETTING_NAME", "NodeIdentity", "normalise_identity", "stored_identity"]

SETTING_NAME = "identity"  # its row in ``node_settings``
_NAME_LIMIT = 100
_SUMMARY_LIMIT = 1000
_FIELDS = ("nameMap", "summaryMap", "icon")


@dataclass(frozen=True)
class NodeIdentity:
    """The node's name and description by language (empty maps when its administrators set none) and the
    ``<sha256>.<ext>`` of its logo among this node's media, if it has one."""

    names: Mapping[str, str] = field(default_factory=dict)
    summaries: Mapping[str, str] = field(default_factory=dict)
    logo: str | None = None

    def name(self, language: str) -> str | None:
        """The name in ``language``, else in any language it has (in the order given), else None."""
        return _in(self.names, language)

    def summary(self, language: str) -> str | None:
        """The description in ``language``, else in any language it has, else None."""
        return _in(self.summaries, language)

    def document(self, base_url: str) -> dict[str, Any]:
        """The settings document, as the API returns it and the database keeps it."""
        icon = f"{base_url.rstrip('/')}/media/{self.logo}" if self.logo else None
        return {"nameMap": dict(self.names), "summaryMap": dict(self.summaries), "icon": icon}


def _in(texts: Mapping[str, str], language: str) -> str | None:
    return texts.get(language) or next(iter(texts.values()), None)


def normalise_identity(body: Any, base_url: str) -> NodeIdentity:
    """A settings document checked and trimmed; raises ``ProfileInvalid`` listing every problem. Whether
    the logo is held is for the caller to check (``NodeIdentity.logo``)."""
    checker = ValueChecker(concept_index())
    if not isinstance(body, dict):
        checker.add("", "not_object")
        raise ProfileInvalid(checker.problems)
    for name in body:
        if name not in _FIELDS:
            checker.add(str(name)[:80], "unknown_setting", field=str(name)[:80])
    names = checker.text_map("nameMap", body.get("nameMap"), _NAME_LIMIT, required=False)
    summaries = checker.text_map("summaryMap", body.get("summaryMap"), _SUMMARY_LIMIT, required=False)
    icon = checker.icon("icon", body["icon"]) if body.get("icon") is not None else None
    logo = own_media_name(icon, base_url) if icon else None
    if icon and logo is None:
        checker.add("icon", "logo_not_local")
    if checker.problems:
        raise ProfileInvalid(checker.problems)
    return NodeIdentity(names or {}, summaries or {}, logo)


def stored_identity(text: str | None, base_url: str) -> NodeIdentity:
    """The identity kept in the database (written only after ``normalise_identity``), or the default."""
    if text is None:
        return NodeIdentity()
    return normalise_identity(json.loads(text), base_url)

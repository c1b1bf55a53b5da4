"""The directory page's facets as HTML, written in Python: at 100,000 profiles a page shows some 250 facet
values, and a Jinja2 loop over them cost more than the query itself (see docs/benchmarks.md).

Each facet is a ``<details>`` disclosure (open when it is filtered on or short) with a fieldset of
checkboxes, one per value, largest count first, each with its count; every text is escaped.
"""

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from dsi4bcn.i18n import UI

__all__ = ["facet_lists"]

_OPEN_BELOW = 4  # a facet with this many values or fewer starts open


def _value(facet: str, value: Mapping[str, Any]) -> str:
    key = escape(value["key"])
    checked = " checked" if value["selected"] else ""
    return (
        f'<li><label><input type="checkbox" name="{facet}" value="{key}"{checked}> {escape(value["label"])}'
        f' <span class="count" data-key="{key}">{int(value["count"])}</span></label></li>'
    )


def facet_lists(
    facets: Sequence[str], values: Mapping[str, Sequence[Mapping[str, Any]]], filtered: Collection[str], language: str
) -> Markup:
    """Every facet with values, in ``facets`` order: ``values`` as ``/api/directory`` gives them (``key``,
    ``label``, ``count``, ``selected``), ``filtered`` the facets with a filter in force."""
    parts: list[str] = []
    for facet in facets:
        shown = values.get(facet) or ()
        if not shown:
            continue
        name = escape(UI[f"facet_{facet}"][language])
        opened = " open" if facet in filtered or len(shown) <= _OPEN_BELOW else ""
        items = "".join(_value(facet, value) for value in sorted(shown, key=lambda v: v["count"], reverse=True))
        parts.append(
            f'<details class="facet" data-facet="{facet}"{opened}><summary>{name}</summary><fieldset>'
            f'<legend class="visually-hidden">{name}</legend><ul>{items}</ul></fieldset></details>'
        )
    return Markup("".join(parts))  # noqa: S704 - every text escaped above; facet names are FACETS' own

"""The directory page's facets as HTML, written in Python: at 100,000 profiles a page shows some 250 facet
values, and a Jinja2 loop over them cost more than the query itself (see docs/benchmarks.md).

Each facet is a ``<details>`` disclosure (open when it is filtered on or short) with a fieldset of
checkboxes, one per value, largest count first, each with its count; every text is escaped.
"""

from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from dsi4bcn.directory.formats import facet_label
from dsi4bcn.i18n import UI

__all__ = ["facet_lists"]

_OPEN_BELOW = 4  # a facet with this many values or fewer starts open


@lru_cache(maxsize=64)  # facets × languages × this node's names
def _facet_parts(facet: str, language: str, own_source: str) -> dict[str, tuple[str, str]]:
    """Each value's parts that do not change (filled in as values are first shown): its checkbox without
    its state, and its label up to its count."""
    return {}


def _value_parts(facet: str, key: str, language: str, own_source: str) -> tuple[str, str]:
    value = escape(key)
    label = escape(facet_label(facet, key, language, own_source))
    return (
        f'<li><label><input type="checkbox" name="{facet}" value="{value}"',
        f'> {label} <span class="count" data-key="{value}">',
    )


_MAX_PARTS = 4096  # values kept per facet and language (the vocabulary has far fewer; peers' names vary)


def facet_lists(
    facets: Sequence[str],
    counts: Mapping[str, Sequence[tuple[str, int]]],
    chosen: Mapping[str, Collection[str]],
    language: str,
    own_source: str,
) -> Markup:
    """Every facet with values, in ``facets`` order: ``counts`` each facet's ``(key, count)`` pairs as the
    engine gives them, ``chosen`` the keys filtered on by facet, ``own_source`` this node's authority (its
    values are labelled "this node")."""
    parts: list[str] = []
    for facet in facets:
        shown = counts.get(facet) or ()
        if not shown:
            continue
        name = escape(UI[f"facet_{facet}"][language])
        selected = chosen.get(facet, ())
        opened = " open" if selected or len(shown) <= _OPEN_BELOW else ""
        items = []
        known = _facet_parts(facet, language, own_source)
        for key, count in sorted(shown, key=lambda pair: pair[1], reverse=True):
            pieces = known.get(key)
            if pieces is None:
                pieces = _value_parts(facet, key, language, own_source)
                if len(known) < _MAX_PARTS:
                    known[key] = pieces
            head, tail = pieces
            items.append(f"{head}{' checked' if key in selected else ''}{tail}{int(count)}</span></label></li>")
        parts.append(
            f'<details class="facet" data-facet="{facet}"{opened}><summary>{name}</summary><fieldset>'
            f'<legend class="visually-hidden">{name}</legend><ul>{"".join(items)}</ul></fieldset></details>'
        )
    return Markup("".join(parts))  # noqa: S704 - every text escaped above; facet names are FACETS' own

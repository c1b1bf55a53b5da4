""" "Did you mean": the profile terms and the concepts nearest to a name that is neither.

A misspelt term (``neds``, ``name``) is compared with the terms the document may have; a concept that is
unknown or in the wrong scheme (``area:makers``, ``workshop-space``) is compared, by its code, with the
codes and the labels (every language, case and accents folded) of the concepts the field accepts. An exact
code or label in the right scheme comes first, then labels and codes that start with what was written,
then the closest spellings (``difflib``). The suggestions travel in a problem's ``suggestions`` parameter,
which ``dsi4bcn.i18n.message`` puts into words.
"""

import difflib
import unicodedata
from collections.abc import Iterable

from vocab.concepts import Concept, ConceptIndex

__all__ = ["MAX_SUGGESTIONS", "suggest_concepts", "suggest_term"]

MAX_SUGGESTIONS = 3
# Longer names are not compared: no term or concept code is near that long, and comparing costs time.
_LONGEST = 64
_PREFIX_AT_LEAST = 3  # shorter beginnings ("a", "op") would match too much
_CUTOFF = 0.6

# Words people write for a term that spelling alone would not find.
_SYNONYMS = {
    "name": "nameMap",
    "title": "nameMap",
    "summary": "summaryMap",
    "description": "summaryMap",
    "logo": "icon",
    "header": "image",
    "banner": "image",
    "neighbourhood": "basedIn",
    "neighborhood": "basedIn",
    "district": "basedIn",
    "place": "basedIn",
    "status": "projectStatus",
    "url": "website",
    "web": "website",
    "phone": "telephone",
    "mail": "email",
    "contact": "contacts",
    "founded": "foundingDate",
    "start": "startDate",
    "end": "endDate",
    "skills": "offers",
}


def suggest_term(name: str, terms: Iterable[str]) -> list[str]:
    """The terms among ``terms`` that ``name`` probably meant (``neds`` → ``needs``, ``name`` →
    ``nameMap``), best first; empty if none is near."""
    allowed = list(terms)
    if not name or len(name) > _LONGEST:
        return []
    by_folded = {term.casefold(): term for term in allowed}
    folded = name.strip().casefold()
    synonym = _SYNONYMS.get(folded)
    found = [synonym] if synonym in allowed else []
    found += [by_folded[f] for f in (folded, folded + "map", folded + "s") if f in by_folded]
    found += [by_folded[f] for f in difflib.get_close_matches(folded, list(by_folded), MAX_SUGGESTIONS, _CUTOFF)]
    return [term for term in dict.fromkeys(found) if term != name][:MAX_SUGGESTIONS]


def _fold(text: str) -> str:
    """Lowercase, without accents, words joined by single hyphens: ``Impressió 3D`` → ``impressio-3d``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in plain).split())


def _code_written(reference: str) -> str:
    """The code part of what was written: after the last ``/`` of an IRI, or after ``scheme:``."""
    text = reference.strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    elif ":" in text:
        text = text.split(":", 1)[1]
    return _fold(text)


def suggest_concepts(reference: str, schemes: tuple[str, ...], concepts: ConceptIndex) -> list[str]:
    """The concepts of ``schemes`` nearest to ``reference`` (which names none of them), as ``scheme:code``,
    best first: ``area:makers`` → ``area:maker``, ``workshop-space`` → ``skill:workshop-space``."""
    key = _code_written(reference)
    if not key or len(key) > _LONGEST:
        return []
    names: dict[str, list[Concept]] = {}  # a folded code or label → the concepts it names
    for scheme in schemes:
        for concept in concepts.in_scheme(scheme):
            for name in (concept.code, *concept.labels.values()):
                names.setdefault(_fold(name), []).append(concept)
    exact = names.get(key, [])
    if exact:
        return list(dict.fromkeys(concept.curie for concept in exact))[:MAX_SUGGESTIONS]
    beginning = (
        [c for name, named in names.items() if name.startswith(key) for c in named]
        if len(key) >= _PREFIX_AT_LEAST
        else []
    )
    close = [c for name in difflib.get_close_matches(key, list(names), MAX_SUGGESTIONS, _CUTOFF) for c in names[name]]
    found = dict.fromkeys(concept.curie for concept in (*beginning, *close))
    return [curie for curie in found if curie != reference.strip()][:MAX_SUGGESTIONS]

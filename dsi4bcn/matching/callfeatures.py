"""Read a call for collaboration's matching features from its RDF triples (local and received calls alike).

The triples are those ``vocab.fastld.document_triples`` gives for a published call (an FEP-0837
``vf:Proposal``): its purpose, author, title and content, the concepts its primary intent
(``vf:publishes``) conforms to, its place and its times. The reciprocal intent (what is given in return)
is not matched. Only concepts of the skills scheme are kept, as the index has columns for those alone.
"""

import html
from collections import defaultdict
from collections.abc import Iterable

from dsi4bcn.matching.callmodel import PURPOSES, CallFeatures, parse_time
from dsi4bcn.matching.features import AS, DSI, RDF_TYPE, read_place, strip_tags
from dsi4bcn.profiles.ntriples import Triple
from vocab.concepts import concept_index

__all__ = ["PROPOSAL", "call_from_triples"]

VF = "https://w3id.org/valueflows/ont/vf#"
PROPOSAL = VF + "Proposal"
_Term = tuple[str, ...]


def call_from_triples(
    call: str,
    triples: Iterable[Triple],
    sectors: frozenset[str] | None = None,
    organisation: str | None = None,
) -> CallFeatures | None:
    """The matching features of ``call``; None unless it is a ``vf:Proposal`` with a purpose (request or
    offer) and an author.

    The author's sectors and, when the author is a project, its organisation are passed in (the call's
    triples do not hold them). The place is the call's neighbourhood (and that neighbourhood's district)
    or district, its location the given point or the neighbourhood's centroid.
    """
    subjects: dict[_Term, dict[str, list[_Term]]] = defaultdict(lambda: defaultdict(list))
    for subject, predicate, value in triples:
        subjects[subject][predicate[1]].append(value)
    about = subjects.get(("iri", call), {})
    if PROPOSAL not in {value[1] for value in about.get(RDF_TYPE, [])}:
        return None
    purpose = next((value[1] for value in about.get(VF + "purpose", []) if value[0] == "literal"), None)
    author = next((value[1] for value in about.get(AS + "attributedTo", []) if value[0] == "iri"), None)
    if purpose not in PURPOSES or author is None:
        return None
    skills = {concept.iri for concept in concept_index().in_scheme("skill")}
    concepts = frozenset(
        value[1]
        for intent in about.get(VF + "publishes", [])
        for value in subjects.get(intent, {}).get(VF + "resourceConformsTo", [])
        if value[0] == "iri" and value[1] in skills
    )
    based_in = frozenset(value[1] for value in about.get(DSI + "basedIn", []) if value[0] == "iri")
    blanks = {subject: values for subject, values in subjects.items() if subject[0] == "blank"}
    neighbourhood, district, latitude, longitude = read_place(based_in, about.get(AS + "location", []), blanks)
    names = {value[3]: value[1] for value in about.get(AS + "name", []) if value[0] == "literal"}
    bodies = [
        strip_tags(html.unescape(value[1]))
        for predicate in (AS + "summary", AS + "content")
        for value in about.get(predicate, [])
        if value[0] == "literal"
    ]
    return CallFeatures(
        id=call,
        author=author,
        purpose=purpose,
        concepts=concepts,
        organisation=organisation,
        sectors=sectors or frozenset(),
        neighbourhood=neighbourhood,
        district=district,
        latitude=latitude,
        longitude=longitude,
        names=names,
        text=" ".join([*dict.fromkeys(names.values()), *dict.fromkeys(bodies)]),
        begins=_time(about.get(VF + "hasBeginning", [])),
        ends=_time(about.get(VF + "hasEnd", [])),
        deadline=_time(about.get(DSI + "deadline", [])),
    )


def _time(values: list[_Term]) -> str | None:
    """The first literal that is an xsd:dateTime, as written; None if there is none."""
    for value in values:
        if value[0] == "literal" and parse_time(value[1]) is not None:
            return value[1]
    return None

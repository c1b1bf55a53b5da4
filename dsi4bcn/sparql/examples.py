"""Example queries for researchers, shown on the ``/sparql`` page in Catalan, Spanish and English."""

from collections.abc import Mapping

__all__ = ["EXAMPLES", "PREFIXES"]

PREFIXES = """PREFIX as: <https://www.w3.org/ns/activitystreams#>
PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

_QUERIES: list[tuple[dict[str, str], str]] = [
    (
        {"ca": "Projectes per àmbit DSI", "es": "Proyectos por ámbito DSI", "en": "Projects per DSI area"},
        """SELECT ?area ?label (COUNT(DISTINCT ?project) AS ?projects) WHERE {
  ?project a dsi:Project ; dsi:area ?area .
  ?area skos:prefLabel ?label . FILTER(lang(?label) = "en")
} GROUP BY ?area ?label ORDER BY DESC(?projects)""",
    ),
    (
        {
            "ca": "Projectes de Sant Martí (barris inclosos)",
            "es": "Proyectos de Sant Martí (barrios incluidos)",
            "en": "Projects in Sant Martí (neighbourhoods included)",
        },
        """SELECT ?project ?name WHERE {
  ?project a dsi:Project ; as:name ?name ; dsi:basedIn/skos:broader* <https://w3id.org/dsi4bcn/district/10> .
  FILTER(lang(?name) = "ca")
}""",
    ),
    (
        {
            "ca": "Qui ofereix el que un projecte necessita",
            "es": "Quién ofrece lo que un proyecto necesita",
            "en": "Who offers what a project needs",
        },
        """SELECT ?needing ?offering ?skill WHERE {
  ?needing dsi:needs ?skill . ?offering dsi:offers ?skill .
  FILTER(?needing != ?offering)
} LIMIT 100""",
    ),
    (
        {
            "ca": "D'on ve cada perfil (procedència)",
            "es": "De dónde viene cada perfil (procedencia)",
            "en": "Where each profile comes from (provenance)",
        },
        """SELECT ?graph ?source ?updated WHERE {
  GRAPH <urn:dsi4bcn:provenance> { ?graph prov:wasAttributedTo ?source ; dcterms:modified ?updated }
} ORDER BY DESC(?updated)""",
    ),
    (
        {
            "ca": "Organitzacions per sector de la quàdruple hèlix",
            "es": "Organizaciones por sector de la cuádruple hélice",
            "en": "Organisations per quadruple-helix sector",
        },
        """SELECT ?sector (COUNT(?organisation) AS ?organisations) WHERE {
  ?organisation a <http://www.w3.org/ns/org#Organization> ; dsi:sector ?sector .
} GROUP BY ?sector""",
    ),
]

EXAMPLES: Mapping[str, list[dict[str, str]]] = {
    language: [{"title": titles[language], "query": PREFIXES + query} for titles, query in _QUERIES]
    for language in ("ca", "es", "en")
}

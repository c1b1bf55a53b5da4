"""The dsi4bcn vocabulary: JSON-LD context, ontology, SKOS concept schemes and SHACL shapes.

Data files are the source of truth; the modules here only load them. This package imports nothing from
``federation`` or ``dsi4bcn``.
"""

from vocab.namespace import DSI, NS_IRI

__all__ = ["DSI", "NS_IRI"]

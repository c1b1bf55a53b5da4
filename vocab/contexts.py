"""JSON-LD contexts and a document loader that never touches the network.

Published documents name only the ActivityStreams and security context URLs (which Mastodon, Fedify and
pyld ship with) and carry the dsi4bcn terms inline, because ``w3id.org/dsi4bcn`` is an identifier, not a
document a consumer can download. The loader serves exactly the bundled contexts and refuses every other
URL, so processing a hostile document can never make us fetch anything.
"""

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pyld import BUNDLED_CONTEXTS, FrozenDocumentLoader

__all__ = [
    "AS_CONTEXT",
    "DSI_CONTEXT_URL",
    "PROPOSALS_CONTEXT_URL",
    "SECURITY_CONTEXT",
    "bundled_context_urls",
    "document_loader",
    "dsi_context",
    "proposal_context",
    "proposals_context",
    "published_context",
]

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
# An identifier for the dsi4bcn context, for clients that prefer to name it; it is served from the
# bundle, never fetched.
DSI_CONTEXT_URL = "https://w3id.org/dsi4bcn/context.jsonld"
# The terms of calls for collaboration: ValueFlows and the Ontology of units of Measure as FEP-0837 uses
# them (FEP-0837 carries them inline; there is no ValueFlows context to download), plus ``dsi:deadline``.
PROPOSALS_CONTEXT_URL = "https://w3id.org/dsi4bcn/proposals.jsonld"


def _read_context(name: str) -> dict[str, Any]:
    text = resources.files("vocab").joinpath(name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def _dsi_context_document() -> dict[str, Any]:
    return _read_context("context.jsonld")


@cache
def _proposals_context_document() -> dict[str, Any]:
    return _read_context("proposals.jsonld")


def dsi_context() -> dict[str, Any]:
    """Return a fresh copy of the dsi4bcn term definitions (the object under ``@context``)."""
    return copy.deepcopy(_dsi_context_document()["@context"])


def proposals_context() -> dict[str, Any]:
    """Return a fresh copy of the ValueFlows terms of calls for collaboration (FEP-0837's, and ``deadline``)."""
    return copy.deepcopy(_proposals_context_document()["@context"])


def proposal_context() -> list[Any]:
    """Return the ``@context`` of a published call (and of the activities around it): AS, dsi4bcn and
    ValueFlows terms inline, so that a consumer needs nothing but the ActivityStreams context it ships."""
    return [AS_CONTEXT, dsi_context(), proposals_context()]


def published_context() -> list[Any]:
    """Return the ``@context`` every published document carries: AS, security, dsi4bcn inline."""
    return [AS_CONTEXT, SECURITY_CONTEXT, dsi_context()]


def _bundle() -> dict[str, dict[str, Any] | Path]:
    documents: dict[str, dict[str, Any] | Path] = dict(BUNDLED_CONTEXTS)
    documents[DSI_CONTEXT_URL] = _dsi_context_document()
    documents[PROPOSALS_CONTEXT_URL] = _proposals_context_document()
    return documents


def bundled_context_urls() -> frozenset[str]:
    """The context URLs the loader can serve; any other is refused."""
    return frozenset(_bundle())


def document_loader(extra: Mapping[str, dict[str, Any]] | None = None) -> FrozenDocumentLoader:
    """A pyld document loader serving only bundled contexts (plus ``extra``), never the network."""
    documents = _bundle()
    if extra:
        documents.update(extra)
    return FrozenDocumentLoader(documents=documents)

"""The published JSON-LD context and the loader that serves only bundled contexts (``vocab.contexts``)."""

import pytest
from pyld import jsonld

from vocab.contexts import (
    AS_CONTEXT,
    DSI_CONTEXT_URL,
    SECURITY_CONTEXT,
    bundled_context_urls,
    document_loader,
    dsi_context,
    published_context,
)
from vocab.namespace import NS_IRI


def test_context_prefixes_expand_to_concept_iris_with_bundled_contexts_only() -> None:
    document = {
        "@context": published_context(),
        "id": "https://node.example/projects/p",
        "type": ["Group", "Project"],
        "areas": ["area:open-data"],
        "basedIn": "neighbourhood:68",
        "needs": ["skill:web-development"],
    }
    expanded = jsonld.expand(document, {"documentLoader": document_loader()})
    node = expanded[0]
    assert node["@type"] == ["https://www.w3.org/ns/activitystreams#Group", NS_IRI + "Project"]
    assert node[NS_IRI + "area"] == [{"@id": "https://w3id.org/dsi4bcn/area/open-data"}]
    assert node[NS_IRI + "basedIn"] == [{"@id": "https://w3id.org/dsi4bcn/neighbourhood/68"}]
    # Every concept prefix in the context names a real scheme.
    context = dsi_context()
    for scheme in ("area", "sector", "district", "neighbourhood", "skill", "sdg", "status"):
        assert context[scheme] == f"https://w3id.org/dsi4bcn/{scheme}/"


def test_published_context_names_only_bundled_urls() -> None:
    context = published_context()
    assert context[:2] == [AS_CONTEXT, SECURITY_CONTEXT]
    assert isinstance(context[2], dict)
    assert {AS_CONTEXT, SECURITY_CONTEXT, DSI_CONTEXT_URL} <= bundled_context_urls()


@pytest.mark.parametrize(
    "url",
    ["https://example.org/context.jsonld", "file:///etc/passwd", "http://127.0.0.1:9/ctx", "http://[::1]/c"],
)
def test_loader_refuses_any_other_context(url: str) -> None:
    document = {"@context": [AS_CONTEXT, url], "id": "https://node.example/x", "name": "x"}
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document, {"documentLoader": document_loader()})

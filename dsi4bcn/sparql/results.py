"""Serialise SPARQL results ourselves, so that a result cap can stop reading a lazy result stream.

Formats: SPARQL 1.1 Query Results JSON and XML, CSV and TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/).
Terms are pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``, ``Triple``).
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["SELECT_FORMATS", "serialize_boolean", "serialize_select"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SELECT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


def _kind(term: Any) -> str:
    return type(term).__name__


def _json_term(term: Any) -> dict[str, Any]:
    kind = _kind(term)
    if kind == "NamedNode":
        return {"type": "uri", "value": term.value}
    if kind == "BlankNode":
        return {"type": "bnode", "value": term.value}
    if kind == "Literal":
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Any) -> str:
    kind = _kind(term)
    if kind == "NamedNode":
        return f"<uri>{escape(term.value)}</uri>"
    if kind == "BlankNode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if kind == "Literal":
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    kind = _kind(term)
    text = term.value if kind in ("NamedNode", "Literal") else f"_:{term.value}" if kind == "BlankNode" else str(term)
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_value(term: Any) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_select(
    variables: Sequence[str], rows: Iterable[Sequence[Any]], media_format: str, cap: int
) -> tuple[bytes, int, bool]:
    """Serialise at most ``cap`` rows; ``(body, rows written, truncated)``."""
    written = 0
    truncated = False
    kept: list[Sequence[Any]] = []
    for row in rows:
        if written >= cap:
            truncated = True
            break
        kept.append(row)
        written += 1
    if media_format == "json":
        bindings = [
            {name: _json_term(value) for name, value in zip(variables, row, strict=True) if value is not None}
            for row in kept
        ]
        body = json.dumps(
            {"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
    elif media_format == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts.extend(f"<variable name={quoteattr(name)}/>" for name in variables)
        parts.append("</head><results>")
        for row in kept:
            parts.append("<result>")
            parts.extend(
                f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
                for name, value in zip(variables, row, strict=True)
                if value is not None
            )
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        body = "".join(parts).encode("utf-8")
    elif media_format == "csv":
        lines = [",".join(variables)] + [",".join(_csv_value(value) for value in row) for row in kept]
        body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    else:
        lines = ["\t".join(f"?{name}" for name in variables)] + ["\t".join(_tsv_value(v) for v in row) for row in kept]
        body = ("\n".join(lines) + "\n").encode("utf-8")
    return body, written, truncated


def serialize_boolean(value: bool, media_format: str) -> bytes:
    """An ASK result."""
    if media_format == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_format == "xml":
        return (
            f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()

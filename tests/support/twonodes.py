"""Two peered nodes for browser tests of the network as a visitor sees it: node A with the demo data, node B
with a Gràcia fabrication workshop and two projects (one offers 3D printing, one needs it), aggregated by A."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

__all__ = ["PEER_PROFILES", "TwoNodes", "directory", "two_nodes"]

ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
# B's profiles, in the order they are written: (admin API path, document).
PEER_PROFILES: list[tuple[str, dict[str, Any]]] = [
    (
        "/api/organisations/fabrica-oberta",
        {
            "nameMap": {
                "ca": "Fàbrica Oberta de Gràcia",
                "es": "Fábrica Abierta de Gràcia",
                "en": "Gràcia Open Factory",
            },
            "summaryMap": {
                "ca": "Un ateneu de fabricació gestionat pel veïnat de la Vila de Gràcia.",
                "es": "Un ateneo de fabricación gestionado por el vecindario de la Vila de Gràcia.",
                "en": "A fabrication workshop run by the neighbours of la Vila de Gràcia.",
            },
            "sectors": ["sector:civil-society"],
            "areas": ["area:maker"],
            "offers": ["skill:laser-cutting"],
            "basedIn": "neighbourhood:31",
            "location": {"latitude": 41.4027, "longitude": 2.1568, "name": "Carrer de Verdi, Gràcia"},
        },
    ),
    (
        "/api/projects/impressores",
        {
            "organisation": "fabrica-oberta",
            "nameMap": {"ca": "Impressores al Carrer", "es": "Impresoras en la Calle", "en": "Printers in the Street"},
            "summaryMap": {
                "ca": "Un taller d'impressió 3D a les places de la Salut, obert a tothom.",
                "es": "Un taller de impresión 3D en las plazas de la Salut, abierto a todo el mundo.",
                "en": "A 3D printing workshop in the squares of la Salut, open to everyone.",
            },
            "areas": ["area:digital-fabrication"],
            "offers": ["skill:3d-printing"],
            "needs": ["skill:funding"],
            "basedIn": "neighbourhood:30",
            "location": {"latitude": 41.4115, "longitude": 2.1530, "name": "Plaça de la Salut"},
            "projectStatus": "status:active",
        },
    ),
    (
        "/api/projects/protesis-obertes",
        {
            "organisation": "fabrica-oberta",
            "nameMap": {"ca": "Pròtesis Obertes", "es": "Prótesis Abiertas", "en": "Open Prosthetics"},
            "summaryMap": {
                "ca": "Famílies i dissenyadores fan mans protèsiques lliures per a infants del Poblenou.",
                "es": "Familias y diseñadoras hacen manos protésicas libres para niños del Poblenou.",
                "en": "Families and designers make free prosthetic hands for children in Poblenou.",
            },
            "areas": ["area:open-hardware"],
            "needs": ["skill:3d-printing"],
            "offers": ["skill:industrial-design"],
            "basedIn": "neighbourhood:68",
            "location": {"latitude": 41.4001, "longitude": 2.2015, "name": "Rambla del Poblenou"},
            "projectStatus": "status:idea",
        },
    ),
]


@dataclass(frozen=True)
class TwoNodes:
    """Node A (demo data, aggregating B) and node B (the profiles above)."""

    a: Node
    b: Node

    @property
    def b_host(self) -> str:
        """B's host and port: its ``source`` key in A's directory."""
        return urlsplit(self.b.base_url).netloc

    @property
    def a_host(self) -> str:
        """A's host and port."""
        return urlsplit(self.a.base_url).netloc

    def theirs(self, path: str) -> str:
        """The IRI of one of B's profiles, e.g. ``projects/impressores``."""
        return f"{self.b.base_url}/{path}"

    def ours(self, path: str) -> str:
        """The IRI of one of A's profiles."""
        return f"{self.a.base_url}/{path}"


def directory(node: Node, query: str | dict[str, str | list[str]] = "") -> dict[str, Any]:
    """What ``/api/directory`` answers for a query string (or a mapping of parameters)."""
    text = query if isinstance(query, str) else urlencode(query, doseq=True)
    answer = fetch(f"{node.base_url}/api/directory?{text}")
    assert answer.status == 200, answer.body[:300]
    data: dict[str, Any] = answer.json()
    return data


@contextmanager
def two_nodes(folder: Path) -> Iterator[TwoNodes]:
    """Start both nodes (one after the other: at the same time, a loaded machine can take longer than a
    node's start-up bound), write B's profiles, peer B into A, and wait until A's directory
    holds every one of B's profiles; stop both at the end."""
    b = start_node(folder / "b", env=ENV)
    try:
        a = start_node(folder / "a", demo=True, env=ENV)
    except BaseException:
        b.stop()
        raise
    nodes = TwoNodes(a=a, b=b)
    try:
        for path, document in PEER_PROFILES:
            assert api(nodes.b.base_url, nodes.b.token, "PUT", path, document).status == 201, path
        assert api(nodes.a.base_url, nodes.a.token, "POST", "/api/peers", {"url": nodes.b.base_url}).status == 202
        within(
            20,
            lambda: directory(nodes.a, {"source": nodes.b_host})["total"] == len(PEER_PROFILES),
            "B's profiles in A's directory",
        )
        yield nodes
    finally:
        nodes.a.stop()
        nodes.b.stop()

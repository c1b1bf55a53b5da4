"""Which requests a pool's secondary worker passes on to the primary."""

import pytest

from dsi4bcn.web.primaryproxy import needs_primary


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/projects/x/inbox"),
        ("POST", "/inbox"),
        ("PUT", "/api/organisations/x"),
        ("DELETE", "/api/peers"),
        ("POST", "/admin/node/identity"),
        ("GET", "/admin"),
        ("GET", "/admin/projects/x/answers"),
        ("GET", "/sparql"),
        ("POST", "/sparql"),
        ("GET", "/graph"),
        ("GET", "/graph/void"),
        ("GET", "/api/loops"),
        ("GET", "/api/calls/abc"),
        ("GET", "/signin"),
        ("GET", "/invitation/token"),
        ("GET", "/follow"),
    ],
)
def test_writes_the_graph_and_the_admin_side_go_to_the_primary(method: str, path: str) -> None:
    assert needs_primary(method, path)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/healthz",
        "/projects/x",
        "/projects/x/outbox",
        "/.well-known/webfinger",
        "/actor",
        "/directory",
        "/api/directory",
        "/api/directory.csv",
        "/api/network/calls",
        "/api/match",
        "/calls",
        "/concepts/skill/3d-printing",
        "/static/site.css",
    ],
)
def test_public_reads_are_answered_by_every_worker(path: str) -> None:
    assert not needs_primary("GET", path)
    assert not needs_primary("HEAD", path)

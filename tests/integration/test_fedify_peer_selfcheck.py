"""The Fedify test peer works with Fedify on both ends: two peer.mjs processes follow, accept and post.

This proves the harness (``tests/support/fedify_peer.py`` + ``tests/peers/fedify/peer.mjs``) before it is
pointed at dsi4bcn: alice@A follows alice@B, B auto-accepts, B posts, A unfollows — every activity signed
by one Fedify and verified by the other before its inbox listener sees it. Then the path dsi4bcn will take:
a minimal draft-cavage-only actor (no RFC 9421, no LD signature, no proof) follows alice and gets her Accept
after Fedify's double knock; unsigned and badly signed deliveries are refused and reported.
"""

import base64
import email.utils
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.support.fedify_peer import FedifyPeer, start_fedify_peer

pytestmark = pytest.mark.peer

WAIT = 20.0  # seconds, for each delivery


@pytest.fixture(scope="module")
def peers() -> Iterator[tuple[FedifyPeer, FedifyPeer]]:
    started: list[FedifyPeer] = []
    try:
        started.append(start_fedify_peer())
        started.append(start_fedify_peer())
        yield started[0], started[1]
    finally:
        for peer in started:
            peer.stop()


def test_the_peers_serve_their_actors(peers: tuple[FedifyPeer, FedifyPeer]) -> None:
    a, b = peers
    assert a.base_url != b.base_url
    assert a.actor_url == f"{a.base_url}/users/alice"
    assert b.actor_url == f"{b.base_url}/users/alice"


def test_follow_accept_post_unfollow(peers: tuple[FedifyPeer, FedifyPeer]) -> None:
    a, b = peers

    # A follows B: B's inbox gets the Follow (verified by B's Fedify) and B auto-accepts.
    followed = a.follow(b.actor_url)
    follow_id = followed["followId"]
    assert follow_id.startswith(f"{a.actor_url}/follows/")
    assert followed["inbox"] == b.inbox_url

    follow = b.wait_for_activity("Follow", WAIT, id=follow_id)
    assert follow["actor"] == a.actor_url
    assert follow["objectId"] == b.actor_url
    assert follow["recipient"] == "alice"
    assert follow["auth"]["httpSignature"] in ("rfc9421", "draft-cavage")
    assert follow["auth"]["keyId"] == f"{a.actor_url}#main-key"
    assert follow["auth"]["verifiedBy"] in ("integrity-proof", "ld-signature", "http-signature")
    assert follow["raw"]["id"] == follow_id
    assert b.followers() == [a.actor_url]

    # A gets B's Accept, which embeds A's Follow. The Follow is from A's origin, not B's, so A's Fedify
    # does not trust the embedded copy (FEP-fe34) and dereferences it from A itself.
    accept = a.wait_for_activity("Accept", WAIT, actor=b.actor_url)
    assert accept["objectId"] == follow_id
    assert accept["objectType"] == "Follow", accept.get("objectError")
    assert accept["object"]["id"] == follow_id
    assert accept["raw"]["object"]["id"] == follow_id  # embedded, not just referenced
    assert a.following() == [{"target": b.actor_url, "followId": follow_id, "state": "accepted", "inbox": b.inbox_url}]
    assert all(entry["ok"] for entry in b.sent()), b.sent()

    # B posts: A (a follower) gets Create{Note} with the Note embedded (same origin, so trusted).
    posted = b.post("<p>Hola des de B!</p>")
    assert posted["followers"] == 1
    create = a.wait_for_activity("Create", WAIT, id=posted["createId"])
    assert create["actor"] == b.actor_url
    assert create["objectType"] == "Note"
    assert create["objectId"] == posted["noteId"]
    assert create["object"]["content"] == "<p>Hola des de B!</p>"
    assert create["object"]["attributedTo"] == b.actor_url
    assert create["object"]["to"] == "as:Public"
    assert create["object"]["cc"] == f"{b.actor_url}/followers"

    # A unfollows: B gets Undo{Follow} and drops the follower.
    undone = a.unfollow(b.actor_url)
    undo = b.wait_for_activity("Undo", WAIT, id=undone["undoId"])
    assert undo["actor"] == a.actor_url
    assert undo["objectType"] == "Follow"
    assert undo["objectId"] == follow_id
    assert b.followers() == []
    assert a.following() == []

    # Nothing was refused on either side.
    assert a.errors() == [], a.errors()
    assert b.errors() == [], b.errors()


def test_an_unsigned_delivery_is_refused_and_reported(peers: tuple[FedifyPeer, FedifyPeer]) -> None:
    """Fedify refuses a delivery without a signature (401); it never reaches a listener."""
    a, _ = peers
    before = len(a.received())
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://127.0.0.1:9/forged/1",
        "type": "Follow",
        "actor": "http://127.0.0.1:9/users/mallory",
        "object": a.actor_url,
    }
    request = urllib.request.Request(
        a.inbox_url,
        data=json.dumps(activity).encode(),
        method="POST",
        headers={"Content-Type": "application/activity+json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert refused.value.code == 401
    assert len(a.received()) == before
    rejected = [e for e in a.errors() if e["kind"] == "inbox-rejected"]
    assert rejected and rejected[-1]["status"] == 401
    assert rejected[-1]["body"]["id"] == activity["id"]
    assert any("Signature" in log["message"] for log in rejected[-1]["logs"]), rejected[-1]
    a.reset()


class _MiniActor:
    """A minimal ActivityPub actor served from a thread: draft-cavage signing only, like a Mastodon.

    Its inbox answers 401 to RFC 9421 signatures (so Fedify has to "double knock" with draft-cavage) and
    202 to anything else, recording what it got.
    """

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.inbox_posts: list[dict[str, Any]] = []
        mini = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/actor":
                    self.send_error(404)
                    return
                body = json.dumps(mini.actor_document()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                mini.inbox_posts.append({"path": self.path, "headers": headers, "body": json.loads(body)})
                self.send_response(401 if "signature-input" in headers else 202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.actor_url = f"{self.base_url}/actor"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def actor_document(self) -> dict[str, Any]:
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_url,
            "type": "Person",
            "preferredUsername": "mini",
            "inbox": f"{self.base_url}/inbox",
            "publicKey": {"id": f"{self.actor_url}#main-key", "owner": self.actor_url, "publicKeyPem": pem.decode()},
        }

    def post(self, url: str, activity: dict[str, Any], tamper: bool = False) -> int:
        """POST ``activity``, signed draft-cavage: (request-target) host date digest content-type."""
        body = json.dumps(activity).encode()
        target = urllib.parse.urlsplit(url)
        headers = {
            "Host": target.netloc,
            "Date": email.utils.formatdate(usegmt=True),
            "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "Content-Type": "application/activity+json",
        }
        signed = "\n".join(
            [f"(request-target): post {target.path}"] + [f"{name.lower()}: {headers[name]}" for name in headers]
        )
        signature = self.key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        if tamper:
            body = body.replace(b"Follow", b"Like")
        headers["Signature"] = (
            f'keyId="{self.actor_url}#main-key",algorithm="rsa-sha256",'
            f'headers="(request-target) host date digest content-type",'
            f'signature="{base64.b64encode(signature).decode()}"'
        )
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            error.close()
            return int(error.code)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def test_a_draft_cavage_signer_is_verified_and_accepted() -> None:
    """A sender that signs only draft-cavage (as dsi4bcn and Mastodon do) is verified by Fedify, and
    alice's Accept reaches it after Fedify's RFC 9421 → draft-cavage double knock."""
    peer = start_fedify_peer()
    mini = _MiniActor()
    try:
        follow_id = f"{mini.base_url}/follows/1"
        follow = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": follow_id,
            "type": "Follow",
            "actor": mini.actor_url,
            "object": peer.actor_url,
        }

        # A bad signature (body changed after signing) is refused and reported, and reaches no listener.
        assert mini.post(peer.inbox_url, follow, tamper=True) == 401
        assert peer.received() == []
        assert [e["status"] for e in peer.errors() if e["kind"] == "inbox-rejected"] == [401]
        peer.reset()

        assert mini.post(peer.inbox_url, follow) == 202
        got = peer.wait_for_activity("Follow", WAIT, id=follow_id)
        assert got["actor"] == mini.actor_url
        assert got["auth"] == {
            "httpSignature": "draft-cavage",
            "keyId": f"{mini.actor_url}#main-key",
            "ldSignature": False,
            "integrityProof": False,
            "verifiedBy": "http-signature",
        }
        assert peer.followers() == [mini.actor_url]

        # Alice's Accept: first RFC 9421 (our inbox answers 401), then draft-cavage (202).
        deadline = time.monotonic() + WAIT
        while len(mini.inbox_posts) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        knocks = [post for post in mini.inbox_posts if post["path"] == "/inbox"]
        assert [("signature-input" in post["headers"]) for post in knocks] == [True, False], knocks
        cavage = knocks[1]
        assert f'keyId="{peer.actor_url}#main-key"' in cavage["headers"]["signature"]
        accept = cavage["body"]
        assert accept["type"] == "Accept"
        assert accept["actor"] == peer.actor_url
        assert accept["object"] == {
            "id": follow_id,
            "type": "Follow",
            "actor": mini.actor_url,
            "object": peer.actor_url,
        }
        assert accept["id"].startswith(f"{peer.actor_url}/accepts/")
        assert all(entry["ok"] for entry in peer.sent()), peer.sent()
        assert peer.errors() == [], peer.errors()
    finally:
        mini.stop()
        peer.stop()

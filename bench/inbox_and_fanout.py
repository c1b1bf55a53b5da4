"""Signed inbox POSTs accepted per second, and the time to fan one post out to 1,000 followers.

Part 1, in one run: the raw RSA-2048 verify rate of the sender's key (cryptography), a bare aiohttp
handler answering 202 to the same POSTs, and a node's inbox (parse, verify the draft-cavage signature and
digest, check origins, store in SQLite, answer 202). Each inbox request carries a distinct activity, signed
in advance; the load comes from a separate process with a fixed number of requests and connections.

Part 2: 1,000 followers spread over 20 loopback hosts (127.0.0.1 … 127.0.0.20), then one post; the
time from the API call until every follower's inbox has it, with shared inboxes (one POST per host) and
with personal inboxes (one POST per follower).

    .venv/bin/python bench/inbox_and_fanout.py [--requests 6000] [--followers 1000]
"""

import argparse
import base64
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

from federation.keys import generate_key_pair  # noqa: E402
from tests.support.fake_actors import ActorServer  # noqa: E402
from tests.support.http import api, fetch  # noqa: E402
from tests.support.nodes import free_port, start_node  # noqa: E402

ACTIVITY_JSON = "application/activity+json"


def seed_project(node) -> None:
    """One organisation ``o`` and one project ``p`` on the node."""
    api(
        node.base_url,
        node.token,
        "PUT",
        "/api/organisations/o",
        {"nameMap": {"ca": "O"}, "sectors": ["sector:industry"]},
    )
    api(
        node.base_url,
        node.token,
        "PUT",
        "/api/projects/p",
        {"organisation": "o", "nameMap": {"ca": "P"}, "areas": ["area:maker"]},
    )


def signed_requests(url: str, actor: str, key_id: str, private_pem: str, count: int, target: str):
    """``count`` distinct Like activities with draft-cavage signatures (RSA done with cryptography)."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    parts = urlsplit(url)
    requests = []
    for _ in range(count):
        body = json.dumps(
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{actor}/likes/{uuid.uuid4()}",
                "type": "Like",
                "actor": actor,
                "object": target,
            }
        ).encode()
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        date = formatdate(usegmt=True)
        signing = (
            f"(request-target): post {parts.path}\nhost: {parts.netloc}\ndate: {date}\n"
            f"digest: {digest}\ncontent-type: {ACTIVITY_JSON}"
        )
        signature = base64.b64encode(key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
        headers = {
            "Host": parts.netloc,
            "Date": date,
            "Digest": digest,
            "Content-Type": ACTIVITY_JSON,
            "Signature": f'keyId="{key_id}",algorithm="rsa-sha256",headers="(request-target) host date digest '
            f'content-type",signature="{signature}"',
        }
        requests.append((headers, body))
    return requests


def _load(url: str, requests, connections: int, queue) -> None:
    import asyncio

    import aiohttp

    async def main() -> None:
        statuses: dict[int, int] = {}
        position = 0

        async def worker(session: aiohttp.ClientSession) -> None:
            nonlocal position
            while position < len(requests):
                headers, body = requests[position]
                position += 1
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as session:
            start = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*(worker(session) for _ in range(connections))), timeout=300)
            queue.put((time.perf_counter() - start, statuses))

    asyncio.run(main())


def load(url: str, requests, connections: int) -> tuple[float, dict[int, int]]:
    """Send every request from a separate process; ``(requests per second, statuses)``."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_load, args=(url, requests, connections, queue))
    process.start()
    elapsed, statuses = queue.get(timeout=400)
    process.join(30)
    return len(requests) / elapsed, statuses


def wrk_load(url: str, requests, seconds: int, connections: int) -> tuple[float, int]:
    """Replay the pre-signed requests with wrk (1 thread) for ``seconds``; ``(req/s, non-2xx)``."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        for headers, body in requests:
            handle.write(f"{headers['Date']}\t{headers['Digest']}\t{headers['Signature']}\t{body.decode()}\n")
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "-s",
                str(ROOT / "bench" / "signed_posts.lua"),
                url,
                "--",
                handle.name,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        Path(handle.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def raw_verify_rate(public_pem: str, private_pem: str, seconds: float = 2.0) -> float:
    """RSA-2048 PKCS#1 v1.5 SHA-256 verifications per second with cryptography."""
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    public = serialization.load_pem_public_key(public_pem.encode())
    message = b"(request-target): post /inbox\nhost: example\ndate: now"
    signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds and count < 1_000_000:
        public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        count += 1
    return count / (time.perf_counter() - start)


def inbox_benchmark(count: int, connections: int, seconds: int) -> None:
    actors = ActorServer()
    sender = actors.add_actor("sender")
    port = free_port()
    bare = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port)])
    with tempfile.TemporaryDirectory() as folder:
        node = start_node(Path(folder) / "node", env={"DSI4BCN_INBOX_RATE": "1000000"})
        try:
            seed_project(node)
            inbox = f"{node.base_url}/inbox"
            target = f"{node.base_url}/projects/p"
            # Warm up: the node fetches the sender's key once.
            warm = signed_requests(inbox, sender.id, sender.key_id, sender.keys.private_pem, 200, target)
            load(inbox, warm, connections)
            requests = signed_requests(inbox, sender.id, sender.key_id, sender.keys.private_pem, count, target)
            bare_requests = [(headers, body) for headers, body in requests[:count]]
            time.sleep(1.0)
            verify_rate = raw_verify_rate(sender.keys.public_pem, sender.keys.private_pem)
            print(f"raw RSA-2048 verify (cryptography, 1 core): {verify_rate:10.0f} /s")
            if shutil.which("wrk"):
                bare_rate, bare_errors = wrk_load(f"http://127.0.0.1:{port}/inbox", bare_requests, seconds, connections)
                inbox_rate, inbox_errors = wrk_load(inbox, requests, seconds, connections)
                stored = len(api(node.base_url, node.token, "GET", "/api/projects").body)  # keeps the node warm
                print(f"bare aiohttp handler (202), wrk:            {bare_rate:10.0f} req/s  non-2xx {bare_errors}")
                print(f"node inbox (verify, store, 202), wrk:       {inbox_rate:10.0f} req/s  non-2xx {inbox_errors}")
                del stored
            else:
                bare_rate, bare_statuses = load(f"http://127.0.0.1:{port}/inbox", bare_requests, connections)
                inbox_rate, inbox_statuses = load(inbox, requests, connections)
                print(f"bare aiohttp handler (202):                 {bare_rate:10.0f} req/s  {bare_statuses}")
                print(f"node inbox (verify, store, 202):            {inbox_rate:10.0f} req/s  {inbox_statuses}")
            print(f"inbox / bare: {inbox_rate / bare_rate:.2f}")
        finally:
            node.stop()
            bare.terminate()
            bare.wait(10)
            actors.stop()


def fanout_benchmark(followers: int, hosts: int, shared: bool) -> float:
    keys = generate_key_pair()
    servers = [ActorServer(shared_inbox=shared, host=f"127.0.0.{n + 1}", keys=keys) for n in range(hosts)]
    with tempfile.TemporaryDirectory() as folder:
        node = start_node(Path(folder) / "node", env={"DSI4BCN_INBOX_RATE": "1000000"})
        try:
            seed_project(node)
            target = f"{node.base_url}/projects/p"
            url = f"{target}/inbox"
            everyone = []
            for number in range(followers):
                server = servers[number % hosts]
                actor = server.add_actor(f"f{number}")
                follow = {
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "type": "Follow",
                    "id": f"{actor.id}/follows/1",
                    "actor": actor.id,
                    "object": target,
                }
                body = json.dumps(follow).encode()
                assert fetch(url, method="POST", headers=actor.sign(url, body), body=body).status == 202
                everyone.append((server, f"f{number}"))
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                total = fetch(f"{target}/followers", headers={"Accept": ACTIVITY_JSON}).json()["totalItems"]
                if total == followers:
                    break
                time.sleep(0.2)
            time.sleep(2.0)  # let the Accepts go out before measuring
            start = time.perf_counter()
            answer = api(node.base_url, node.token, "POST", "/api/projects/p/notes", {"content": "<p>Hola</p>"})
            create_id = answer.json()["id"]

            # The receivers share this process's GIL: poll every 20 ms and only the inboxes still waiting,
            # so that checking does not slow down what it measures.
            pending = [(server, "shared") for server in servers] if shared else list(everyone)
            while pending and time.perf_counter() - start < 120:
                pending = [
                    (server, name) for server, name in pending if create_id not in server.unique_ids(name, "Create")
                ]
                if pending:
                    time.sleep(0.02)
            return time.perf_counter() - start
        finally:
            node.stop()
            for server in servers:
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    inbox_benchmark(args.requests, args.connections, args.seconds)
    for shared in (True, False):
        seconds = fanout_benchmark(args.followers, args.hosts, shared)
        kind = "shared inboxes" if shared else "personal inboxes"
        print(f"fan-out of one post to {args.followers} followers on {args.hosts} hosts ({kind}): {seconds:.2f} s")


if __name__ == "__main__":
    main()

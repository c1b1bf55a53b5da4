"""What each ``dsi4bcn`` command does: serve a node, or make admin API calls and print their answers.

The arguments are declared in ``dsi4bcn.cli.parser``; ``main`` is the console script.
"""

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from dsi4bcn.cli.apiclient import ApiClient, ApiFailure, RawBody
from dsi4bcn.cli.failures import NODE_REFUSED, CommandFailed, user_language
from dsi4bcn.cli.inputs import (
    IMAGE_TYPES,
    admin_token_from,
    checked_call_id,
    checked_slug,
    checked_url,
    read_bytes,
    read_document,
)
from dsi4bcn.cli.keycommands import key_request
from dsi4bcn.cli.parser import build_parser
from dsi4bcn.config import DEFAULT_DATA_DIR, DEFAULT_PORT
from dsi4bcn.i18n import message

__all__ = ["main"]

_KIND_PATHS = {"organisation": "organisations", "project": "projects"}


def _client(args: argparse.Namespace) -> ApiClient:
    url = getattr(args, "url", None) or os.environ.get("DSI4BCN_URL") or os.environ.get("DSI4BCN_BASE_URL")
    token = getattr(args, "token", None) or os.environ.get("DSI4BCN_ADMIN_TOKEN")
    data_dir = Path(getattr(args, "data_dir", None) or os.environ.get("DSI4BCN_DATA_DIR") or DEFAULT_DATA_DIR)
    if not token:
        token = admin_token_from(data_dir / "admin-token")
    if not token and not getattr(args, "public", False):
        raise CommandFailed("cli_no_token")
    return ApiClient(checked_url(url or f"http://127.0.0.1:{DEFAULT_PORT}"), token)


ApiRequest = tuple[str, str, Any]


def _profile_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call an ``organisation``/``project`` command stands for."""
    base = f"/api/{_KIND_PATHS[args.kind]}"
    if args.action == "put":
        document = read_document(args.file)
        slug = args.slug or document.pop("slug", None)
        document.pop("slug", None)
        if not slug and isinstance(document.get("id"), str):
            slug = document["id"].rstrip("/").rsplit("/", 1)[-1]
        if not slug:
            raise CommandFailed("cli_no_slug")
        return "PUT", f"{base}/{checked_slug(str(slug))}", document
    if args.action == "list":
        return "GET", base, None
    one = f"{base}/{checked_slug(args.slug)}"
    if args.action == "call":
        return "POST", f"{one}/calls", read_document(args.file)
    if args.action == "post":
        return "POST", f"{one}/notes", read_document(args.file) if args.file else {"content": args.content}
    if args.action == "follow":
        return "POST", f"{one}/following", {"target": args.target}
    if args.action == "follow-requests":
        return "GET", f"{one}/follow-requests", None
    if args.action in ("accept", "reject"):
        return "POST", f"{one}/follow-requests/{args.action}", {"actor": args.actor}
    return ("DELETE" if args.action == "delete" else "GET"), one, None


def _blocked_domain_path(domain: str) -> str:
    """The API path of a blocked domain, percent-encoded (the node normalises any spelling of it)."""
    return f"/api/blocked-domains/{quote(domain, safe='')}"


def _blocks_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``blocks`` command stands for."""
    if args.action == "add":
        return "PUT", _blocked_domain_path(args.domain), {"reason": args.reason or ""}
    if args.action == "remove":
        return "DELETE", _blocked_domain_path(args.domain), None
    return "GET", "/api/blocked-domains", None


def _peers_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``peers`` command stands for."""
    if args.action == "add":
        return "POST", "/api/peers", {"url": args.url_of_peer}
    if args.action == "remove":
        return "DELETE", "/api/peers?" + urlencode({"peer": args.url_of_peer}), None
    return "GET", "/api/peers", None


def _settings_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``settings`` command stands for."""
    if args.action == "put":
        return "PUT", "/api/settings", read_document(args.file)
    return "GET", "/api/settings", None


def _media_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``media`` command stands for."""
    if args.action == "upload":
        media_type = IMAGE_TYPES.get(Path(args.file).suffix.lower())
        if media_type is None:
            raise CommandFailed("cli_not_image", path=args.file)
        return "POST", "/api/media", RawBody(read_bytes(args.file), media_type)
    return "GET", "/api/media/failures", None


def _graph_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``graph`` command stands for."""
    if args.action == "rebuild":
        return "POST", "/api/graph/rebuild", None
    return "GET", "/api/graph", None


def _user_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``user`` command stands for."""
    if args.action == "add":
        if args.role == "editor" and not args.organisation:
            raise CommandFailed("cli_editor_needs_organisation")
        organisation = checked_slug(args.organisation) if args.organisation else None
        return "POST", "/api/accounts", {"email": args.email, "role": args.role, "organisation": organisation}
    if args.action == "audit":
        return "GET", "/api/audit", None
    return "GET", "/api/accounts", None


def _call_request(args: argparse.Namespace) -> ApiRequest:
    """The admin API call a ``call`` command stands for."""
    if args.action == "list":
        return "GET", "/api/calls", None
    one = f"/api/calls/{checked_call_id(args.call)}"
    if args.action == "put":
        return "PUT", one, read_document(args.file)
    if args.action == "close":
        return "POST", f"{one}/close", None
    return ("DELETE" if args.action == "delete" else "GET"), one, None


def _match_request(args: argparse.Namespace) -> ApiRequest:
    """The public API call ``match`` stands for."""
    if "://" not in args.iri:
        checked_slug(args.iri)  # a slug, turned into the profile's id once the node is called
    query: dict[str, str] = {"profile": args.iri, "limit": str(args.limit)}
    if args.lang:
        query["lang"] = args.lang
    if args.include_own:
        query["include_own"] = "true"
    for setting in args.weight:
        name, separator, value = setting.partition("=")
        if not separator or not name or not value:
            raise CommandFailed("cli_bad_weight", value=setting)
        query[f"weight_{name}"] = value
    return "GET", "/api/match?" + urlencode(query), None


def _print_matches(answer: dict[str, Any]) -> None:
    """One line per partner: rank, score, kind, name, IRI; then the main reasons, indented."""
    for rank, result in enumerate(answer["results"], 1):
        print(f"{rank:>3}. {result['score']:.3f}  {result['kind']:<12} {result['name']}  <{result['partner']}>")
        explanation = result["explanation"]
        for key, label in (
            ("needsMetByTheirOffers", "your needs, their offers"),
            ("needsRelatedToTheirOffers", "your needs, related offers of theirs"),
            ("theirNeedsMetByYourOffers", "their needs, your offers"),
            ("theirNeedsRelatedToYourOffers", "their needs, related offers of yours"),
        ):
            pairs = explanation.get(key) or []
            if pairs:
                print(f"       {label}: " + ", ".join(f"{p['need']['label']} <- {p['offer']['label']}" for p in pairs))
        for key, label in (("sharedAreas", "shared areas"), ("sharedSdgs", "shared SDGs")):
            concepts = explanation.get(key) or []
            if concepts:
                print(f"       {label}: {', '.join(c['label'] for c in concepts)}")
        place = explanation.get("place") or {}
        if place.get("same") or place.get("distanceKm") is not None:
            print(
                f"       place: same {place['same']}"
                if place.get("same")
                else f"       place: {place['distanceKm']} km"
            )


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width if total == 0 else min(width, width * done // max(total, 1))
    print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)


def _follow_progress(args: argparse.Namespace, client: ApiClient, result: Any) -> str | None:
    """After ``peers add`` or ``graph rebuild``: a progress bar until the work is done (or 10 minutes).
    Why the backfill stopped, if the peer's resync failed; else None."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if args.command == "peers":
            peer = next((p for p in client.call("GET", "/api/peers") if p["actor"] == result["actor"]), None)
            if peer is None:
                return None
            backfill = peer["backfill"]
            _progress(backfill["done"], backfill["total"], "backfill")
            if peer["lastSync"] != result["lastSync"]:  # a peer added again keeps its last sync's time
                print(file=sys.stderr)
                return None
            if peer["lastError"]:  # cleared when the peer was added
                print(file=sys.stderr)
                return str(peer["lastError"])
        else:
            status = client.call("GET", "/api/graph")
            total = max(int(result.get("rebuilding", 0)), 1)
            _progress(total - min(status["unsynced"], total), total, "rebuild")
            if status["unsynced"] == 0:
                print(file=sys.stderr)
                return None
        time.sleep(0.5)
    return None


def _profile_iri(client: ApiClient, reference: str) -> str:
    """The id of the profile ``match`` asks for: ``reference`` if it is a URL, else the id of the node's
    project or organisation with that slug (from the admin API with a token, else its actor document)."""
    if "://" in reference:
        return reference
    slug = checked_slug(reference)
    prefix = "/api" if client.token else ""
    for path in _KIND_PATHS.values():
        try:
            document = client.call("GET", f"{prefix}/{path}/{slug}")
        except ApiFailure as failure:
            if failure.status in (404, 410):
                continue
            raise
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            return str(document["id"])
    raise CommandFailed("cli_no_profile", NODE_REFUSED, slug=slug, url=client.base_url)


def _print_result(args: argparse.Namespace, result: Any) -> None:
    """A command's answer on standard output: matches and lists as lines, anything else as JSON."""
    if args.command == "match" and not args.json:
        _print_matches(result)
    elif args.command == "user" and args.action == "add":
        print(message("cli_invitation_made", user_language(), email=result["email"], expires=result["expires"]))
        print(result["invitation"])
    elif args.action == "list" and getattr(args, "kind", None) and not args.json:
        for item in result:
            names = item.get("nameMap", {})
            print(f"{item['slug']}\t{names.get('ca') or next(iter(names.values()), '')}")
    else:
        if (
            args.action in ("get", "put")
            and getattr(args, "kind", None)
            and not args.json_ld
            and isinstance(result, dict)
        ):
            result.pop("@context", None)  # the same for every profile; put takes the rest back without it
        print(json.dumps(result, ensure_ascii=False, indent=2))


def _api_command(build: Callable[[argparse.Namespace], ApiRequest]) -> Callable[[argparse.Namespace], int]:
    """A command that makes one admin API call: 0 done, 1 the node refused, 2 bad local input (bad local
    input raises ``CommandFailed``, which ``main`` says)."""

    def run(args: argparse.Namespace) -> int:
        try:
            method, path, body = build(args)  # every local input is checked before the node is called
            client = _client(args)
            if args.command == "match" and "://" not in args.iri:
                args.iri = _profile_iri(client, args.iri)
                method, path, body = build(args)
            result = client.call(method, path, body)
            stopped = None
            if args.action in ("add", "rebuild") and args.command in ("peers", "graph") and not args.no_wait:
                stopped = _follow_progress(args, client, result)
        except ApiFailure as failure:
            print(f"dsi4bcn: {failure.describe()}", file=sys.stderr)
            return NODE_REFUSED
        _print_result(args, result)
        if stopped:
            print(f"dsi4bcn: {message('cli_backfill_failed', user_language(), error=stopped)}", file=sys.stderr)
            return NODE_REFUSED
        return 0

    return run


_REQUESTS: Mapping[str, Callable[[argparse.Namespace], ApiRequest]] = {
    **dict.fromkeys(_KIND_PATHS, _profile_request),
    "blocks": _blocks_request,
    "peers": _peers_request,
    "settings": _settings_request,
    "graph": _graph_request,
    "media": _media_request,
    "match": _match_request,
    "user": _user_request,
    "call": _call_request,
    "key": key_request,
}


# The commands that run here rather than call a node: each module is imported only when its command runs,
# so that a call to a node does not pay for the web server's, the backup's or the doctor's imports.
_LOCAL = {
    "serve": ("dsi4bcn.cli.servecommand", "serve_command"),
    "backup": ("dsi4bcn.cli.backupcommands", "run_backup"),
    "restore": ("dsi4bcn.cli.backupcommands", "run_restore"),
    "doctor": ("dsi4bcn.cli.doctor", "run_doctor"),
    "graph adopt": ("dsi4bcn.cli.graphadopt", "run_adopt"),  # an action of an API command that runs here
}


def _local_command(args: argparse.Namespace) -> Callable[[argparse.Namespace], int] | None:
    key = next((key for key in (f"{args.command} {getattr(args, 'action', '')}", args.command) if key in _LOCAL), None)
    if key is None:
        return None
    module, name = _LOCAL[key]
    run: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
    return run


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    run = _local_command(args) or _api_command(_REQUESTS[args.command])
    try:
        return run(args)
    except CommandFailed as failed:
        print(f"dsi4bcn: {failed.describe(user_language())}", file=sys.stderr)
        return failed.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``dsi4bcn project list | head``): stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141

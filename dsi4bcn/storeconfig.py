"""Where the aggregated graph lives: the embedded Oxigraph store (nothing to configure) or an external engine.

An external SPARQL 1.1 store is named by three URLs, each a flag or an environment variable:
``--graph-store-query`` (``DSI4BCN_GRAPH_STORE_QUERY``, the SPARQL 1.1 Query endpoint),
``--graph-store-update`` (``DSI4BCN_GRAPH_STORE_UPDATE``, the SPARQL 1.1 Update endpoint) and
``--graph-store-gsp`` (``DSI4BCN_GRAPH_STORE_GSP``, the Graph Store HTTP Protocol endpoint, which takes
``?graph=IRI``). The query URL alone is not enough: all three or none. Credentials, where the engine asks
for them: ``--graph-store-user`` (``DSI4BCN_GRAPH_STORE_USER``), the password from
``DSI4BCN_GRAPH_STORE_PASSWORD`` or from the file named by ``--graph-store-password-file``
(``DSI4BCN_GRAPH_STORE_PASSWORD_FILE``), never on the command line, and ``--graph-store-auth`` (``basic``,
the default, or ``digest``, which Virtuoso's ``/sparql-auth`` asks for; ``DSI4BCN_GRAPH_STORE_AUTH``).
``--graph-store-dataset`` (``DSI4BCN_GRAPH_STORE_DATASET``) says how a query sees the node's graphs:
``explicit`` (the default) names them all in each query (``default-graph-uri``/``named-graph-uri``), so that
nothing else the engine holds is seen; ``engine`` leaves the dataset to the engine, whose default graph must
then be the union of its graphs (``oxigraph serve --union-default-graph``; Virtuoso's default), for
aggregators with too many graphs to name in every request.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["AUTH_SCHEMES", "StoreConfig", "StoreConfigError", "load_store_config"]

AUTH_SCHEMES = ("basic", "digest")
DATASETS = ("explicit", "engine")
# Option name (as in --graph-store-NAME and DSI4BCN_GRAPH_STORE_NAME) of each URL.
_URLS = ("query", "update", "gsp")


class StoreConfigError(ValueError):
    """A graph store setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class StoreConfig:
    """An external SPARQL 1.1 store and how to sign in to it."""

    query_url: str
    update_url: str
    gsp_url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"
    dataset: str = "explicit"


def _url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreConfigError(f"{name} must be an absolute http(s) URL, not {value!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise StoreConfigError(f"{name} must have no query, fragment or credentials (use --graph-store-user)")
    return value


def _password(env: Mapping[str, str], password_file: str | None) -> str | None:
    path = password_file or env.get("DSI4BCN_GRAPH_STORE_PASSWORD_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip("\r\n")
        except OSError as error:
            raise StoreConfigError(f"cannot read the graph store password file {path}: {error.strerror}") from error
    return env.get("DSI4BCN_GRAPH_STORE_PASSWORD") or None


def load_store_config(flags: Mapping[str, str | None], env: Mapping[str, str]) -> StoreConfig | None:
    """The external store named by ``flags`` (``query``, ``update``, ``gsp``, ``user``, ``auth``,
    ``password_file``, ``dataset``) or else by the environment; None for the embedded store; ``StoreConfigError``."""

    def chosen(name: str) -> str | None:
        return flags.get(name) or env.get(f"DSI4BCN_GRAPH_STORE_{name.upper()}") or None

    urls = {name: chosen(name) for name in _URLS}
    user, auth = chosen("user"), (chosen("auth") or "basic").lower()
    if not any(urls.values()):
        if user:
            raise StoreConfigError("--graph-store-user needs the graph store's URLs")
        return None
    missing = [f"--graph-store-{name}" for name, value in urls.items() if not value]
    if missing:
        raise StoreConfigError(f"an external graph store needs all three URLs; missing {', '.join(missing)}")
    if auth not in AUTH_SCHEMES:
        raise StoreConfigError(f"--graph-store-auth must be basic or digest, not {auth!r}")
    dataset = (chosen("dataset") or "explicit").lower()
    if dataset not in DATASETS:
        raise StoreConfigError(f"--graph-store-dataset must be explicit or engine, not {dataset!r}")
    password = _password(env, flags.get("password_file"))
    if (password is None) != (user is None):
        raise StoreConfigError(
            "the graph store's user and password go together (the password from "
            "DSI4BCN_GRAPH_STORE_PASSWORD or --graph-store-password-file)"
        )
    return StoreConfig(
        query_url=_url(str(urls["query"]), "--graph-store-query"),
        update_url=_url(str(urls["update"]), "--graph-store-update"),
        gsp_url=_url(str(urls["gsp"]), "--graph-store-gsp"),
        user=user,
        password=password,
        auth=auth,
        dataset=dataset,
    )

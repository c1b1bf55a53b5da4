"""External SPARQL engines for a node's graph, started and stopped by the tests on 127.0.0.1 ports:
Oxigraph server (the PyPI package ``oxigraph``) and OpenLink Virtuoso (Debian's ``virtuoso-opensource``).

Each keeps its data in its own folder, so that ``stop()`` then ``start()`` brings back the same store (the
outage tests). Virtuoso gets a ``virtuoso.ini`` of its own and, on its first start, a user allowed SPARQL
UPDATE (the ``SPARQL_UPDATE`` role, and write access to every graph) who signs in with HTTP digest at
``/sparql-auth`` and ``/sparql-graph-crud-auth``; its password reaches the node in a file.
"""

import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.nodes import free_port

__all__ = ["Engine", "start_oxigraph", "start_virtuoso", "virtuoso_sql"]

VIRTUOSO_USER = "dsi4bcn"
VIRTUOSO_PASSWORD = "virtuoso-test-secret"  # a throwaway engine on 127.0.0.1


@dataclass
class Engine:
    """A running SPARQL engine process and the node options that point a node's graph at it."""

    name: str
    folder: Path
    command: list[str]
    query_url: str
    update_url: str
    gsp_url: str
    user: str | None = None
    password_file: Path | None = None
    auth: str = "basic"
    # How the node's queries see its graphs (--graph-store-dataset): "engine" needs a union default graph.
    dataset: str = "explicit"
    sql_port: int | None = None  # Virtuoso's SQL port, for its own tools (isql)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, timeout: float = 60.0) -> None:
        """Start the engine and wait until its query endpoint answers ``ASK {}``."""
        with (self.folder / f"{self.name}.out").open("ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            if self.answers():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer in {timeout} s:\n{self.log()}")

    def answers(self) -> bool:
        """Whether the query endpoint answers ``ASK {}`` now."""
        url = f"{self.query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the engine (SIGTERM, then SIGKILL) and wait until its port is free."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def node_args(self) -> list[str]:
        """The ``dsi4bcn serve`` options that put a node's graph in this engine."""
        args = [
            f"--graph-store-query={self.query_url}",
            f"--graph-store-update={self.update_url}",
            f"--graph-store-gsp={self.gsp_url}",
            f"--graph-store-dataset={self.dataset}",
        ]
        if self.user and self.password_file:
            args += [f"--graph-store-user={self.user}", f"--graph-store-password-file={self.password_file}"]
            args.append(f"--graph-store-auth={self.auth}")
        return args

    def log(self) -> str:
        """What the engine printed (and, for Virtuoso, its own log)."""
        texts = [path.read_text(errors="replace")[-4000:] for path in sorted(self.folder.glob("*.out"))]
        texts += [path.read_text(errors="replace")[-4000:] for path in sorted(self.folder.glob("*.log"))]
        return "\n".join(texts)


def start_oxigraph(folder: Path, timeout: int = 10) -> Engine:
    """Oxigraph server (``oxigraph serve``) on a free port, its store in ``folder``, stopping queries itself
    after ``timeout`` seconds, its default graph the union of its graphs (the node uses it: ``dataset``
    ``engine``); no sign-in."""
    folder.mkdir(parents=True, exist_ok=True)
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    engine = Engine(
        name="oxigraph",
        folder=folder,
        command=[
            *(binary, "serve", "--location", str(folder / "store"), "--bind", f"127.0.0.1:{port}"),
            *("--timeout-s", str(timeout)),  # the engine's own limit, so that a query the node gave up on ends too
            "--union-default-graph",  # for --graph-store-dataset engine
        ],
        query_url=f"{base}/query",
        update_url=f"{base}/update",
        gsp_url=f"{base}/store",
        dataset="engine",  # Oxigraph holds nothing else: its union default graph is the node's graphs
    )
    engine.start()
    return engine


_VIRTUOSO_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""
_VIRTUOSO_GRANTS = f"""DB.DBA.USER_CREATE('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}');
GRANT SPARQL_UPDATE TO "{VIRTUOSO_USER}";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{VIRTUOSO_USER}', 3);
"""


def start_virtuoso(folder: Path, buffers: tuple[int, int] = (10_000, 6_000)) -> Engine:
    """Virtuoso (``virtuoso-t``) with its own ``virtuoso.ini`` in ``folder``, HTTP and SQL on free ports, and a
    user allowed SPARQL UPDATE signing in with digest; the node names its graphs in each query (``explicit``),
    as Virtuoso's default graph also holds its own system graphs. ``buffers``: NumberOfBuffers and
    MaxDirtyBuffers (8 KiB pages; the tests' small default, about 80 MB; benchmarks set more)."""
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(
        _VIRTUOSO_INI.format(
            folder=folder, sql_port=sql_port, http_port=http_port, buffers=buffers[0], dirty=buffers[1]
        ),
        encoding="utf-8",
    )
    password_file = folder / "password"
    password_file.write_text(VIRTUOSO_PASSWORD + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    base = f"http://127.0.0.1:{http_port}"
    engine = Engine(
        name="virtuoso",
        folder=folder,
        command=["virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")],
        query_url=f"{base}/sparql",
        update_url=f"{base}/sparql-auth",
        gsp_url=f"{base}/sparql-graph-crud-auth",
        user=VIRTUOSO_USER,
        password_file=password_file,
        auth="digest",
        sql_port=sql_port,
    )
    engine.start()
    try:
        virtuoso_sql(engine, _VIRTUOSO_GRANTS, "grants")
    except RuntimeError:
        engine.stop()
        raise
    return engine


def virtuoso_sql(engine: Engine, script: str, name: str, timeout: float = 60.0) -> str:
    """Run SQL statements in a running Virtuoso as ``dba`` with its own client (``isql-vt``), from a file
    ``NAME.sql`` in the engine's folder; what it printed, or ``RuntimeError`` if a statement failed."""
    path = engine.folder / f"{name}.sql"
    path.write_text(script, encoding="utf-8")
    ran = subprocess.run(
        ["isql-vt", f"127.0.0.1:{engine.sql_port}", "dba", "dba", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if ran.returncode != 0 or "Error" in ran.stdout + ran.stderr:
        raise RuntimeError(f"Virtuoso's {name}.sql failed:\n{ran.stdout[-2000:]}\n{ran.stderr[-2000:]}")
    return ran.stdout

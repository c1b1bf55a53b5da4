"""The shape of the code, read from the source with ``ast``: which module may import which, where SQL and
``aiohttp.web`` may appear, and limits on names, sizes and headers.

Rules checked here (each message names the module, what offends and the rule):

- the package direction ``vocab`` ← ``federation`` ← ``dsi4bcn``; pure ``federation`` modules do no I/O;
- the layers inside ``dsi4bcn`` (``LAYERS``): a module imports only from its own package, the base modules
  and lower layers. Every form counts: ``import dsi4bcn.x``, ``from dsi4bcn import x``,
  ``from dsi4bcn.x import y``, relative imports, and imports inside functions or under ``if TYPE_CHECKING:``;
- SQL only in ``dsi4bcn/storage/``: no other module imports ``aiosqlite`` or ``sqlite3``, calls
  ``.execute(``, ``.executemany(`` or ``.executescript(``, or holds an SQL statement in a string. SPARQL
  shares keywords with SQL, so a string counts as SQL only in a form SPARQL does not have
  (``INSERT INTO``, ``DELETE FROM``, ``UPDATE t SET``, ``SELECT … FROM table``, ``CREATE TABLE``,
  ``PRAGMA`` …: see ``_SQL``);
- ``aiohttp.web`` only in ``dsi4bcn/web/`` and ``dsi4bcn/app.py``;
- no two modules of ``dsi4bcn`` and ``federation`` share a file name (``__init__``/``__main__`` aside);
- no module of ``dsi4bcn`` or ``federation`` over 400 lines; no function over 60 lines (from its ``def``
  to its last line) unless a comment containing "long because" (any case), just above the function or its
  decorators or at the start of its body (before or after the docstring), says why;
- every module of ``dsi4bcn`` and ``federation`` starts with a docstring (its header);
- unit tests mirror the code: ``tests/unit/<package>/…/test_<module>.py`` (or ``test_<module>_<aspect>.py``)
  tests ``<package>/…/<module>.py``; only cross-cutting tests sit directly in ``tests/unit/``.
"""

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dsi4bcn"

# Modules of federation allowed to touch the network.
FEDERATION_IO_MODULES: frozenset[str] = frozenset({"client"})
IO_LIBRARIES = ("aiohttp", "aiosqlite", "socket", "urllib.request", "requests", "http.client")

# The layers of dsi4bcn, lowest first: a module may import its own package, the base and lower layers.
# The names are dsi4bcn's top-level packages and modules; "" is the package itself (``dsi4bcn.__version__``).
# Siblings in a layer do not import each other, except in the base and the top (the entry points: the
# command line starts the app, the app loads the demo), whose members may.
BASE: frozenset[str] = frozenset({"", "config", "i18n", "logformat", "metrics", "storeconfig", "supervise"})
TOP: frozenset[str] = frozenset({"app", "cli", "demo", "workerpool", "__main__"})
LAYERS: tuple[frozenset[str], ...] = (
    BASE,
    frozenset({"profiles", "sparql"}),
    frozenset({"storage"}),
    frozenset({"graph", "matching"}),
    frozenset({"directory"}),
    frozenset({"fediverse"}),
    frozenset({"web"}),
    TOP,
)
SQL_LIBRARIES = ("aiosqlite", "sqlite3")
SQL_CALLS = frozenset({"execute", "executemany", "executescript"})
# SQL statements, in the forms SPARQL does not share (SPARQL has INSERT DATA, DELETE WHERE, DROP GRAPH,
# CREATE GRAPH, WITH <iri>, and SELECT ?x FROM <iri> or FROM NAMED <iri>).
_SQL = re.compile(
    r"""^\s*(?:
        SELECT\b[^{?$]*?\bFROM\s+(?!<|NAMED\b)[\w(]
      | INSERT\s+(?:OR\s+\w+\s+)?INTO\b
      | REPLACE\s+INTO\b
      | DELETE\s+FROM\b
      | UPDATE\s+\w+\s+SET\b
      | (?:CREATE|DROP|ALTER)\s+(?:UNIQUE\s+|VIRTUAL\s+|TEMP\s+|TEMPORARY\s+)*(?:TABLE|INDEX|TRIGGER|VIEW)\b
      | PRAGMA\s+\w
      | (?:BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)(?:\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION|\w+))?\s*;?\s*$
      | WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\s*\(
    )""",
    re.VERBOSE,
)
WEB_PLACES = ("dsi4bcn/web/", "dsi4bcn/app.py")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
_LONG_MARK = re.compile(r"#.*\blong because\b", re.IGNORECASE)


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _imported_names(path: Path) -> Iterator[str]:
    """Every dotted name a module imports, imported names included (``from a import b`` gives ``a.b``), with
    relative imports made absolute; imports inside functions and ``if TYPE_CHECKING:`` count too."""
    package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]  # a module's package, or __init__'s own
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names if alias.name != "*")


def _component(path: Path) -> str:
    """The top-level package or module of dsi4bcn a file belongs to ("" for ``dsi4bcn/__init__.py``)."""
    parts = path.relative_to(APP).with_suffix("").parts
    return "" if parts == ("__init__",) else parts[0]


def _existing_components() -> set[str]:
    return {_component(path) for path in _modules("dsi4bcn")}


def _target(imported: str, components: set[str]) -> str | None:
    """The dsi4bcn component an imported name reaches, or None if it is not dsi4bcn's."""
    parts = imported.split(".")
    if parts[0] != "dsi4bcn":
        return None
    if len(parts) > 1 and parts[1] in components:
        return parts[1]
    return ""  # the package itself, or a name it defines (``from dsi4bcn import __version__``)


def _layer_of(component: str) -> int:
    for number, layer in enumerate(LAYERS):
        if component in layer:
            return number
    raise AssertionError(f"dsi4bcn/{component} is in no layer of LAYERS: add it to the table")


def _may_import(importer: str, imported: str) -> bool:
    if imported == importer or imported in BASE or (importer in TOP and imported in TOP):
        return True
    return _layer_of(imported) < _layer_of(importer) and importer not in BASE


def _layer_offences() -> dict[str, str]:
    components = _existing_components()
    offences: dict[str, str] = {}
    for path in _modules("dsi4bcn"):
        importer = _component(path)
        for imported in _imported_names(path):
            target = _target(imported, components)
            if target is None or _may_import(importer, target):
                continue
            key = f"{_name(path)} imports dsi4bcn.{target}"
            offences[key] = (
                f"{_name(path)} imports {imported}: dsi4bcn.{importer or '__init__'} (layer "
                f"{_layer_of(importer)}) may import only its own package, the base modules and lower layers, "
                f"and dsi4bcn.{target} is in layer {_layer_of(target)}"
            )
    return offences


def _string_text(node: ast.AST) -> str | None:
    """A string constant's text; an f-string's with each placeholder written as ``x``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "x"
            for part in node.values
        )
    return None


def _sql_offences() -> dict[str, str]:
    offences: dict[str, str] = {}
    for path in _modules("dsi4bcn") + _modules("federation") + _modules("vocab"):
        if _name(path).startswith("dsi4bcn/storage/"):
            continue
        rule = "SQL lives only in dsi4bcn/storage/"
        for imported in _imported_names(path):
            if imported.split(".")[0] in SQL_LIBRARIES:
                offences[f"{_name(path)} imports {imported.split('.')[0]}"] = (
                    f"{_name(path)} imports {imported}: {rule}"
                )
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
                offences[f"{_name(path)} calls .{node.func.attr}()"] = (
                    f"{_name(path)} calls .{node.func.attr}() on line {node.lineno}: {rule}"
                )
            text = _string_text(node)
            if text is not None and _SQL.match(text):
                offences.setdefault(
                    f"{_name(path)} holds SQL",
                    f"{_name(path)} holds an SQL statement on line {node.lineno} ({text.strip()[:40]!r}…): {rule}",
                )
    return offences


def _is_aiohttp_web(imported: str) -> bool:
    return imported == "aiohttp.web" or imported.startswith(("aiohttp.web.", "aiohttp.web_"))


def _aiohttp_web_offences() -> dict[str, str]:
    offences: dict[str, str] = {}
    for path in _modules("dsi4bcn") + _modules("federation") + _modules("vocab"):
        if _name(path).startswith(WEB_PLACES):
            continue
        for imported in _imported_names(path):
            if _is_aiohttp_web(imported):
                offences[f"{_name(path)} imports aiohttp.web"] = (
                    f"{_name(path)} imports {imported}: aiohttp.web belongs in dsi4bcn/web/ and dsi4bcn/app.py"
                )
    return offences


def _module_size_offences() -> dict[str, str]:
    offences: dict[str, str] = {}
    for path in _modules("dsi4bcn") + _modules("federation"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offences[_name(path)] = f"{_name(path)} has {lines} lines: a module has at most {MAX_MODULE_LINES}"
    return offences


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method with its qualified name (``Class.method``, ``outer.inner``)."""

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")
            else:
                yield from visit(child, prefix)

    return visit(tree, "")


def _says_why_long(lines: list[str], function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A comment saying "long because" just above the function (or its decorators) or at its body's start."""
    first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    above = first - 2  # index of the line just above
    while above >= 0 and lines[above].strip().startswith("#"):
        if _LONG_MARK.search(lines[above]):
            return True
        above -= 1
    body = function.body
    has_docstring = isinstance(body[0], ast.Expr) and _string_text(body[0].value) is not None
    if not has_docstring:
        last = body[0].lineno - 1  # the signature and any comment lines before the first statement
    elif len(body) > 1:
        last = body[1].lineno - 1  # the same, with the docstring and the comment lines after it
    else:
        last = body[0].end_lineno or body[0].lineno
    return any(_LONG_MARK.search(line) for line in lines[function.lineno - 1 : last])


def _function_size_offences() -> dict[str, str]:
    offences: dict[str, str] = {}
    for path in _modules("dsi4bcn") + _modules("federation"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for qualname, function in _functions(_tree(path)):
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            if length > MAX_FUNCTION_LINES and not _says_why_long(lines, function):
                offences[f"{_name(path)}:{qualname}"] = (
                    f"{_name(path)}: {qualname} has {length} lines: a function has at most {MAX_FUNCTION_LINES} "
                    f"unless a comment with 'long because' just above it or at the start of its body says why"
                )
    return offences


def _header_offences() -> dict[str, str]:
    offences: dict[str, str] = {}
    for path in _modules("dsi4bcn") + _modules("federation"):
        docstring = ast.get_docstring(_tree(path))
        if not docstring or not docstring.strip():
            offences[_name(path)] = f"{_name(path)} has no docstring: every module starts with a header"
    return offences


def _duplicate_names() -> dict[str, str]:
    seen: dict[str, list[str]] = {}
    for path in _modules("dsi4bcn") + _modules("federation"):
        if path.stem not in ("__init__", "__main__"):
            seen.setdefault(path.name, []).append(_name(path))
    rule = "module file names are unique across dsi4bcn and federation"
    return {
        name: f"{name} is the file name of {', '.join(paths)}: {rule}" for name, paths in seen.items() if len(paths) > 1
    }


def _unmirrored_tests() -> dict[str, str]:
    offences: dict[str, str] = {}
    for test in sorted((ROOT / "tests" / "unit").rglob("test_*.py")):
        folder = test.parent.relative_to(ROOT / "tests" / "unit")
        if folder == Path():
            continue  # cross-cutting tests (this one, linear time) test no single module
        name = test.stem.removeprefix("test_")
        modules = {path.stem for path in (ROOT / folder).glob("*.py")}
        if not any(name == module or name.startswith(module + "_") for module in modules):
            offences[_name(test)] = (
                f"{_name(test)} names no module of {folder.as_posix()}/: a unit test file is named "
                f"test_<module>.py (or test_<module>_<aspect>.py) after the module it tests"
            )
    return offences


def _check(rule: str, find: Callable[[], dict[str, str]]) -> None:
    """No offence against ``rule``: every one found is listed in the failure."""
    offences = find()
    assert not offences, f"{rule}:\n" + "\n".join(sorted(offences.values()))


@pytest.mark.parametrize("path", _modules("vocab"), ids=lambda p: p.name)
def test_vocab_imports_nothing_of_ours(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in ("federation", "dsi4bcn"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _modules("federation"), ids=lambda p: p.name)
def test_federation_never_imports_dsi4bcn(path: Path) -> None:
    for name in _imports(path):
        assert name.split(".")[0] != "dsi4bcn", f"{path.name} imports {name}"


@pytest.mark.parametrize(
    "path", [p for p in _modules("federation") if p.stem not in FEDERATION_IO_MODULES], ids=lambda p: p.name
)
def test_pure_federation_modules_do_no_io(path: Path) -> None:
    for name in _imports(path):
        assert not any(name == lib or name.startswith(lib + ".") for lib in IO_LIBRARIES), (
            f"pure module {path.name} imports {name}"
        )


def test_the_checks_see_real_modules() -> None:
    assert len(_modules("vocab")) >= 5
    assert len(_modules("federation")) >= 8
    assert "pyld" in {n.split(".")[0] for n in _imports(ROOT / "vocab" / "contexts.py")}


@pytest.mark.parametrize(
    "text",
    [
        "SELECT actor FROM peers ORDER BY actor",
        "  SELECT max(u) FROM (SELECT max(updated) AS u FROM actors)",
        "INSERT OR IGNORE INTO graph_sync (graph) VALUES (?)",
        "DELETE FROM remote_profiles WHERE peer = ?",
        "UPDATE peers SET follow_id = ? WHERE actor = ?",
        "CREATE TABLE IF NOT EXISTS x (a)",
        "PRAGMA user_version",
        "BEGIN IMMEDIATE",
        "WITH due AS (SELECT id FROM deliveries) SELECT * FROM due",
    ],
)
def test_sql_statements_are_recognised(text: str) -> None:
    assert _SQL.match(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?s FROM <https://n.example/g> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <https://n.example/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT, ASK, CONSTRUCT or DESCRIBE",
        "INSERT DATA { GRAPH <https://n.example/g> { <a:b> <a:c> <a:d> } }",
        "DELETE WHERE { GRAPH <https://n.example/p> { <a:b> ?p ?o } }",
        "DROP SILENT GRAPH <https://n.example/g>",
        "CREATE GRAPH <https://n.example/g>",
        "WITH <https://n.example/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE",
        "Update the profile",
    ],
)
def test_sparql_and_prose_are_not_taken_for_sql(text: str) -> None:
    assert not _SQL.match(text)


def test_every_dsi4bcn_package_has_a_layer() -> None:
    for component in _existing_components():
        _layer_of(component)  # fails naming a package or module missing from the table


def test_dsi4bcn_modules_import_only_their_package_the_base_and_lower_layers() -> None:
    _check("layers", _layer_offences)


def test_sql_lives_only_in_storage() -> None:
    _check("sql", _sql_offences)


def test_aiohttp_web_only_in_the_web_package_and_the_app() -> None:
    _check("aiohttp_web", _aiohttp_web_offences)


def test_module_file_names_are_unique() -> None:
    _check("duplicate_names", _duplicate_names)


def test_modules_are_at_most_400_lines() -> None:
    _check("module_size", _module_size_offences)


def test_long_functions_say_why() -> None:
    _check("function_size", _function_size_offences)


def test_every_module_has_a_header() -> None:
    _check("headers", _header_offences)


def test_unit_tests_mirror_the_code() -> None:
    _check("unmirrored_tests", _unmirrored_tests)


@pytest.mark.parametrize(
    ("source", "says_why"),
    [
        ("def f():\n    x = 1\n", False),
        ("# Long because one branch per field.\ndef f():\n    x = 1\n", True),
        ("# long because one branch per field.\n@decorator\ndef f():\n    x = 1\n", True),
        ('def f():\n    """Doc."""\n    # Long because one branch per field.\n    x = 1\n', True),
        ("def f():\n    # Long because one branch per field.\n    x = 1\n", True),
        ("def f():\n    x = 1\n    # Long because it is said too late.\n    y = 2\n", False),
        ("# Long because of another function.\n\nx = 0\ndef f():\n    x = 1\n", False),
    ],
)
def test_a_long_function_says_why_above_or_at_the_start_of_its_body(source: str, says_why: bool) -> None:
    [(_, function)] = list(_functions(ast.parse(source)))
    assert _says_why_long(source.splitlines(), function) is says_why

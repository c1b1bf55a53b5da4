"""The dependency direction vocab ← federation ← dsi4bcn, read from every module's imports."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Modules of federation allowed to touch the network.
FEDERATION_IO_MODULES: frozenset[str] = frozenset({"client"})
IO_LIBRARIES = ("aiohttp", "aiosqlite", "socket", "urllib.request", "requests", "http.client")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


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

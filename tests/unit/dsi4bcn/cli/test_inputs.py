"""Files, slugs, addresses and tokens read by the command line (``dsi4bcn.cli.inputs``)."""

from pathlib import Path

import pytest

from dsi4bcn.cli.failures import CommandFailed
from dsi4bcn.cli.inputs import admin_token_from, checked_slug, checked_url, read_document


def _code(call: object, *args: object) -> tuple[str, dict[str, object]]:
    with pytest.raises(CommandFailed) as raised:
        call(*args)  # type: ignore[operator]
    return raised.value.reason.code, dict(raised.value.reason.params)


def test_yaml_and_json_files_become_plain_json_values(tmp_path: Path) -> None:
    yaml_file = tmp_path / "p.yaml"
    yaml_file.write_text("slug: x\nstartDate: 2021-03-01\nnameMap: {ca: Taller}\n", encoding="utf-8")
    assert read_document(str(yaml_file)) == {"slug": "x", "startDate": "2021-03-01", "nameMap": {"ca": "Taller"}}
    json_file = tmp_path / "p.json"
    json_file.write_text('{"nameMap": {"ca": "Taller"}}', encoding="utf-8")
    assert read_document(str(json_file)) == {"nameMap": {"ca": "Taller"}}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("bad.yaml", b"nameMap: [unclosed\n", "cli_not_yaml"),
        ("bad.json", b'{"nameMap": ', "cli_not_yaml"),
        ("latin1.yaml", "nameMap: {ca: Caf\u00e9}".encode("latin-1"), "cli_not_utf8"),
        ("list.yaml", b"- a\n- b\n", "cli_not_mapping"),
        ("empty.yaml", b"", "cli_not_mapping"),
        ("binary.yaml", b"data: !!binary aGVsbG8=\n", "cli_not_json_value"),
    ],
)
def test_a_bad_file_is_a_failure_that_names_it(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    found, params = _code(read_document, str(path))
    assert found == code and params["path"] == str(path)


def test_a_syntax_error_says_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("slug: x\nnameMap: [unclosed\n", encoding="utf-8")
    assert _code(read_document, str(path))[1] == {"path": str(path), "line": 3, "column": 1}


def test_a_missing_file_or_a_folder_is_a_failure(tmp_path: Path) -> None:
    assert _code(read_document, str(tmp_path / "none.yaml"))[0] == "cli_no_file"
    assert _code(read_document, str(tmp_path))[0] == "cli_is_folder"


@pytest.mark.parametrize("slug", ["taller obert", "Taller", "-x", "a" * 65, "x/y", "", "../api"])
def test_a_bad_slug_is_refused_with_the_nodes_own_code(slug: str) -> None:
    assert _code(checked_slug, slug)[0] == "bad_slug"


def test_a_good_slug_passes() -> None:
    assert checked_slug("taller-obert") == "taller-obert"


@pytest.mark.parametrize(
    "url", ["http://exa mple", "ftp://node.example", "node.example", "http://", "http://n:port", "http://[::1"]
)
def test_a_bad_node_address_is_refused(url: str) -> None:
    assert _code(checked_url, url)[0] == "cli_bad_url"


def test_a_good_node_address_loses_its_trailing_slash() -> None:
    assert checked_url("https://node.example:8443/") == "https://node.example:8443"


def test_the_admin_token_file(tmp_path: Path) -> None:
    path = tmp_path / "admin-token"
    assert admin_token_from(path) is None
    path.write_text("abc123\n", encoding="ascii")
    assert admin_token_from(path) == "abc123"
    path.write_bytes(b"\xff\xfe")
    assert _code(admin_token_from, path)[0] == "cli_bad_token_file"

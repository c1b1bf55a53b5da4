"""The command line's failures and the user's language (``dsi4bcn.cli.failures``)."""

import pytest

from dsi4bcn.cli.failures import BAD_INPUT, NODE_REFUSED, CommandFailed, user_language


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "ca_ES.UTF-8"}, "ca"),
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "ca_ES.UTF-8"}, "ca"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANGUAGE": "fr:es:ca", "LANG": "ca_ES.UTF-8"}, "es"),
        ({"LANGUAGE": "ca", "LC_ALL": "C"}, "en"),  # gettext ignores LANGUAGE in the C locale
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
    ],
)
def test_the_language_comes_from_the_locale(environ: dict[str, str], language: str) -> None:
    assert user_language(environ) == language


def test_a_failure_is_said_in_each_language_with_its_exit_status() -> None:
    failed = CommandFailed("cli_no_file", path="x.yaml")
    assert failed.status == BAD_INPUT
    assert failed.describe("ca") == "no hi ha cap fitxer «x.yaml»"
    assert failed.describe("es") == "no existe el archivo «x.yaml»"
    assert failed.describe("en") == str(failed) == "there is no file 'x.yaml'"
    assert CommandFailed("cli_not_json", NODE_REFUSED, url="http://n").status == NODE_REFUSED
    with pytest.raises(KeyError):
        CommandFailed("no_such_message")

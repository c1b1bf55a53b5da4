"""Configuration from flags and environment, and language choice."""

import re
from pathlib import Path

import pytest

from dsi4bcn.config import ConfigError, load_config
from dsi4bcn.i18n import ENGLISH_ONLY, LANGUAGES, MESSAGES, PHRASES, UI, Phrase, Reason, choose_language, message
from dsi4bcn.i18n.tables import parse_table


def test_defaults_need_nothing_configured(tmp_path: Path) -> None:
    config = load_config(environ={}, data_dir=str(tmp_path))
    assert config.base_url == "http://127.0.0.1:8080"
    assert config.authority == "127.0.0.1:8080"
    assert config.allow_private_network is False
    assert config.database_path == tmp_path / "dsi4bcn.sqlite3"


def test_environment_fallbacks_and_flag_precedence(tmp_path: Path) -> None:
    environ = {
        "DSI4BCN_DATA_DIR": str(tmp_path),
        "DSI4BCN_BASE_URL": "https://Node.Example/",
        "HOST": "0.0.0.0",
        "PORT": "9000",
        "DSI4BCN_ADMIN_TOKEN": "x" * 20,
        "DSI4BCN_ALLOW_PRIVATE_NETWORK": "true",
    }
    config = load_config(environ=environ)
    assert (config.base_url, config.host, config.port) == ("https://node.example", "0.0.0.0", 9000)
    assert config.admin_token == "x" * 20 and config.allow_private_network
    assert config.authority == "node.example" and config.hostname == "node.example"
    assert load_config(environ=environ, port="9100", base_url="http://a.example:81").base_url == ("http://a.example:81")


@pytest.mark.parametrize(
    ("arguments", "environ", "match"),
    [
        ({"port": "eighty"}, {}, "port"),
        ({"port": "70000"}, {}, "port"),
        ({"base_url": "node.example"}, {}, "base URL"),
        ({"base_url": "https://node.example/sub"}, {}, "no path"),
        ({"tls_cert": "/nonexistent"}, {}, "together"),
        ({}, {"DSI4BCN_ALLOW_PRIVATE_NETWORK": "maybe"}, "true or false"),
        ({}, {"DSI4BCN_ADMIN_TOKEN": "short"}, "16"),
        ({"language": "fr"}, {}, "language"),
    ],
)
def test_bad_settings_say_what_is_wrong(arguments: dict[str, str], environ: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_config(environ=environ, **arguments)  # type: ignore[arg-type]


def test_wildcard_host_publishes_loopback_and_tls_means_https() -> None:
    assert load_config(environ={}, host="0.0.0.0", port=8443).base_url == "http://127.0.0.1:8443"


def test_every_message_and_label_exists_in_three_languages() -> None:
    for table in (MESSAGES, UI):
        for code, texts in table.items():
            assert set(texts) == {"ca", "es", "en"}, code


def test_messages_are_filled_in_and_language_is_negotiated() -> None:
    assert message("required", "es", field="nameMap") == "hay que indicar «nameMap»"
    assert choose_language("en", "ca", "ca") == "en"
    assert choose_language(None, "fr-FR, es;q=0.8, en;q=0.5", "ca") == "es"
    assert choose_language("de", "de", "ca") == "ca"
    assert choose_language(None, "en;q=0, ca;q=0.1", "es") == "ca"


def test_every_message_has_the_same_parameters_in_each_language() -> None:
    for code, texts in MESSAGES.items():
        fields = {language: set(re.findall(r"\{(\w+)\}", text)) for language, text in texts.items()}
        assert fields["ca"] == fields["es"] == fields["en"], code


def test_every_phrase_is_in_catalan_and_spanish_and_every_parser_phrase_is_listed() -> None:
    for english, texts in PHRASES.items():
        assert set(texts) == {"ca", "es"}, english
    parser = Path(__file__).parents[3] / "dsi4bcn" / "sparql"
    modules = ("lexer", "terms", "expressions", "triples", "syntax")
    source = "".join((parser / f"{name}.py").read_text(encoding="utf-8") for name in modules)
    named = set(re.findall(r'self\.fail\("([^"]+)"\)', source)) | {"the end of the query"}
    assert named and named <= set(PHRASES), named - set(PHRASES)


def test_a_reason_is_said_in_the_language_of_its_message() -> None:
    reason = Reason("sparql_expected", expected=Phrase("an IRI"), found="'}'", line=2, column=7)
    wrapped = Reason("sparql_syntax", detail=reason)
    assert message("sparql_refused", "es", reason=wrapped) == (
        "consulta rechazada: la consulta no es SPARQL 1.1 válido: "
        "en la línea 2, columna 7, se esperaba un IRI y hay '}'"
    )
    assert message("sparql_refused", "ca", reason=Reason("sparql_timeout", limit=10)) == (
        "consulta refusada: la consulta ha superat el límit de 10 s i s'ha aturat"
    )
    assert str(wrapped) == "the query is not valid SPARQL 1.1: expected an IRI at line 2, column 7, found '}'"
    assert message("wrong_type", "es", field="x", expected=Phrase("not in the table")) == (
        "«x» tiene que ser not in the table"
    )
    with pytest.raises(KeyError):
        Reason("no_such_message")


def test_inbox_refusals_are_english_whatever_the_language() -> None:
    assert "inbox_refused" in ENGLISH_ONLY
    assert message("inbox_refused", "ca", reason="the request is not signed") == (
        "activity refused: the request is not signed"
    )


def test_a_missing_or_extra_translation_stops_the_tables_from_loading() -> None:
    complete = '[greeting]\nca = "hola"\nes = "hola"\nen = "hello"\n'
    assert parse_table(complete, "t.toml", LANGUAGES) == {"greeting": {"ca": "hola", "es": "hola", "en": "hello"}}
    for broken in (complete.replace('es = "hola"\n', ""), complete + 'fr = "salut"\n', "[greeting]\nca = 1\n"):
        with pytest.raises(ValueError, match=r"\[greeting\]"):
            parse_table(broken, "t.toml", LANGUAGES)

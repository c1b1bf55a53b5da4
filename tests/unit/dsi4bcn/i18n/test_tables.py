"""The message, phrase and label tables: complete in three languages, same parameters (``dsi4bcn.i18n.tables``)."""

import re
from pathlib import Path

import pytest

from dsi4bcn.i18n import LANGUAGES, MESSAGES, PHRASES, UI
from dsi4bcn.i18n.tables import parse_table


def test_every_message_and_label_exists_in_three_languages() -> None:
    for table in (MESSAGES, UI):
        for code, texts in table.items():
            assert set(texts) == {"ca", "es", "en"}, code


def test_every_message_has_the_same_parameters_in_each_language() -> None:
    for code, texts in MESSAGES.items():
        fields = {language: set(re.findall(r"\{(\w+)\}", text)) for language, text in texts.items()}
        assert fields["ca"] == fields["es"] == fields["en"], code


def test_every_phrase_is_in_catalan_and_spanish_and_every_parser_phrase_is_listed() -> None:
    for english, texts in PHRASES.items():
        assert set(texts) == {"ca", "es"}, english
    parser = Path(__file__).parents[4] / "dsi4bcn" / "sparql"
    modules = ("lexer", "terms", "expressions", "triples", "syntax")
    source = "".join((parser / f"{name}.py").read_text(encoding="utf-8") for name in modules)
    named = set(re.findall(r'self\.fail\("([^"]+)"\)', source)) | {"the end of the query"}
    assert named and named <= set(PHRASES), named - set(PHRASES)


def test_a_missing_or_extra_translation_stops_the_tables_from_loading() -> None:
    complete = '[greeting]\nca = "hola"\nes = "hola"\nen = "hello"\n'
    assert parse_table(complete, "t.toml", LANGUAGES) == {"greeting": {"ca": "hola", "es": "hola", "en": "hello"}}
    for broken in (complete.replace('es = "hola"\n', ""), complete + 'fr = "salut"\n', "[greeting]\nca = 1\n"):
        with pytest.raises(ValueError, match=r"\[greeting\]"):
            parse_table(broken, "t.toml", LANGUAGES)

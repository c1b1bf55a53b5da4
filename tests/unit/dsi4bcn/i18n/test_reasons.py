"""Reasons and phrases put into words in the language of their message (``dsi4bcn.i18n.reasons``)."""

import pytest

from dsi4bcn.i18n import ENGLISH_ONLY, Phrase, Reason, message


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


def test_suggestions_end_the_message_in_its_language() -> None:
    one = {"value": "area:makers", "suggestions": ["area:maker"]}
    assert message("unknown_concept", "en", **one) == "'area:makers' is not a known concept; did you mean 'area:maker'?"
    assert message("unknown_concept", "ca", **one) == (
        "«area:makers» no és cap concepte conegut; potser volíeu dir «area:maker»?"
    )
    three = {"field": "x", "suggestions": ["a", "b", "c"]}
    assert message("unknown_field", "es", **three) == (
        "«x» no es un término del perfil; ¿quizá quería decir «a», «b» o «c»?"
    )
    assert message("unknown_field", "en", field="x", suggestions=[]) == "'x' is not a profile term"

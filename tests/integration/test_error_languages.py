"""An error answer is wholly in the requester's language: prefix and reason alike (issue 9).

Before, the prefix came from the message table and the reason was the code's English text ("consulta
refusada: the query ran past the 10 s limit and was stopped"). One demo node (with a one-second query limit,
so that a stopped query is cheap); a set of bad requests is sent in each of ca, es and en, and each answer's
text must hold no word that only the other languages' message templates use.
"""

import json
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest

from dsi4bcn.i18n import LANGUAGES, MESSAGES, PHRASES
from tests.support.http import fetch
from tests.support.nodes import Node, start_node

_WORD = re.compile(r"[^\W\d_]{4,}")


def _vocabulary(language: str) -> set[str]:
    texts = [re.sub(r"\{\w+\}", " ", templates[language]) for templates in MESSAGES.values()]
    texts += [phrases.get(language, english) for english, phrases in PHRASES.items()]
    return {word.lower() for text in texts for word in _WORD.findall(text)}


VOCABULARY = {language: _vocabulary(language) for language in LANGUAGES}
# Words of each language's templates that no template of the given language uses.
FOREIGN = {
    language: set().union(*(VOCABULARY[other] for other in LANGUAGES if other != language)) - VOCABULARY[language]
    for language in LANGUAGES
}


# IRIs, quoted tokens and parameter names (weight_needs, default-graph-uri): the request's own words.
_QUOTED = re.compile(r"\S+://\S+|<[^>]*>|'[^']*'|\w+(?:[-_]\w+)+")


def foreign_words(text: str, language: str) -> list[str]:
    """The words of ``text`` that belong to another language's templates and not to ``language``'s."""
    return [word for word in _WORD.findall(_QUOTED.sub(" ", text)) if word.lower() in FOREIGN[language]]


def test_the_check_itself_catches_a_mixed_message() -> None:
    assert foreign_words("consulta refusada: the query ran past the 10 s limit and was stopped", "ca")
    assert foreign_words("no es poden suggerir col·laboracions: no project is known here", "ca")
    assert not foreign_words("consulta refusada: la consulta ha superat el límit de 10 s i s'ha aturat", "ca")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("languages") / "node", demo=True, env={"DSI4BCN_QUERY_TIMEOUT": "1"})
    yield running
    running.stop()


def _sparql(query: str) -> tuple[str, str, dict[str, str], bytes | None]:
    return ("GET", "/sparql?" + urlencode({"query": query}), {"Accept": "application/sparql-results+json"}, None)


def _match(**query: str) -> tuple[str, str, dict[str, str], bytes | None]:
    return ("GET", "/api/match?" + urlencode(query), {}, None)


ADMIN = {"Content-Type": "application/json", "Authorization": "Bearer {token}"}
BAD_REQUESTS = {
    "sparql syntax": _sparql("SELECT ?s WHERE { ?s ?p }"),
    "sparql end": _sparql("SELECT ?s WHERE { ?s ?p ?o "),
    "sparql character": _sparql("SELECT ?s WHERE { ?s ?p ?o ^^^ }"),
    "sparql update": _sparql("INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"),
    "sparql service": _sparql("SELECT * WHERE { SERVICE <http://a.example/sparql> { ?s ?p ?o } }"),
    "sparql from": _sparql("SELECT * FROM <http://a.example/g> WHERE { ?s ?p ?o }"),
    "sparql prefix": _sparql("SELECT * WHERE { ?s nope:p ?o }"),
    "sparql nested": _sparql("SELECT * WHERE " + "{" * 100 + "}" * 100),
    "sparql empty": _sparql("   "),
    "sparql engine": _sparql("SELECT * WHERE { ?s ?p ?o } GROUP BY ?s"),  # our parser passes it, Oxigraph not
    "sparql timeout": _sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"),
    "sparql parameter": ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=x", {}, None),
    "sparql format": ("GET", "/sparql?query=ASK%7B%7D&format=pdf", {}, None),
    "sparql media type": ("POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}"),
    "match nobody": _match(),
    "match iri": _match(project="not an iri"),
    "match limit": _match(project="http://a.example/p", limit="ten"),
    "match weight": _match(project="http://a.example/p", weight_needs="2"),
    "match unknown weight": _match(project="http://a.example/p", weight_colour="1"),
    "match zero weights": _match(
        project="http://a.example/p",
        **{f"weight_{part}": "0" for part in ("needs", "offers", "areas", "sdgs", "place", "sectors", "text")},
    ),
    "match include_own": _match(project="http://a.example/p", include_own="yes"),
    "match unknown project": _match(project="http://a.example/projects/nobody"),
    "match unknown profile": _match(profile="http://a.example/projects/nobody"),
    "partners unknown organisation": ("GET", "/partners?organisation=http%3A%2F%2Fa.example%2Fo", {}, None),
    "webfinger missing": ("GET", "/.well-known/webfinger", {}, None),
    "webfinger acct": ("GET", "/.well-known/webfinger?resource=acct%3Anobody", {}, None),
    "webfinger scheme": ("GET", "/.well-known/webfinger?resource=" + quote("mailto:x@y"), {}, None),
    "admin json syntax": ("PUT", "/api/projects/nou", ADMIN, b'{"nameMap": '),
    "admin json nested": ("PUT", "/api/projects/nou", ADMIN, b"[" * 100_000),
    "admin json surrogate": ("PUT", "/api/projects/nou", ADMIN, b'{"nameMap": {"ca": "\\ud800"}}'),
    "admin json utf-8": ("PUT", "/api/projects/nou", ADMIN, b'{"nameMap": {"ca": "\xe9"}}'),
    "page": ("GET", "/actor/outbox?page=%C2%B2", {"Accept": "application/activity+json"}, None),
}


def _ask(node: Node, request: tuple[str, str, dict[str, str], bytes | None], how: str, language: str) -> dict:
    method, path, headers, body = request
    headers = {name: value.format(token=node.token) for name, value in headers.items()}
    if how == "header":
        headers["Accept-Language"] = f"{language};q=1, fr;q=0.5"
    else:
        path += ("&" if "?" in path else "?") + f"lang={language}"
        headers["Accept-Language"] = "es" if language != "es" else "ca"  # ?lang= wins over the header
    answer = fetch(node.base_url + path, method=method, headers=headers, body=body, timeout=30)
    assert 400 <= answer.status < 600 and answer.status != 500, (answer.status, answer.body[:300])
    return json.loads(answer.body)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_an_error_is_wholly_in_the_requesters_language(node: Node, name: str, language: str) -> None:
    how = "query" if name.startswith(("match", "partners")) else "header"
    error = _ask(node, BAD_REQUESTS[name], how, language)
    template = MESSAGES[error["code"]][language]
    prefix = template.split("{", 1)[0]
    assert error["error"].startswith(prefix), (error, prefix)
    assert not foreign_words(error["error"], language), (error["error"], foreign_words(error["error"], language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sparql_syntax_error_says_where_and_what_was_expected(node: Node, language: str) -> None:
    error = _ask(node, _sparql("SELECT ?s\nWHERE { ?s ?p }"), "header", language)
    expected = {
        "ca": "consulta refusada: la consulta no és SPARQL 1.1 vàlid: a la línia 2, columna 15, s'esperava un "
        "terme RDF",
        "es": "consulta rechazada: la consulta no es SPARQL 1.1 válido: en la línea 2, columna 15, se esperaba un "
        "término RDF",
        "en": "query refused: the query is not valid SPARQL 1.1: expected an RDF term at line 2, column 15",
    }[language]
    assert error["error"].startswith(expected), error


def test_the_timeout_reason_from_the_issue_is_in_catalan(node: Node) -> None:
    error = _ask(node, BAD_REQUESTS["sparql timeout"], "header", "ca")
    assert error["error"] == "consulta refusada: la consulta ha superat el límit de 1 s i s'ha aturat"


@pytest.mark.parametrize("language", LANGUAGES)
def test_inbox_refusals_are_wholly_english_for_servers(node: Node, language: str) -> None:
    answer = fetch(
        f"{node.base_url}/inbox",
        method="POST",
        headers={"Content-Type": "application/activity+json", "Accept-Language": language},
        body=b"[" * 100_000,
    )
    assert answer.status == 400
    assert answer.json()["error"] == "activity refused: the JSON text is nested too deeply"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_engines_syntax_errors_say_where_without_its_expectation_sets(node: Node, language: str) -> None:
    error = _ask(node, BAD_REQUESTS["sparql engine"], "header", language)["error"]
    assert "expected one of" not in error and "[_]" not in error, error
    where = {"ca": "línia 1, columna", "es": "línea 1, columna", "en": "line 1, column"}[language]
    assert where in error, error

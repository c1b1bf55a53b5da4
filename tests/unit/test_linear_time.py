"""Every parser of untrusted text runs in time linear in its input (issue 8).

Each case times one parser on an adversarial input (unterminated quotes, many ``<``, many escapes, many
commas or parameters, long near-matches) at two sizes, n and 8n. A linear parser takes about 8 times as
long on the larger input; a quadratic one 64 times; one that backtracks exponentially never finishes. The
test takes the best of several rounds (each round repeats the call for a few milliseconds, the small and
the large input interleaved) so that a busy machine does not make it flaky, and fails if the ratio reaches
``MAX_RATIO`` or one call on the large input takes ``MAX_CALL`` seconds (more for a slow but linear parser
that only reads an admin's own text). A runaway parser is stopped after ``CPU_GUARD`` seconds of CPU time
instead of hanging the suite.

Where the public entry point caps its input (``Signature`` headers at 8 KiB, e-mail addresses at 254
characters), the parser behind the cap is timed directly, so that it stays linear whatever the cap becomes.
A source scan at the end keeps the table complete: a new regular expression in the three packages must be
timed here, or listed with the reason its input is trusted.
"""

import ast
import email.utils
import gc
import itertools
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from multidict import CIMultiDict
from rdflib import Graph
from rdflib.namespace import SH

from dsi4bcn import i18n
from dsi4bcn.directory import query as directory_query
from dsi4bcn.fediverse import outbox as publishing
from dsi4bcn.fediverse import postcompose
from dsi4bcn.matching import model as matching
from dsi4bcn.matching.features import profile_from_triples, strip_tags
from dsi4bcn.profiles import ntriples
from dsi4bcn.profiles import validation as profiles
from dsi4bcn.profiles import values as profile_values
from federation import activities, cavage, client, conneg, httpsig, jsontext, rfc9421, valueflows, webfinger
from federation.errors import FederationError
from vocab import fastld, fastshapes
from vocab.concepts import concept_index

GROWTH = 8
MAX_RATIO = 24.0  # linear: about 8; quadratic: 64; exponential: far more
MAX_CALL = 0.5  # seconds, one call on the large input
CPU_GUARD = 3.0  # seconds of CPU for the first calls before a parser counts as runaway
ROUNDS = 3
WINDOW = 0.004  # seconds of repeated calls per measurement

ROOT = Path(__file__).resolve().parents[2]
XSD = "http://www.w3.org/2001/XMLSchema#"
AS = "https://www.w3.org/ns/activitystreams#"
DSI = "https://w3id.org/dsi4bcn/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_EXPECTED_ERRORS = (FederationError, ValueError, TypeError, profiles.ProfileInvalid)


@dataclass(frozen=True)
class Case:
    """One parser on one kind of adversarial input; ``make(n)`` builds the input of size about ``n``."""

    parser: str
    shape: str
    run: Callable[[Any], object]
    make: Callable[[int], Any]
    n: int
    max_call: float = MAX_CALL

    @property
    def id(self) -> str:
        return f"{self.parser}: {self.shape}"


def _cases(
    parser: str,
    run: Callable[[Any], object],
    n: int,
    shapes: dict[str, Callable[[int], Any]],
    max_call: float = MAX_CALL,
) -> list[Case]:
    def quietly(value: Any) -> object:
        try:
            return run(value)
        except _EXPECTED_ERRORS as error:  # refusing hostile input is the expected answer
            return error

    return [Case(parser, shape, quietly, make, n, max_call) for shape, make in shapes.items()]


# --- The parsers and their adversarial inputs ---------------------------------------------------------

_NOW = datetime(2026, 1, 1, tzinfo=UTC)
_counter = itertools.count()


def _signature_header(value: str) -> object:
    # Behind parse_signature's 8 KiB cap: the parser itself (see the module docstring).
    return cavage.read_params(value)


def _structured_signature(value: str) -> object:
    return rfc9421.parse_signature_fields({"signature-input": value, "signature": "sig1=:AAAA:"})


def _digest(value: str) -> object:
    request = httpsig.HttpRequest("POST", "https://n.example/inbox", {"Digest": value}, b"{}")
    return httpsig.check_body_digest(request)


def _profile_with(**fields: Any) -> dict[str, Any]:
    return {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"], **fields}


def _normalise(body: dict[str, Any]) -> object:
    return profiles.normalise_profile(
        "organisation",
        body,
        actor_iri="https://n.example/organisations/ateneu",
        concepts=concept_index(),
        resolve_organisation=lambda _reference: None,
    )


def _summary_features(summary: str) -> object:
    actor = "https://peer.example/projects/p"
    triples = [
        (("iri", actor), ("iri", RDF_TYPE), ("iri", DSI + "Project")),
        (("iri", actor), ("iri", AS + "summary"), ("literal", summary, XSD + "string", "")),
    ]
    return profile_from_triples(actor, triples)


def _ntriples_object(term: tuple[str, ...]) -> object:
    # A fresh subject each call: the IRI check is memoised per distinct IRI.
    subject = ("iri", f"https://n.example/{next(_counter)}")
    return ntriples.to_ntriples([(subject, ("iri", AS + "name"), term)], "https://n.example/g")


def _ntriples_iri(value: str) -> object:
    return _ntriples_object(("iri", f"{value}{next(_counter)}"))


def _negotiate(header: str) -> object:
    # negotiate() memoises by header; its uncached body is what a new header costs.
    return conneg._negotiate.__wrapped__(header, ("application/activity+json", "text/html"))


def _sh_pattern(pattern: str) -> Callable[[str], object]:
    test = fastshapes._pattern_test(fastshapes._translate_pattern(pattern))
    return lambda value: test(("literal", value, XSD + "string", ""), None)


def _lexical(datatype: str) -> Callable[[str], object]:
    check = fastshapes._LEXICAL[XSD + datatype]
    return lambda value: (check(value), fastshapes._number(("literal", value, XSD + datatype, "")))


# Each sh:pattern of vocab/shapes.ttl, with near-matches of its own besides the generic inputs.
SHAPE_PATTERNS: dict[str, dict[str, Callable[[int], str]]] = {
    "^-----BEGIN PUBLIC KEY-----": {
        "dashes": lambda n: "-" * n,
        "almost the header, repeated": lambda n: "-----BEGIN PUBLIC KEY----" * (n // 25),
        "the header late": lambda n: "x" * n + "-----BEGIN PUBLIC KEY-----",
    },
    "^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$": {
        "letters then a hyphen": lambda n: "a" * n + "-",
        "letter-hyphen pairs": lambda n: "a-" * (n // 2),
    },
    "^[^@\\s]+@[^@\\s]+$": {
        "no at sign": lambda n: "a" * n,
        "a space at the end": lambda n: "a@" + "b" * n + " ",
        "many at signs": lambda n: "a@" * (n // 2),
    },
    "^(offer|request)$": {
        "almost offer, repeated": lambda n: "offe" * (n // 4),
        "offer then more": lambda n: "offer" * (n // 5),
    },
    "^(deliverService|transfer|use|work)$": {
        "almost transfer, repeated": lambda n: "transfe" * (n // 7),
        "use then more": lambda n: "use" * (n // 3),
    },
}
_GENERIC_PATTERN_INPUTS: dict[str, Callable[[int], str]] = {
    "spaces": lambda n: " " * n,
    "at signs": lambda n: "@" * n,
    "newlines and hyphens": lambda n: "-\n" * (n // 2),
}

CASES: list[Case] = [
    *_cases(
        "activity, actor and key ids (is_http_iri)",
        activities.is_http_iri,
        250,  # 8n stays under the 2,048 characters an id may have (longer ones are refused before any scan)
        {
            "a long clean path": lambda n: "https://a.example/" + "a" * (n - 18),
            "a bad character at the end": lambda n: "https://a.example/" + "a" * (n - 19) + " ",
            "many slashes": lambda n: "https://a.example" + "/" * (n - 17),
            "a surrogate at the end": lambda n: "https://a.example/" + "%" * (n - 19) + "\ud800",
        },
    ),
    *_cases(
        "JSON text (lone surrogates)",
        jsontext.parse_json,
        20_000,
        {
            "many lone surrogates": lambda n: b'["' + b"\\ud800" * (n // 6) + b'"]',
            "many valid pairs, one lone at the end": lambda n: b'["' + b"\\ud83d\\ude00" * (n // 12) + b'\\udc00"]',
            "escaped backslashes before u": lambda n: b'["' + b"\\\\ud800" * (n // 7) + b'"]',
            "many strings with surrogates": lambda n: b"[" + b",".join([b'"\\udfff"'] * (n // 9)) + b"]",
            "deep arrays": lambda n: b"[" * n,
        },
    ),
    *_cases(
        "httpsig Signature (draft-cavage)",
        _signature_header,
        10_000,
        {
            "unterminated quote": lambda n: 'keyId="' + "a" * n,
            "unterminated quote after a token": lambda n: 'algorithm=hs2019,keyId="' + "a" * n,
            "escapes, unterminated": lambda n: 'keyId="' + "\\a" * (n // 2),
            "escaped quotes, terminated": lambda n: 'keyId="' + '\\"' * (n // 2) + '"',
            "many parameters": lambda n: ",".join(f"p{i}=v" for i in range(n // 6)),
            "many quoted parameters, one bad at the end": lambda n: "".join(f'a{i}="b",' for i in range(n // 9)) + "!",
            "spaces before a stray character": lambda n: "a=b" + " " * n + "x",
            "commas": lambda n: "a=b" + "," * n,
        },
    ),
    # Exponential in the old regex: 8n = 24 characters already took it seconds; a linear scan microseconds.
    *_cases(
        "httpsig Signature (draft-cavage)",
        _signature_header,
        3,
        {"short unterminated quote": lambda n: 'keyId="' + "a" * n},
    ),
    *_cases(
        "httpsig created/expires timestamp",
        lambda v: httpsig._timestamp(v, "created"),
        100_000,
        {"digits": lambda n: "1" * n, "digits and dots": lambda n: "1." * (n // 2)},
    ),
    *_cases(
        "httpsig Digest",
        _digest,
        1_000,  # 8n stays under the 8 KiB header cap
        {
            "commas": lambda n: "x=," * (n // 3),
            "long invalid base64": lambda n: "SHA-256=" + "A" * n + "!",
            "equals signs": lambda n: "=" * n,
        },
    ),
    *_cases(
        "rfc9421 Signature-Input (structured fields)",
        _structured_signature,
        1_000,  # 8n stays under the 8 KiB header cap
        {
            "unterminated string": lambda n: 'sig1=("@method" "' + "a" * n,
            "escapes in a string": lambda n: 'sig1=("' + '\\"' * (n // 2) + '")',
            "many covered components": lambda n: "sig1=(" + '"a" ' * (n // 4) + ")",
            "many parameters": lambda n: 'sig1=("@method");keyid="k"' + "".join(f";a{i}=1" for i in range(n // 7)),
            "many dictionary members": lambda n: ", ".join(f"s{i}=1" for i in range(n // 9)),
            "byte sequence without its colon": lambda n: "sig1=:" + "A" * n,
            "open parentheses": lambda n: "sig1=" + "(" * n,
            "a long component name": lambda n: 'sig1=("@' + "a" * n + '!");keyid="k";created=1',
        },
    ),
    *_cases(
        "rfc9421 Content-Digest",
        lambda v: rfc9421.check_content_digest(v, b"{}"),
        1_000,
        {
            "many members": lambda n: "".join(f"a{i}=:AAAA:, " for i in range(n // 13)),
            "long byte sequence": lambda n: "sha-256=:" + "A" * n,
        },
    ),
    *_cases(
        "rfc9421 repeated header lines",
        rfc9421.fold_fields,
        500,
        {"one header repeated": lambda n: CIMultiDict([("Signature", "a" * 100)] * n)},
    ),
    *_cases(
        "conneg Accept",
        conneg.parse_accept,
        20_000,
        {
            "unterminated quote": lambda n: 'application/ld+json; profile="' + "a" * n,
            "quotes": lambda n: '"' * n,
            "commas": lambda n: "," * n,
            "parameters": lambda n: "text/html" + ";a=b" * (n // 4),
            "ranges": lambda n: "text/html;q=0.5, " * (n // 17),
        },
    ),
    *_cases(
        "conneg negotiation",
        _negotiate,
        5_000,
        {
            "a long profile list": lambda n: 'application/ld+json;profile="' + "x " * (n // 2) + '"',
            "ranges": lambda n: "application/*;q=0.1, " * (n // 21),
        },
    ),
    *_cases(
        "conneg Content-Type (request bodies)",
        conneg.media_type,
        100_000,
        {
            "quotes": lambda n: 'application/json; x="' + '"' * n,
            "semicolons": lambda n: "application/json" + ";" * n,
            "open parentheses": lambda n: "application/json" + "(" * n,
            "long subtype": lambda n: "application/" + "a" * n + "(",
        },
    ),
    *_cases(
        "client Content-Type (fetched documents)",
        client._split_content_type,
        50_000,
        {"semicolons": lambda n: "application/ld+json" + ";" * n, "parameters": lambda n: "a/b" + ';p="x"' * (n // 6)},
    ),
    *_cases(
        "WebFinger acct",
        webfinger.parse_acct,
        10_000,
        {
            "at signs": lambda n: "acct:" + "@" * n,
            "percent escapes": lambda n: "acct:" + "%40" * (n // 3),
            "broken percent escapes": lambda n: "acct:" + "%" * n,
        },
    ),
    *_cases(
        "WebFinger resource",
        webfinger.parse_resource,
        60,  # 8n stays under the 512-character cap
        {"brackets": lambda n: "https://" + "[" * n, "colons": lambda n: "https://a" + ":" * n},
    ),
    *_cases(
        "HTTP Date",
        email.utils.parsedate_to_datetime,
        50_000,
        {
            "spaces": lambda n: "Wed," + " " * n + "x",
            "digits": lambda n: "Wed, " + "0" * n,
            "commas": lambda n: "," * n,
            "words": lambda n: "a " * (n // 2),
        },
    ),
    *_cases(
        "Accept-Language",
        lambda v: i18n.choose_language(None, v, "ca"),
        50_000,
        {
            "commas": lambda n: "," * n,
            "a long quality": lambda n: "en;q=" + "1" * n,
            "subtags": lambda n: "a-" * (n // 2),
        },
    ),
    *_cases(
        "profile e-mail (validator)",
        profile_values.is_email,
        100_000,
        {
            "dots then an at sign": lambda n: "a@" + "." * n + "@",
            "dots then a space": lambda n: "a@" + "." * n + " ",
            "no at sign": lambda n: "a" * n,
            "labels then a bracket": lambda n: "a@b" + ".b" * (n // 2) + "<",
        },
    ),
    *_cases(
        "profile fields (normalise_profile)",
        _normalise,
        20_000,
        {
            "e-mail: dots then an at sign": lambda n: _profile_with(email="a@" + "." * n + "@"),
            "telephone: digits": lambda n: _profile_with(telephone="1" * n),
            "language tag: subtags": lambda n: _profile_with(nameMap={"ca" + "-abcdefgh" * (n // 9) + "!": "x"}),
            "website: brackets": lambda n: _profile_with(website="https://[" + "a" * n),
        },
    ),
    *_cases(
        "profile slug",
        profiles.check_slug,
        100_000,
        {"letters then a hyphen": lambda n: "a" * n + "-", "letter-hyphen pairs": lambda n: "a-" * (n // 2)},
    ),
    *_cases(
        "HTML tag stripping (matching features)",
        strip_tags,
        160_000,  # both sizes beyond the L2 cache, so that memory speed does not skew the ratio
        {
            "many <": lambda n: "<" * n,
            "many < then one >": lambda n: "<" * n + ">",
            "many <>": lambda n: "<>" * (n // 2),
            "many <> then >": lambda n: "<>" * (n // 2) + ">",
            "many < after the last >": lambda n: "<b>" + "<" * n,
            "tags": lambda n: "<b>x</b>" * (n // 8),
        },
    ),
    *_cases(
        "HTML tag stripping (peer summaries, profile_from_triples)",
        _summary_features,
        20_000,
        {"many <": lambda n: "<" * n, "many <a": lambda n: "<a" * (n // 2)},
    ),
    *_cases(
        "HTML sanitising (posts, nh3)",
        publishing.sanitise_html,
        20_000,
        {"many <": lambda n: "<" * n, "open tags": lambda n: "<a " * (n // 3), "comments": lambda n: "<!--" * (n // 4)},
    ),
    *_cases(
        "post hashtags (free_hashtags)",
        postcompose.free_hashtags,
        125,  # 8n is the 1,000 characters the posts page reads of its hashtags field
        {
            "one long word then a bad end": lambda n: "a" * (n - 1) + "-",
            "digits": lambda n: "1" * n,
            "many separators": lambda n: ", " * (n // 2),
            "many #": lambda n: "#" * n,
        },
    ),
    *_cases(
        "post Markdown (body_html, markdown-it-py)",
        lambda text: postcompose.body_html(text, "markdown"),
        2_500,  # 8n is the 20,000 characters a post may have
        {
            "many *": lambda n: "*" * n,
            "many * and words": lambda n: "*a " * (n // 3),
            "many [": lambda n: "[" * n,
            "unclosed links": lambda n: "[a](" * (n // 4),
            "many `": lambda n: "`a" * (n // 2),
            "nested quotes": lambda n: ">" * n,
            "nested lists": lambda n: "".join(" " * (i % 40) + "- a\n" for i in range(n // 24)),
            "many <": lambda n: "<" * n,
        },
        # Linear (×8) but markdown-it-py spends about 20 µs a character on a run of "[": 0.4-0.7 s for a
        # whole post of them. Only a signed-in admin's own draft is rendered, at preview and publish.
        max_call=1.5,
    ),
    *_cases(
        "directory words",
        directory_query.text_tokens,
        20_000,
        {
            "one long word": lambda n: "a" * n,
            "accents": lambda n: "é" * n,
            "combining marks": lambda n: "e\u0301" * (n // 2),
            "underscores and words": lambda n: "a_" * (n // 2),
        },
    ),
    *_cases(
        "directory source",
        lambda text: directory_query.parse_query({"source": text}, {"source": [text]}),
        250,  # 8n stays under the 2,048 characters of a host; longer values fail the length bound at once
        {
            "a long host": lambda n: "a" * n,
            "dots then a bad end": lambda n: "a." * (n // 2) + "!",
            "a long bracket": lambda n: "[" + ":" * (n - 2) + "x",
        },
    ),
    *_cases(
        "matching tokens",
        matching.tokens,
        20_000,
        {"one long word": lambda n: "a" * n, "accents": lambda n: "é" * n, "short words": lambda n: "ab " * (n // 3)},
    ),
    *_cases(
        "N-Triples writer",
        _ntriples_object,
        10_000,
        {
            "literal: characters to escape": lambda n: ("literal", '"\\\n\x01' * (n // 4), XSD + "string", ""),
            "language tag: subtags": lambda n: ("literal", "x", "", "a" + "-abcdefgh" * (n // 9) + "!"),
            "blank node label": lambda n: ("blank", "-" * n),
        },
    ),
    *_cases(
        "N-Triples writer (IRIs)",
        _ntriples_iri,
        50_000,
        {"a bad character at the end": lambda n: "https://n.example/" + "a" * n + " "},
    ),
    *_cases(
        # Behind read_datetime's 35-character cap: the pattern itself (see the module docstring).
        "FEP-0837 xsd:dateTime (valueflows)",
        lambda v: valueflows._DATE_TIME.fullmatch(v),
        100_000,
        {
            "digits": lambda n: "1" * n,
            "a date then digits": lambda n: "2026-01-01T00:00:00." + "1" * n,
            "repeated dates": lambda n: "2026-01-01T00:00:00Z" * (n // 20),
            "a date then a long zone": lambda n: "2026-01-01T00:00:00+" + "0" * n,
        },
    ),
    *_cases(
        "fastld IRI check",
        lambda v: fastld._ABSOLUTE_IRI.match(v),
        100_000,
        {
            "a scheme without colon": lambda n: "a" * n,
            "a space at the end": lambda n: "a:" + "b" * n + " ",
            "scheme characters": lambda n: "a" + "+-." * (n // 3),
        },
    ),
    *_cases(
        "fastld scheme check",
        lambda v: fastld._SCHEME.match(v),
        100_000,
        {"letters then a colon": lambda n: "a" * n + ":"},
    ),
    *_cases(
        "fastld language tag",
        lambda v: fastld._LANGUAGE_TAG.match(v),
        100_000,
        {"subtags then a bad one": lambda n: "en" + "-abcdefgh" * (n // 9) + "-"},
    ),
    *[
        case
        for datatype in ("dateTime", "date", "integer", "decimal", "double")
        for case in _cases(
            f"fastshapes xsd:{datatype}",
            _lexical(datatype),
            10_000,
            {
                "digits": lambda n: "1" * n,
                "digits then a letter": lambda n: "1" * n + "x",
                "a long fraction": lambda n: "1." + "1" * n + "e",
                "a long year": lambda n: "1" * n + "-01-01T00:00:00.",
            },
        )
    ],
    *[
        case
        for pattern, inputs in SHAPE_PATTERNS.items()
        for case in _cases(
            f"shapes.ttl sh:pattern {pattern}", _sh_pattern(pattern), 100_000, {**inputs, **_GENERIC_PATTERN_INPUTS}
        )
    ],
]


# --- Timing ---------------------------------------------------------------------------------------------


class _Runaway(Exception):
    pass


@contextmanager
def _cpu_guard(seconds: float) -> Iterator[None]:
    """Raise ``_Runaway`` once the process has used ``seconds`` of CPU (the regex engine checks signals)."""

    def stop(_signal: int, _frame: FrameType | None) -> None:
        raise _Runaway

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


# Times are the thread's CPU time: other processes taking the cores while the suite runs are not the parser's cost.
def _one_call(run: Callable[[Any], object], value: Any) -> float:
    start = time.thread_time()
    run(value)
    return time.thread_time() - start


def _per_call(run: Callable[[Any], object], value: Any) -> float:
    """Seconds per call, over calls repeated for at least ``WINDOW`` seconds."""
    calls, start = 0, time.thread_time()
    while True:
        run(value)
        calls += 1
        elapsed = time.thread_time() - start
        if elapsed >= WINDOW:
            return elapsed / calls


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_parser_time_grows_linearly(case: Case) -> None:
    small, large = case.make(case.n), case.make(case.n * GROWTH)
    # Given a first call on each size that finishes (a runaway parser is stopped, not waited for)
    try:
        with _cpu_guard(CPU_GUARD):
            _one_call(case.run, small)
            first_large = _one_call(case.run, large)
    except _Runaway:
        pytest.fail(f"{case.id}: still running after {CPU_GUARD} s of CPU (n={case.n}, input of size 8n)")
    assert first_large < case.max_call * 4, f"{case.id}: one call on the input of size 8n took {first_large:.2f} s"
    # When both sizes are timed, interleaved, the best of several rounds
    gc.collect()
    gc.disable()
    try:
        small_times, large_times = [], []
        for _ in range(ROUNDS):
            small_times.append(_per_call(case.run, small))
            large_times.append(_per_call(case.run, large))
    finally:
        gc.enable()
    best_small, best_large = min(small_times), min(large_times)
    ratio = best_large / best_small
    # Then the large input costs about 8 times the small one, not 64 (quadratic) or more
    detail = f"{case.id}: n={case.n}: {best_small * 1e3:.3f} ms, 8n: {best_large * 1e3:.3f} ms (×{ratio:.1f})"
    assert best_large < case.max_call, detail
    assert ratio < MAX_RATIO, detail


# --- The table is complete --------------------------------------------------------------------------------


def test_every_shapes_pattern_is_timed() -> None:
    shapes = Graph().parse(str(resources.files("vocab") / "shapes.ttl"), format="turtle")
    assert {str(value) for value in shapes.objects(None, SH.pattern)} == set(SHAPE_PATTERNS)


# Every regular expression in the three packages (its text, or the expression that builds it): the parser
# of CASES that times it, or "trusted: " and why its input is. The SPARQL parser's modules are left out: its
# lexer and parser are timed on sixteen adversarial query shapes up to the 64 KiB limit in
# tests/unit/dsi4bcn/sparql/test_checks_timing.py.
AUDITED_PATTERNS: dict[str | bytes, str] = {
    rb"\\u[dD][89abcdefABCDEF]": "JSON text (lone surrogates)",
    r'[<>"{}|^`\\\x00-\x20\x7f\ud800-\udfff]': "activity, actor and key ids (is_http_iri)",
    # federation
    r"\s*": "httpsig Signature (draft-cavage)",
    r"[A-Za-z][A-Za-z0-9_-]*": "httpsig Signature (draft-cavage)",
    r'[^",\s]*': "httpsig Signature (draft-cavage)",
    r'[^"\\]*': "httpsig Signature (draft-cavage)",
    r"\d{1,12}(?:\.\d{1,9})?": "httpsig created/expires timestamp",
    r"@?[a-z0-9!#$%&'*+.^_`|~-]+": "rfc9421 Signature-Input (structured fields)",
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})": (
        "FEP-0837 xsd:dateTime (valueflows)"
    ),
    # dsi4bcn
    r"^(\d{4})_[a-z0-9_]+\.sql$": "trusted: the migration files shipped with the code",
    r"[a-z]{3,}": "matching tokens",
    r"[^\W_]+": "directory words",
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]": "directory words",
    r"^[a-z0-9.\-]{1,253}(?::[0-9]{1,5})?$|^\[[0-9a-f:.]{2,45}\](?::[0-9]{1,5})?$": "directory source",
    r"<[^>]+>": "HTML tag stripping (matching features)",
    r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*": "N-Triples writer",
    r'[<>"{}|^`\\\x00-\x20]': "N-Triples writer (IRIs)",
    r'[\\"\x00-\x1f\x7f]': "N-Triples writer",
    r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$": "profile slug",
    r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$": "profile fields (normalise_profile)",
    r'[^@\s<>"]+': "profile e-mail (validator)",
    r"^\+?[0-9 ()./-]{6,32}$": "profile fields (normalise_profile)",
    r"^(?=.*[^\W\d_])\w+$": "post hashtags (free_hashtags)",
    r"[\s,;]+": "post hashtags (free_hashtags)",
    # vocab
    r"[A-Za-z][A-Za-z0-9+-.]*:[^\s]*\Z": "fastld IRI check",
    r"[A-Za-z][A-Za-z0-9+-.]*\Z": "fastld scheme check",
    r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z": "fastld language tag",
    "_DATE + _TZ": "fastshapes xsd:date",
    "_DATE + _TIME + _TZ": "fastshapes xsd:dateTime",
    r"[+-]?[0-9]+": "fastshapes xsd:integer",
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)": "fastshapes xsd:decimal",
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN": "fastshapes xsd:double",
    r"\{[0-9]+(?:,[0-9]*)?\}": "trusted: the sh:pattern texts of the bundled shapes.ttl (quantifiers)",
    "''.join(out)": "shapes.ttl sh:pattern",  # every pattern of shapes.ttl: test_every_shapes_pattern_is_timed
}
SPARQL_PARSER = {
    ROOT / "dsi4bcn" / "sparql" / f"{name}.py" for name in ("lexer", "terms", "expressions", "triples", "syntax")
}
_RE_FUNCTIONS = {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer"}


def _patterns_in_source() -> dict[str | bytes, list[str]]:
    found: dict[str | bytes, list[str]] = {}
    for package in ("vocab", "federation", "dsi4bcn"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in SPARQL_PARSER:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re"
                    and node.func.attr in _RE_FUNCTIONS
                    and node.args
                ):
                    argument = node.args[0]
                    key = argument.value if isinstance(argument, ast.Constant) else ast.unparse(argument)
                    found.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_regex_in_the_packages_is_timed_or_trusted() -> None:
    found = _patterns_in_source()
    unaudited = {pattern: where for pattern, where in found.items() if pattern not in AUDITED_PATTERNS}
    assert not unaudited, f"time these on adversarial input in CASES (or say why the input is trusted): {unaudited}"
    timed = {case.parser for case in CASES}
    for pattern, reason in AUDITED_PATTERNS.items():
        assert pattern in found, f"{pattern!r} is no longer in the source: drop it from AUDITED_PATTERNS"
        if not reason.startswith("trusted: "):
            assert any(parser.startswith(reason) for parser in timed), f"no case times {reason!r}"

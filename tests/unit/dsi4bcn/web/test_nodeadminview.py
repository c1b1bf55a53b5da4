"""The node admin page's view model: the identity form and the settings document it makes, errors beside
their fields named as the form names them, and the graph's status in words."""

from dsi4bcn.profiles.nodeidentity import NodeIdentity, normalise_identity
from dsi4bcn.profiles.validation import ProfileInvalid
from dsi4bcn.profiles.values import Problem
from dsi4bcn.web.nodeadminview import field_errors, graph_words, identity_body, identity_values

BASE = "https://node.example"


def test_the_form_shows_the_identity_and_keeps_languages_it_does_not_show() -> None:
    identity = NodeIdentity({"ca": "Ateneu", "fr": "Atelier"}, {"en": "A workshop."})
    values = identity_values(identity)
    assert values["name_ca"] == "Ateneu" and values["name_es"] == "" and values["summary_en"] == "A workshop."
    body = identity_body({"name_ca": " Ateneu nou ", "name_es": "  ", "summary_en": ""}, identity, None)
    assert body == {"nameMap": {"fr": "Atelier", "ca": "Ateneu nou"}, "summaryMap": {}, "icon": None}


def test_problems_are_put_beside_their_fields_in_the_form_s_words() -> None:
    body = identity_body({"name_es": "n" * 101}, NodeIdentity(), f"{BASE}/elsewhere.png")
    try:
        normalise_identity(body, BASE)
    except ProfileInvalid as invalid:
        errors = field_errors(invalid.problems, "ca")
    else:
        raise AssertionError("a 101-character name was accepted")
    assert errors["name_es"] == "«Nom (en castellà)» té més de 100 caràcters"
    assert errors["logo"].startswith("el logotip ha de ser una imatge pujada a aquest node")


def test_a_problem_without_a_language_goes_to_the_readers_field() -> None:
    errors = field_errors([Problem("nameMap", "wrong_type", {"field": "nameMap", "expected": "x"})], "en")
    assert errors == {"name_en": "'Name' must be x"}


def test_the_graph_status_in_words() -> None:
    status = {"triples": 12345, "graphs": 7, "unsynced": 0, "setAside": {"count": 0}, "graphProcessRestarts": 0}
    assert graph_words(status, "en") == [
        "The graph holds 12,345 statements (triples) in 7 graphs.",
        "Every change is in it.",
    ]
    busy = {**status, "unsynced": 3, "setAside": {"count": 2}, "graphProcessRestarts": 1}
    words = graph_words(busy, "es")
    assert words[1] == "3 perfiles o documentos esperan a ser escritos en él." and len(words) == 4
    counting = {**status, "triples": None, "graphs": None}
    assert graph_words(counting, "ca")[0] == "S'estan comptant les afirmacions del graf."

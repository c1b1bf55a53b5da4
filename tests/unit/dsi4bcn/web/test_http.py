"""JSON bodies as the APIs write them: compact UTF-8, the same document the standard library would read back."""

import json

from markupsafe import Markup

from dsi4bcn.i18n import Phrase, message
from dsi4bcn.profiles.values import Problem
from dsi4bcn.web.http import json_bytes, problems_json


def test_json_is_compact_utf8_and_reads_back_as_written() -> None:
    data = {"name": "Ateneu de Fabricació", "count": 3, "ratio": 0.25, "tags": ("a", "b"), "none": None}
    body = json_bytes(data)
    assert body == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert "Fabricació".encode() in body


def test_integer_keys_text_subclasses_and_huge_integers_are_written_as_the_standard_library_writes_them() -> None:
    data = {1: Markup("<b>x</b>"), "big": 2**70}
    assert json.loads(json_bytes(data)) == {"1": "<b>x</b>", "big": 2**70}


def test_problems_carry_their_parameters_with_reasons_in_words() -> None:
    problems = [
        Problem("neds", "unknown_field", {"field": "neds", "suggestions": ["needs"]}),
        Problem("website", "wrong_type", {"field": "website", "expected": Phrase("a URL")}),
        Problem("", "not_object"),
    ]
    assert problems_json(problems, "ca") == [
        {
            "field": "neds",
            "code": "unknown_field",
            "message": "«neds» no és un terme del perfil; potser volíeu dir «needs»?",
            "params": {"field": "neds", "suggestions": ["needs"]},
        },
        {
            "field": "website",
            "code": "wrong_type",
            "message": "«website» ha de ser una adreça URL",
            "params": {"field": "website", "expected": "una adreça URL"},
        },
        {"field": "", "code": "not_object", "message": message("not_object", "ca")},
    ]

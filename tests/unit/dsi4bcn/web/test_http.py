"""JSON bodies as the APIs write them: compact UTF-8, the same document the standard library would read back."""

import json

from markupsafe import Markup

from dsi4bcn.web.http import json_bytes


def test_json_is_compact_utf8_and_reads_back_as_written() -> None:
    data = {"name": "Ateneu de Fabricació", "count": 3, "ratio": 0.25, "tags": ("a", "b"), "none": None}
    body = json_bytes(data)
    assert body == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert "Fabricació".encode() in body


def test_integer_keys_text_subclasses_and_huge_integers_are_written_as_the_standard_library_writes_them() -> None:
    data = {1: Markup("<b>x</b>"), "big": 2**70}
    assert json.loads(json_bytes(data)) == {"1": "<b>x</b>", "big": 2**70}

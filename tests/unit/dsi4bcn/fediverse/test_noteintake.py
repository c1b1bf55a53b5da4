"""What is kept of a received note (``dsi4bcn.fediverse.noteintake.checked_note``), and what is refused."""

from typing import Any

import pytest

from dsi4bcn.fediverse.noteintake import MAX_STORED_NOTE, NoteRefused, checked_note
from dsi4bcn.fediverse.outbox import MAX_POST_LENGTH

AUTHOR = "https://peer.example/projects/taller"
RECEIVED = "2026-11-30T12:00:00Z"
NOTE: dict[str, Any] = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": f"{AUTHOR}/notes/1",
    "type": "Note",
    "attributedTo": AUTHOR,
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "content": "<p>Hola <b>veïnat</b></p>",
    "contentMap": {"ca": "<p>Hola <b>veïnat</b></p>", "es": "<p>Hola vecindario</p>"},
    "published": "2026-11-30T10:00:00+01:00",
    "url": f"{AUTHOR}/notes/1",
    "tag": [{"type": "Hashtag", "name": "#OpenData"}],
}


def _check(**changes: Any) -> dict[str, Any]:
    note = {key: value for key, value in {**NOTE, **changes}.items() if value is not None}
    return checked_note(note, author=AUTHOR, received=RECEIVED)


def test_only_the_shown_fields_are_kept_with_times_in_utc() -> None:
    assert _check() == {
        "id": f"{AUTHOR}/notes/1",
        "type": "Note",
        "attributedTo": AUTHOR,
        "content": "<p>Hola <b>veïnat</b></p>",
        "contentMap": {"ca": "<p>Hola <b>veïnat</b></p>", "es": "<p>Hola vecindario</p>"},
        "published": "2026-11-30T09:00:00Z",
        "url": f"{AUTHOR}/notes/1",
    }


def test_content_is_sanitised_in_every_language() -> None:
    hostile = '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a></p><img src=x>'
    kept = _check(content=hostile, contentMap={"en": hostile})
    for html in (kept["content"], kept["contentMap"]["en"]):
        assert "script" not in html and "onclick" not in html and "javascript" not in html and "<img" not in html
        assert html.startswith("<p>Hi")


def test_a_note_cannot_date_itself_in_the_future_and_a_missing_date_is_its_arrival() -> None:
    assert _check(published="2099-01-01T00:00:00Z", updated="2099-01-01T00:00:00Z")["published"] == RECEIVED
    assert _check(published="2099-01-01T00:00:00Z", updated="2099-01-01T00:00:00Z")["updated"] == RECEIVED
    assert _check(published=None)["published"] == RECEIVED
    assert _check(published="yesterday")["published"] == RECEIVED


def test_a_link_elsewhere_falls_back_to_the_note_id_and_a_link_object_is_read() -> None:
    assert _check(url="https://elsewhere.example/spam")["url"] == NOTE["id"]
    assert _check(url="javascript:alert(1)")["url"] == NOTE["id"]
    assert _check(url={"type": "Link", "href": f"{AUTHOR}/p/1"})["url"] == f"{AUTHOR}/p/1"


def test_content_alone_or_a_content_map_alone_is_enough() -> None:
    assert "contentMap" not in _check(contentMap=None)
    assert _check(content=None)["content"] == NOTE["contentMap"]["ca"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"content": None, "contentMap": None}, "no content"),
        ({"content": 3}, "content is not text"),
        ({"content": "x" * (MAX_POST_LENGTH + 1)}, "longer than"),
        ({"contentMap": ["<p>x</p>"]}, "contentMap"),
        ({"contentMap": {"": "x"}}, "language tag"),
        ({"contentMap": {f"l{n}": "x" for n in range(9)}}, "at most 8"),
        ({"contentMap": {f"l{n}": "x" * MAX_POST_LENGTH for n in range(6)}}, f"larger than {MAX_STORED_NOTE}"),
        ({"id": "https://elsewhere.example/notes/1"}, "author's origin"),
        ({"id": "urn:uuid:1"}, "http"),
    ],
)
def test_bad_notes_are_refused_with_a_reason(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(NoteRefused, match=reason):
        _check(**changes)

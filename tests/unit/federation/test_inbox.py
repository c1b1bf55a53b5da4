"""What the inbox makes of each activity: its effects, and the refusals (``federation.inbox``)."""

import pytest

from federation.errors import ActivityError
from federation.inbox import (
    AddFollower,
    AgreementOffered,
    Deliver,
    FollowAnswered,
    Ignore,
    LocalActor,
    NoteDeleted,
    NoteReceived,
    OfferAnswered,
    RemoveActor,
    RemoveFollower,
    handle,
)

LOCAL = "https://node.example/projects/taller"
LOCKED = "https://node.example/projects/tancat"
ALICE = "https://masto.example/users/alice"


def _local(iri: str) -> LocalActor | None:
    if iri == LOCAL:
        return LocalActor(LOCAL)
    if iri == LOCKED:
        return LocalActor(LOCKED, manually_approves_followers=True)
    return None


def _new_id(actor: str) -> str:
    return f"{actor}/activities/1"


def _handle(activity: dict) -> list:
    return handle(activity, local_actor=_local, new_id=_new_id)


FOLLOW = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://masto.example/f/1",
    "type": "Follow",
    "actor": ALICE,
    "object": LOCAL,
}


def test_follow_is_accepted_with_the_follow_embedded_as_received() -> None:
    effects = _handle(FOLLOW)
    assert effects[0] == AddFollower(LOCAL, ALICE, FOLLOW, accepted=True)
    deliver = effects[1]
    assert isinstance(deliver, Deliver) and deliver.recipients == (ALICE,)
    assert deliver.activity["type"] == "Accept"
    assert deliver.activity["actor"] == LOCAL
    assert deliver.activity["object"] == FOLLOW
    assert deliver.activity["id"].startswith(LOCAL)


def test_a_locked_actor_keeps_the_follow_pending() -> None:
    effects = _handle(dict(FOLLOW, object=LOCKED))
    assert effects == [AddFollower(LOCKED, ALICE, dict(FOLLOW, object=LOCKED), accepted=False)]


def test_follow_of_someone_else_is_ignored() -> None:
    assert isinstance(_handle(dict(FOLLOW, object="https://node.example/projects/nobody"))[0], Ignore)


def test_undo_embedded_and_by_id() -> None:
    undo = {"id": "https://masto.example/u/1", "type": "Undo", "actor": ALICE, "object": FOLLOW}
    assert _handle(undo) == [RemoveFollower(ALICE, local=LOCAL, follow_id=FOLLOW["id"])]
    by_id = dict(undo, object=FOLLOW["id"])
    assert _handle(by_id) == [RemoveFollower(ALICE, follow_id=FOLLOW["id"])]
    forged = dict(undo, object=dict(FOLLOW, actor="https://masto.example/users/bob"))
    with pytest.raises(ActivityError, match="its own Follow"):
        _handle(forged)


def test_delete_of_the_actor_itself() -> None:
    delete = {"id": f"{ALICE}#delete", "type": "Delete", "actor": ALICE, "object": ALICE}
    assert _handle(delete) == [RemoveActor(ALICE)]
    note_delete = dict(delete, object="https://masto.example/notes/1")
    assert _handle(note_delete) == [NoteDeleted(ALICE, "https://masto.example/notes/1")]
    tombstone = dict(delete, object={"id": "https://masto.example/notes/1", "type": "Tombstone"})
    assert _handle(tombstone) == [NoteDeleted(ALICE, "https://masto.example/notes/1")]
    elsewhere = dict(delete, object="https://other.example/notes/1")
    assert _handle(elsewhere) == [Ignore("Delete of an object on another origin")]


NOTE = {
    "id": "https://masto.example/notes/1",
    "type": "Note",
    "attributedTo": ALICE,
    "content": "<p>Hola</p>",
    "published": "2026-11-30T10:00:00Z",
}
CREATE = {"id": "https://masto.example/c/1", "type": "Create", "actor": ALICE, "object": NOTE}


def test_a_note_by_its_own_actor_is_received_and_an_update_edits_it() -> None:
    assert _handle(CREATE) == [NoteReceived(ALICE, NOTE, edited=False)]
    assert _handle(dict(CREATE, type="Update")) == [NoteReceived(ALICE, NOTE, edited=True)]
    listed = dict(NOTE, attributedTo=[{"id": ALICE, "type": "Person"}])
    assert _handle(dict(CREATE, object=listed)) == [NoteReceived(ALICE, listed, edited=False)]


def test_a_create_of_something_else_than_a_note_is_ignored() -> None:
    article = dict(NOTE, type="Article")
    assert isinstance(_handle(dict(CREATE, object=article))[0], Ignore)
    assert isinstance(_handle(dict(CREATE, object=NOTE["id"]))[0], Ignore)


@pytest.mark.parametrize(
    "author",
    [
        "https://masto.example/users/bob",
        "https://other.example/users/alice",
        [ALICE, "https://masto.example/users/bob"],
        None,
        [],
    ],
)
def test_a_note_that_names_another_author_is_refused(author: object) -> None:
    with pytest.raises(ActivityError, match="attributedTo is not the activity's actor"):
        _handle(dict(CREATE, object=dict(NOTE, attributedTo=author)))
    with pytest.raises(ActivityError, match="attributedTo"):
        _handle(dict(CREATE, type="Update", object=dict(NOTE, attributedTo=author)))


def test_a_note_on_another_origin_is_refused_even_when_it_names_the_actor() -> None:
    with pytest.raises(ActivityError, match="object is not on the actor"):
        _handle(dict(CREATE, object=dict(NOTE, id="https://other.example/notes/1")))


def test_accept_and_reject_of_our_follow() -> None:
    ours = {"id": f"{LOCAL}/activities/9", "type": "Follow", "actor": LOCAL, "object": ALICE}
    accepted = {"id": "https://masto.example/a/1", "type": "Accept", "actor": ALICE, "object": ours}
    assert _handle(accepted) == [FollowAnswered(ALICE, True, ours["id"], LOCAL)]
    rejected = dict(accepted, type="Reject", object=ours["id"])
    # By id alone it may answer a Follow or an offer to collaborate: the node matches it against both
    assert _handle(rejected) == [FollowAnswered(ALICE, False, ours["id"], None), OfferAnswered(ALICE, rejected, False)]
    forged = dict(accepted, object=dict(ours, object="https://masto.example/users/bob"))
    with pytest.raises(ActivityError):
        _handle(forged)


@pytest.mark.parametrize(
    ("activity", "reason"),
    [
        (
            {"id": "https://evil.example/1", "type": "Follow", "actor": ALICE, "object": LOCAL},
            "actor's origin",
        ),
        (
            {
                "id": "https://masto.example/c/1",
                "type": "Create",
                "actor": ALICE,
                "object": {"id": "https://other.example/notes/1", "type": "Note"},
            },
            "object is not on the actor",
        ),
        ({"id": "https://masto.example/c/1", "type": "Create", "actor": ALICE}, "no object"),
        (
            {
                "id": "https://masto.example/c/1",
                "type": "Create",
                "actor": ALICE,
                "object": {"id": "https://masto.example/n/1", "@graph": []},
            },
            "@graph",
        ),
        (
            {"id": "https://masto.example/c/1", "type": "Like", "actor": ALICE, "object": {"@reverse": {}}},
            "@reverse",
        ),
        ({"id": "https://masto.example/c/1", "type": "Like", "actor": ALICE, "@included": []}, "@included"),
        ({"type": "Follow", "actor": ALICE}, "no id"),
        ({"id": "relative", "type": "Follow", "actor": ALICE}, "absolute"),
        ([], "JSON object"),
    ],
)
def test_forged_or_malformed_activities_are_refused(activity: object, reason: str) -> None:
    with pytest.raises(ActivityError, match=reason):
        handle(activity, local_actor=_local, new_id=_new_id)  # type: ignore[arg-type]


def test_unknown_types_are_accepted_and_ignored() -> None:
    effects = _handle({"id": "https://masto.example/x/1", "type": "EmojiReact", "actor": ALICE, "object": LOCAL})
    assert effects == [Ignore("EmojiReact activities need no action here")]


def test_an_actor_publishing_its_own_document() -> None:
    from federation.inbox import ActorUpdated

    document = {"id": ALICE, "type": "Person", "name": "Alice"}
    update = {"id": f"{ALICE}#updates/1", "type": "Update", "actor": ALICE, "object": document}
    assert _handle(update) == [ActorUpdated(ALICE, document)]
    create = dict(update, type="Create")
    assert _handle(create) == [ActorUpdated(ALICE, document)]
    someone_else = dict(update, object={"id": "https://masto.example/users/bob", "type": "Person"})
    assert isinstance(_handle(someone_else)[0], Ignore)


def test_an_embedded_actor_document_keeps_the_activitys_context() -> None:
    from federation.inbox import ActorUpdated

    context = ["https://www.w3.org/ns/activitystreams", {"dsi": "https://w3id.org/dsi4bcn/ns#"}]
    document = {"id": ALICE, "type": ["Group", "dsi:Project"], "name": "Alice"}
    update = {"@context": context, "id": f"{ALICE}#updates/2", "type": "Update", "actor": ALICE, "object": document}
    [effect] = _handle(update)
    assert effect == ActorUpdated(ALICE, {"@context": context, **document})
    own = {"@context": "https://www.w3.org/ns/activitystreams", **document}
    assert _handle(dict(update, object=own)) == [ActorUpdated(ALICE, own)]  # its own context wins


def test_offers_to_collaborate_and_their_answers() -> None:
    offer = {
        "id": "https://masto.example/offers/1",
        "type": "Offer",
        "actor": ALICE,
        "object": {"type": "Agreement", "stipulates": {"type": "Commitment", "satisfies": f"{LOCAL}/calls/x#primary"}},
    }
    assert _handle(offer) == [AgreementOffered(ALICE, offer)]
    assert isinstance(_handle(dict(offer, object={"type": "Note"}))[0], Ignore)
    accept = {"id": "https://masto.example/a/2", "type": "Accept", "actor": ALICE, "object": f"{LOCAL}/offers/1"}
    accept["result"] = {"id": "https://masto.example/agreements/1", "type": "Agreement"}
    assert _handle(accept) == [OfferAnswered(ALICE, accept, True)]

"""Sample activities shared by unit tests: what a node queues for delivery."""

from typing import Any

__all__ = ["ACTIVITY"]

# A public Create of a Note, as the outbox queues it for delivery.
ACTIVITY: dict[str, Any] = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://n.example/a/1",
    "type": "Create",
    "actor": "https://n.example/actor",
    "object": {"id": "https://n.example/notes/1", "type": "Note"},
}

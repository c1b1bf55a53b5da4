"""What the store keeps about each local actor, as plain frozen data."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsi4bcn.profiles.validation import Kind

__all__ = ["ActorRecord", "InstanceRecord"]


@dataclass(frozen=True)
class ActorRecord:
    """An organisation or project: its canonical editable fields, public key and timestamps."""

    kind: Kind
    slug: str
    organisation: str | None
    fields: Mapping[str, Any]
    public_key_pem: str
    published: str
    updated: str
    deleted: str | None = None
    # The current key's number (1 is ``#main-key``) and the retired keys still in their grace period,
    # ``(number, public PEM)`` (docs/key-rotation.md).
    key_number: int = 1
    retired_keys: tuple[tuple[int, str], ...] = ()

    def name(self, language: str) -> str:
        """The name in ``language``, else in another of ca/es/en, else any."""
        names: Mapping[str, str] = self.fields.get("nameMap", {})
        for candidate in (language, "ca", "es", "en"):
            if candidate in names:
                return names[candidate]
        return next(iter(names.values()), self.slug)


@dataclass(frozen=True)
class InstanceRecord:
    """The node's Application actor: its key and when the node was created."""

    public_key_pem: str
    published: str
    key_number: int = 1
    retired_keys: tuple[tuple[int, str], ...] = ()

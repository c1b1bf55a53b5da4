"""Request signers for local actors: which key signs what a node sends.

An actor's current key signs everything, except the ``Update`` that announces a key rotation, which the
retired key signs while it is kept, so that a receiver holding only the old key verifies it without a
fetch and Mastodon takes the new key from an ``Update`` "signed with a known key" (no re-follow);
docs/key-rotation.md.
"""

from collections.abc import Mapping
from datetime import UTC, datetime

from dsi4bcn.profiles.iris import actor_iri, instance_actor_iri
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.keyrotations import KeyRotations, SigningKey
from dsi4bcn.storage.localactors import ProfileStore
from federation.client import RequestSigner
from federation.httpsig import sign_headers
from federation.keys import key_fragment

__all__ = ["Signers"]


class Signers:
    """Request signers for local actors (``''`` is the instance actor), keys read once and kept until the
    actors change (a key rotation among them). The ``Update`` that announces a rotation is signed with the
    retired key while it is kept (docs/key-rotation.md)."""

    def __init__(self, profiles: ProfileStore, base_url: str, database: Database | None = None) -> None:
        self._profiles = profiles
        self._base_url = base_url
        # Without the database, no rotation is known: the current keys sign everything.
        self._rotations = KeyRotations(database, profiles) if database is not None else None
        self._keys: dict[str, tuple[str, str, str]] = {}  # slug -> (actor, key id, private key)
        self._announcements: dict[str, SigningKey] | None = None
        self._generation = -1
        self._live: tuple[str, str, str] = ("", "", "")

    @property
    def rotations(self) -> KeyRotations | None:
        """The retired keys these signers know of."""
        return self._rotations

    def _fresh(self) -> None:
        if self._generation != self._profiles.generation:  # an actor changed (its key, maybe)
            self._keys.clear()
            self._announcements = None
            self._generation = self._profiles.generation

    async def _key(self, slug: str) -> tuple[str, str, str]:
        self._fresh()
        if slug not in self._keys:
            if slug == "":
                actor, number = instance_actor_iri(self._base_url), (await self._profiles.instance()).key_number
            else:
                record = await self._profiles.get(slug)
                if record is None:
                    raise KeyError(slug)
                actor, number = actor_iri(self._base_url, record.kind, slug), record.key_number
            self._keys[slug] = (actor, f"{actor}#{key_fragment(number)}", await self._profiles.private_key_pem(slug))
        return self._keys[slug]

    async def announcing(self, slug: str) -> list[str]:
        """The ids of the ``Update``s announcing a rotation of ``slug`` still signed with the retired key."""
        self._fresh()
        if self._rotations is None:
            return []
        if self._announcements is None:
            self._announcements = await self._rotations.signing_keys()
        return [update for update, key in self._announcements.items() if key.local == slug]

    async def _announcing(self, slug: str, actor: str, activity_id: str | None) -> tuple[str, str] | None:
        """The retired key that signs ``activity_id`` if it announces a rotation of ``slug``, else None."""
        if activity_id is None or self._rotations is None:
            return None
        if self._announcements is None:
            self._announcements = await self._rotations.signing_keys()
        key = self._announcements.get(activity_id)
        if key is None or key.local != slug:
            return None
        return f"{actor}#{key_fragment(key.number)}", key.private_pem

    async def refresh(self) -> None:
        """Read the keys again now (after a rotation), so that ``live_signer`` signs with the new one."""
        self._generation = -1
        self._live = await self._key("")

    async def live_signer(self) -> RequestSigner:
        """A signer for the instance actor that always signs with its current key (for the client the node
        fetches with, made once at start): ``refresh`` moves it to a new key."""
        self._live = await self._key("")

        def sign(*, method: str, url: str, body: bytes | None, content_type: str | None) -> Mapping[str, str]:
            _actor, key_id, private_pem = self._live
            return _signed(method, url, body, content_type, key_id, private_pem)

        return sign

    async def signer(self, slug: str, activity_id: str | None = None) -> RequestSigner:
        """A signer that signs as local actor ``slug`` (for the delivery of ``activity_id``, if given)."""
        actor, key_id, private_pem = await self._key(slug)
        key_id, private_pem = await self._announcing(slug, actor, activity_id) or (key_id, private_pem)

        def sign(*, method: str, url: str, body: bytes | None, content_type: str | None) -> Mapping[str, str]:
            return _signed(method, url, body, content_type, key_id, private_pem)

        return sign


def _signed(
    method: str, url: str, body: bytes | None, content_type: str | None, key_id: str, private_pem: str
) -> Mapping[str, str]:
    return sign_headers(
        method=method,
        url=url,
        key_id=key_id,
        private_key_pem=private_pem,
        now=datetime.now(UTC),
        body=body,
        content_type=content_type,
    )

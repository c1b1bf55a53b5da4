"""Plain data the protocol functions take and return."""

from dataclasses import dataclass

__all__ = ["Acct", "ActorEndpoints", "KeyPair"]


@dataclass(frozen=True)
class KeyPair:
    """An RSA key pair as PEM text: PKCS#8 private key, SubjectPublicKeyInfo public key."""

    private_pem: str
    public_pem: str


@dataclass(frozen=True)
class ActorEndpoints:
    """The URLs an ActivityPub actor publishes about itself."""

    id: str
    inbox: str
    outbox: str
    followers: str
    following: str
    shared_inbox: str
    url: str

    @property
    def key_id(self) -> str:
        """The id of the actor's main key (``{actor}#main-key``, as Mastodon names it)."""
        return f"{self.id}#main-key"


@dataclass(frozen=True)
class Acct:
    """An ``acct:`` URI (RFC 7565): a user at a host (the host may carry a port)."""

    user: str
    host: str

    def __str__(self) -> str:
        return f"acct:{self.user}@{self.host}"

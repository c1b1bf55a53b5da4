"""RSA keys for actors: generate, serialise and check PEM text.

Mastodon verifies only RSASSA-PKCS1-v1_5 with SHA-256, so every actor gets a 2048-bit RSA key.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.errors import KeyFormatError
from federation.types import KeyPair

__all__ = ["generate_key_pair", "key_fragment", "load_private_key", "public_pem_of"]

_RSA_BITS = 2048


def generate_key_pair(bits: int = _RSA_BITS) -> KeyPair:
    """A new RSA key pair (public exponent 65537)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return KeyPair(private_pem=private_pem, public_pem=_public_pem(private_key))


def key_fragment(number: int) -> str:
    """The fragment of an actor's key id for its ``number``-th key: ``main-key`` for the first (as Mastodon
    names it), ``key-N`` after a rotation, so that no cache keyed by key id can take one key for another."""
    return "main-key" if number <= 1 else f"key-{number}"


def load_private_key(private_pem: str) -> rsa.RSAPrivateKey:
    """Parse a PEM private key; raise ``KeyFormatError`` with the reason if it is not an RSA key."""
    try:
        key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    except (ValueError, TypeError) as error:
        raise KeyFormatError(f"unreadable private key: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFormatError("private key is not an RSA key")
    return key


def public_pem_of(private_pem: str) -> str:
    """The SubjectPublicKeyInfo PEM of a private key."""
    return _public_pem(load_private_key(private_pem))


def _public_pem(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )

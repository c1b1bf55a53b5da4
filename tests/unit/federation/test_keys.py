"""RSA key pairs: generated, signed with, read back; an unreadable key says why (``federation.keys``)."""

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from federation.errors import KeyFormatError
from federation.keys import generate_key_pair, load_private_key, public_pem_of


def test_key_pair_signs_and_verifies_and_round_trips() -> None:
    pair = generate_key_pair(bits=1024)
    assert pair.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert public_pem_of(pair.private_pem) == pair.public_pem
    private = load_private_key(pair.private_pem)
    signature = private.sign(b"hello", padding.PKCS1v15(), hashes.SHA256())
    public = load_pem_public_key(pair.public_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, b"hello", padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"hellO", padding.PKCS1v15(), hashes.SHA256())


def test_unreadable_private_key_says_why() -> None:
    with pytest.raises(KeyFormatError, match="unreadable"):
        load_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_key_fragments_keep_main_key_for_the_first_key_and_number_the_rotated_ones() -> None:
    from federation.keys import key_fragment

    assert [key_fragment(n) for n in (1, 2, 3)] == ["main-key", "key-2", "key-3"]

"""One exception tree for the protocol layer; every error carries a reason a person can read."""

__all__ = ["FederationError", "KeyFormatError", "NegotiationError", "WebFingerError"]


class FederationError(Exception):
    """Base of every protocol error raised by ``federation``."""


class WebFingerError(FederationError):
    """A WebFinger query that cannot be answered (malformed or foreign resource)."""


class KeyFormatError(FederationError):
    """A key that cannot be generated, loaded or parsed."""


class NegotiationError(FederationError):
    """An Accept header that names no representation we can serve."""

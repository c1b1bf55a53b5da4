"""One exception tree for the protocol layer; every error carries a reason a person can read."""

__all__ = [
    "FederationError",
    "FetchError",
    "KeyFormatError",
    "NegotiationError",
    "SignatureError",
    "UnsafeURLError",
    "WebFingerError",
]


class FederationError(Exception):
    """Base of every protocol error raised by ``federation``."""


class WebFingerError(FederationError):
    """A WebFinger query that cannot be answered (malformed or foreign resource).

    ``code`` names the reason for a message table: ``webfinger_missing``, ``webfinger_too_long``,
    ``webfinger_not_acct`` or ``webfinger_not_url``.
    """

    def __init__(self, message: str, code: str = "webfinger_not_url") -> None:
        super().__init__(message)
        self.code = code


class KeyFormatError(FederationError):
    """A key that cannot be generated, loaded or parsed."""


class NegotiationError(FederationError):
    """An Accept header that names no representation we can serve."""


class ActivityError(FederationError):
    """A received activity that is malformed or not allowed."""


class FetchError(FederationError):
    """A remote fetch or delivery that failed: network, safety, size, status or document checks.

    ``status`` holds the HTTP status when the failure is an unwanted answer (``HTTP 404 from …``).
    """

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class UnsafeURLError(FetchError):
    """A URL or resolved address the node refuses to contact (private network, scheme, userinfo, port)."""


class SignatureError(FederationError):
    """A request signature or body digest that cannot be accepted (the server answers 401)."""

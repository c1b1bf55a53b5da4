"""What goes wrong on the command line, said in the user's language.

A failure travels as ``CommandFailed(code, **params)`` with an exit status; ``describe`` words it in the
language of the user's locale (``user_language``: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as
gettext reads them), from the ``cli_*`` messages of ``dsi4bcn.i18n``. The node's own errors come already
worded in that language (the CLI sends it as ``Accept-Language``).
"""

import os
from collections.abc import Mapping

from dsi4bcn.i18n import LANGUAGES, Reason, message

__all__ = ["BAD_INPUT", "NODE_REFUSED", "CommandFailed", "user_language"]

NODE_REFUSED = 1  # the node answered with an error, or could not be reached
BAD_INPUT = 2  # bad local input: a file, a slug, an option


class CommandFailed(Exception):
    """A command that cannot go on: a message code with its parameters, and the exit status."""

    def __init__(self, code: str, status: int = BAD_INPUT, **params: object) -> None:
        self.reason = Reason(code, **params)
        self.status = status
        super().__init__(str(self.reason))

    def describe(self, language: str) -> str:
        """The failure in ``language``."""
        return message(self.reason.code, language, **self.reason.params)


def user_language(environ: Mapping[str, str] | None = None) -> str:
    """The user's language among ca, es and en, from the locale; English otherwise.

    ``LANGUAGE`` is a list (``ca:es``) that gettext reads first unless the locale is ``C``; then ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG`` (``ca_ES.UTF-8``).
    """
    environ = os.environ if environ is None else environ
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    candidates = [] if locale in ("C", "POSIX") else environ.get("LANGUAGE", "").split(":")
    for tag in [*candidates, locale]:
        code = tag.strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"

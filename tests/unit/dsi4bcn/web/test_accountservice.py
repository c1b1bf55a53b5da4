"""Emails are kept trimmed and in lower case; what is not one is refused."""

import pytest

from dsi4bcn.web.accountservice import normal_email


@pytest.mark.parametrize("text", ["a@b", "a b@c.d", "@b.c", "a@b..c", "a@@b.c", "x" * 65 + "@a.b", "a\x00b@c.d", ""])
def test_what_is_not_an_email_is_refused(text: str) -> None:
    assert normal_email(text) is None


def test_an_email_is_trimmed_and_lower_cased() -> None:
    assert normal_email("  Ana@Ateneu.Example ") == "ana@ateneu.example"

"""The language of an answer: explicit choice, Accept-Language, the default (``dsi4bcn.i18n.language``)."""

from dsi4bcn.i18n import choose_language, message


def test_messages_are_filled_in_and_language_is_negotiated() -> None:
    assert message("required", "es", field="nameMap") == "hay que indicar «nameMap»"
    assert choose_language("en", "ca", "ca") == "en"
    assert choose_language(None, "fr-FR, es;q=0.8, en;q=0.5", "ca") == "es"
    assert choose_language("de", "de", "ca") == "ca"
    assert choose_language(None, "en;q=0, ca;q=0.1", "es") == "ca"

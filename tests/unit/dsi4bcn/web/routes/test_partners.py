"""How the partners page writes distances and links to profiles."""

from dsi4bcn.web.routes.partners import format_km, in_language


def test_distances_use_the_languages_decimal_mark() -> None:
    assert format_km(4.06, "ca") == "4,1"
    assert format_km(4.06, "es") == "4,1"
    assert format_km(0.0, "en") == "0.0"


def test_profile_links_ask_for_the_visitors_language() -> None:
    assert in_language("https://a.example/projects/x", "es") == "https://a.example/projects/x?lang=es"
    assert in_language("https://a.example/actor?id=7", "ca") == "https://a.example/actor?id=7&lang=ca"

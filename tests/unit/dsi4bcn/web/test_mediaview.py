"""The placeholder that stands for a logo not held: initials and a colour that stay with the name."""

from dsi4bcn.storage.mediastore import MediaRef
from dsi4bcn.web.mediaview import PLACEHOLDER_COLOURS, image_view, placeholder


def test_the_placeholder_takes_the_initials_of_the_long_words() -> None:
    assert placeholder("Taller Comunitari del Poblenou").initials == "TC"
    assert placeholder("Codi en femení").initials == "CF"  # "en" is too short to count
    assert placeholder("la xarxa").initials == "X"  # one long word: its initial
    assert placeholder("3D al barri").initials == "B"
    assert placeholder("3D").initials == "3"  # no long word: the short ones count
    assert placeholder("").initials == "·"
    assert placeholder("«Àgora» oberta").initials == "O"  # a word starting with a quote is left out


def test_the_placeholder_colour_is_stable_and_in_range() -> None:
    names = [f"Projecte {number}" for number in range(60)]
    colours = [placeholder(name).colour for name in names]
    assert colours == [placeholder(name).colour for name in names]
    assert set(colours) == set(range(PLACEHOLDER_COLOURS))  # every colour is used over enough names


def test_an_image_view_is_a_path_on_this_node_with_its_size() -> None:
    view = image_view(MediaRef("ab" * 32, "image/jpeg", 120, 40))
    assert (view.src, view.width, view.height) == (f"/media/{'ab' * 32}.jpg", 120, 40)


def test_with_no_long_word_the_first_two_words_give_the_initials() -> None:
    assert placeholder("ab cd ef").initials == "AC"
    assert placeholder("Fab Lab de Sants i Montjuïc").initials == "FL"

"""The shades of the district map: classes of counts, each with a fill, from light to dark.

Pure data and arithmetic; the fills' contrasts against the map's outline are checked by the unit tests.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["EMPTY_FILL", "SHADES", "Shade", "fills_of", "shade_classes", "shade_of"]

# Fills from light to dark (a sequential teal), each at least 3:1 against the outline colour, so that every
# border stays visible; the unit tests check the contrasts.
EMPTY_FILL = "#f7f4ed"
SHADES = ("#d2ebe4", "#9dd3c6", "#62b5a4", "#3b9a88")


@dataclass(frozen=True)
class Shade:
    """A class of counts, from ``low`` to ``high`` inclusive, and its fill."""

    low: int
    high: int
    fill: str

    def label(self) -> str:
        """The range as people write it: "0", "4", "4–10"."""
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def shade_classes(highest: int) -> tuple[Shade, ...]:
    """The classes for counts from 0 to ``highest``: 0 alone, then up to four classes whose upper bounds
    grow geometrically (counts are skewed: one busy neighbourhood should not wash out the rest)."""
    classes = [Shade(0, 0, EMPTY_FILL)]
    steps = min(len(SHADES), max(highest, 0))
    low = 1
    for step in range(1, steps + 1):
        high = highest if step == steps else max(low, math.floor(highest ** (step / steps) + 0.5))
        classes.append(Shade(low, high, SHADES[step - 1 + len(SHADES) - steps]))
        low = high + 1
    return tuple(classes)


def shade_of(count: int, classes: Sequence[Shade]) -> Shade:
    """The class ``count`` falls in (the last one past the highest)."""
    return next((shade for shade in classes if shade.low <= count <= shade.high), classes[-1])


def fills_of(counts: Mapping[str, int], classes: Sequence[Shade]) -> dict[int, str]:
    """The fill of each count in ``counts`` (one lookup per distinct count, not per neighbourhood)."""
    return {count: shade_of(count, classes).fill for count in {0, *counts.values()}}

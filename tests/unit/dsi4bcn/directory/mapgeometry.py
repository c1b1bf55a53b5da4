"""Test helpers for the district map: a strict reader of the SVG path data the map uses, and point-in-polygon."""

import re
from collections.abc import Sequence

_TOKEN = re.compile(r"\s*(?:([MmLlZz])|(-?\d+(?:\.\d+)?))")

Ring = list[tuple[float, float]]


def read_path(d: str) -> list[Ring]:
    """The rings of an SVG path made of ``M x y``, ``L``/``l`` pairs and ``Z``/``z``; raise ``ValueError`` on
    anything else (an unknown command, a dangling number, trailing text, an unclosed ring)."""
    tokens: list[str | float] = []
    position = 0
    while position < len(d):
        match = _TOKEN.match(d, position)
        if match is None or match.end() == position:
            raise ValueError(f"not path data at {position}: {d[position : position + 20]!r}")
        tokens.append(match.group(1) or float(match.group(2)))
        position = match.end()
    rings: list[Ring] = []
    index, command, current = 0, "", (0.0, 0.0)
    ring: Ring | None = None
    while index < len(tokens):
        token = tokens[index]
        if isinstance(token, str):
            command, index = token, index + 1
            if command in "Zz":
                if ring is None or len(ring) < 3:
                    raise ValueError("a ring closed before it had three points")
                rings.append(ring)
                ring, command = None, ""
            continue
        if command not in "MmLl" or command == "" or index + 1 >= len(tokens) or isinstance(tokens[index + 1], str):
            raise ValueError(f"coordinates without a command or without a pair at token {index}")
        x, y = float(token), float(tokens[index + 1])
        index += 2
        if command in "ml" and ring is not None:
            x, y = current[0] + x, current[1] + y
        if command in "Mm":
            if ring is not None:
                raise ValueError("a new ring began before the previous one was closed")
            ring, command = [(x, y)], "l" if command == "m" else "L"
        elif ring is None:
            raise ValueError("a line before any move")
        else:
            ring.append((x, y))
        current = (x, y)
    if ring is not None:
        raise ValueError("the last ring is not closed")
    return rings


def inside(x: float, y: float, rings: Sequence[Ring]) -> bool:
    """Whether (x, y) is inside the shape (even-odd rule over all its rings)."""
    result = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                result = not result
    return result

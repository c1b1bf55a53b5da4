"""TF-IDF cosine written out from docs/matching.md, independently of the index's sparse matrices: the
reference the index's text part is checked against."""

import math
from collections.abc import Callable, Iterable

from dsi4bcn.matching.model import tokens

__all__ = ["reference_text_similarity"]


def reference_text_similarity(base: Iterable[str]) -> Callable[[str, str], float]:
    """The cosine of two texts with IDF over the texts ``base`` (those an index block was built from),
    ``(1 + log tf)`` weights, words unknown to ``base`` ignored."""
    texts = list(base)
    frequency: dict[str, int] = {}
    for text in texts:
        for word in set(tokens(text)):
            frequency[word] = frequency.get(word, 0) + 1

    def vector(text: str) -> dict[str, float]:
        counts: dict[str, int] = {}
        for word in tokens(text):
            if word in frequency:
                counts[word] = counts.get(word, 0) + 1
        weights = {
            word: (1 + math.log(count)) * (math.log((1 + len(texts)) / (1 + frequency[word])) + 1)
            for word, count in counts.items()
        }
        norm = math.sqrt(sum(value * value for value in weights.values()))
        return {word: value / norm for word, value in weights.items()} if norm else {}

    def similarity(first: str, second: str) -> float:
        one, other = vector(first), vector(second)
        return sum(value * other.get(word, 0.0) for word, value in one.items())

    return similarity

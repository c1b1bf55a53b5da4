"""The matching index: every profile as rows of sparse matrices, so that one query scores them all at once.

Each part of ``dsi4bcn.matching.model`` becomes a matrix-vector product or an array operation over all
candidates: the partner's offers are stored as their *reach* (for every skill, the best similarity to any
of its offers), so "mean over my needs of the best matching offer" is one sparse product; the same for
areas, SDGs and TF-IDF text vectors. Profiles that change after the index was built go to a small delta
block (their old rows are masked); when the delta grows, the whole index is rebuilt in a thread.
"""

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from dsi4bcn.matching.model import (
    CROSS_SECTOR,
    DISTANCE_KM,
    EARTH_RADIUS_KM,
    PARTS,
    REASONS,
    SAME_DISTRICT,
    SAME_NEIGHBOURHOOD,
    SAME_SECTOR,
    UNKNOWN_SECTOR,
    Profile,
    reach,
    tokens,
)
from vocab.concepts import concept_index

__all__ = ["Block", "Candidate", "MatchIndex"]

FloatArray = npt.NDArray[np.float64]
_SECTORS = ("industry", "academia", "public-administration", "civil-society")


@dataclass(frozen=True)
class Candidate:
    """A scored partner: its id, score and parts."""

    id: str
    score: float
    parts: Mapping[str, float]


@dataclass(frozen=True)
class Vocabulary:
    """Column numbers of concepts and text tokens, and the tokens' inverse document frequencies."""

    skills: Mapping[str, int]
    areas: Mapping[str, int]
    sdgs: Mapping[str, int]
    words: Mapping[str, int]
    idf: FloatArray


def _columns(scheme: str) -> dict[str, int]:
    return {concept.iri: number for number, concept in enumerate(concept_index().in_scheme(scheme))}


def build_vocabulary(profiles: Iterable[Profile]) -> Vocabulary:
    """Concept columns from the schemes; word columns and IDF from the profiles' texts."""
    frequency: dict[str, int] = {}
    count = 0
    for profile in profiles:
        count += 1
        for word in set(tokens(profile.text)):
            frequency[word] = frequency.get(word, 0) + 1
    words = {word: number for number, word in enumerate(sorted(frequency))}
    idf = np.array([math.log((1 + count) / (1 + frequency[word])) + 1.0 for word in sorted(frequency)])
    return Vocabulary(_columns("skill"), _columns("area"), _columns("sdg"), words, idf)


def _text_vector(text: str, vocabulary: Vocabulary) -> dict[int, float]:
    counts: dict[int, float] = {}
    for word in tokens(text):
        column = vocabulary.words.get(word)
        if column is not None:
            counts[column] = counts.get(column, 0.0) + 1.0
    weighted = {column: (1.0 + math.log(value)) * vocabulary.idf[column] for column, value in counts.items()}
    norm = math.sqrt(sum(value * value for value in weighted.values()))
    return {column: value / norm for column, value in weighted.items()} if norm else {}


def _sector_mask(sectors: Iterable[str]) -> int:
    mask = 0
    for iri in sectors:
        code = iri.rsplit("/", 1)[-1]
        if code in _SECTORS:
            mask |= 1 << _SECTORS.index(code)
    return mask


class _Rows:
    """Accumulates one sparse matrix row by row."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.data: list[float] = []
        self.columns: list[int] = []
        self.pointers = [0]

    def add(self, values: Mapping[int, float]) -> None:
        for column, value in values.items():
            self.columns.append(column)
            self.data.append(value)
        self.pointers.append(len(self.data))

    def matrix(self) -> sparse.csc_matrix:
        """Column-major: a query touches only the columns of the asker's few concepts and words."""
        rows = sparse.csr_matrix((self.data, self.columns, self.pointers), shape=(len(self.pointers) - 1, self.width))
        return rows.tocsc()


def _column_product(matrix: sparse.csc_matrix, vector: Mapping[int, float]) -> FloatArray:
    """``matrix @ vector`` for a sparse ``vector``, reading only its non-zero columns."""
    if not vector:
        return np.zeros(matrix.shape[0])
    pointers, rows, data = matrix.indptr, matrix.indices, matrix.data
    spans = [(pointers[column], pointers[column + 1], value) for column, value in vector.items()]
    touched = np.concatenate([rows[start:end] for start, end, _ in spans])
    weights = np.concatenate([data[start:end] * value for start, end, value in spans])
    return np.bincount(touched, weights=weights, minlength=matrix.shape[0]).astype(float, copy=False)


class Block:
    """An immutable set of candidate rows."""

    def __init__(self, profiles: Sequence[Profile], vocabulary: Vocabulary) -> None:
        self.ids = [profile.id for profile in profiles]
        self.rows = {profile.id: row for row, profile in enumerate(profiles)}
        self.vocabulary = vocabulary
        size = len(profiles)
        self.active = np.array([profile.active for profile in profiles], dtype=bool)
        self.organisation = [profile.organisation or "" for profile in profiles]
        self.sectors = np.array([_sector_mask(profile.sectors) for profile in profiles], dtype=np.int64)
        self.neighbourhood = [profile.neighbourhood or "" for profile in profiles]
        self.district = [profile.district or "" for profile in profiles]
        latitude = np.array([np.nan if p.latitude is None else p.latitude for p in profiles], dtype=float)
        longitude = np.array([np.nan if p.longitude is None else p.longitude for p in profiles], dtype=float)
        # Each location as a point on the unit sphere, once: a query then needs only the chord to it.
        located = ~np.isnan(latitude) & ~np.isnan(longitude)
        self._located = None if located.all() else np.flatnonzero(located)
        self._points = _unit_vectors(latitude, longitude) if self._located is None else None
        if self._located is not None:
            self._points = _unit_vectors(latitude[self._located], longitude[self._located])
        offers, needs = _Rows(len(vocabulary.skills)), _Rows(len(vocabulary.skills))
        areas_reach, areas = _Rows(len(vocabulary.areas)), _Rows(len(vocabulary.areas))
        sdgs, text = _Rows(len(vocabulary.sdgs)), _Rows(len(vocabulary.words))
        for profile in profiles:
            offers.add(_indexed(reach(profile.offers), vocabulary.skills))
            needs.add(_spread(profile.needs, vocabulary.skills, lambda n: 1.0 / n))
            areas_reach.add(_indexed(reach(profile.areas), vocabulary.areas))
            areas.add(_spread(profile.areas, vocabulary.areas, lambda n: 1.0 / n))
            sdgs.add(_spread(profile.sdgs, vocabulary.sdgs, lambda n: 1.0 / math.sqrt(n)))
            text.add(_text_vector(profile.text, vocabulary))
        self.offer_reach, self.needs = offers.matrix(), needs.matrix()
        self.area_reach, self.areas = areas_reach.matrix(), areas.matrix()
        self.sdgs, self.text = sdgs.matrix(), text.matrix()
        # Per-organisation row lists and per-place codes, for fast masks.
        self._organisation_codes = _codes(self.organisation)
        self._neighbourhood_codes = _codes(self.neighbourhood)
        self._district_codes = _codes(self.district)
        self.size = size

    def parts(self, asker: Profile) -> dict[str, FloatArray]:
        """Every part of the score for every row, as arrays."""
        vocabulary = self.vocabulary
        results: dict[str, FloatArray] = {}
        results["needs"] = _column_product(self.offer_reach, _spread(asker.needs, vocabulary.skills, lambda n: 1.0 / n))
        results["offers"] = _column_product(self.needs, _indexed(reach(asker.offers), vocabulary.skills))
        forward = _column_product(self.area_reach, _spread(asker.areas, vocabulary.areas, lambda n: 0.5 / n))
        backward = _column_product(
            self.areas, {column: value / 2 for column, value in _indexed(reach(asker.areas), vocabulary.areas).items()}
        )
        results["areas"] = forward + backward if asker.areas else np.zeros(self.size)
        results["sdgs"] = _column_product(self.sdgs, _spread(asker.sdgs, vocabulary.sdgs, lambda n: 1.0 / math.sqrt(n)))
        results["place"] = self._place(asker)
        results["sectors"] = self._sectors(asker) * np.maximum(results["needs"], results["offers"])
        results["text"] = _column_product(self.text, _text_vector(asker.text, vocabulary))
        return results

    def _place(self, asker: Profile) -> FloatArray:
        score = np.zeros(self.size)
        if asker.district:
            score[self._district_codes.get(asker.district, np.empty(0, dtype=np.int64))] = SAME_DISTRICT
        if asker.neighbourhood:
            score[self._neighbourhood_codes.get(asker.neighbourhood, np.empty(0, dtype=np.int64))] = SAME_NEIGHBOURHOOD
        if asker.latitude is not None and asker.longitude is not None and self._points is not None:
            near = _nearness(self._points, asker.latitude, asker.longitude)
            if self._located is None:
                np.fmax(score, near, out=score)
            else:
                score[self._located] = np.fmax(score[self._located], near)
        return score

    def _sectors(self, asker: Profile) -> FloatArray:
        mask = _sector_mask(asker.sectors)
        if not mask:
            return np.full(self.size, UNKNOWN_SECTOR)
        result = np.where((self.sectors & ~mask) != 0, CROSS_SECTOR, SAME_SECTOR)
        return np.where(self.sectors == 0, UNKNOWN_SECTOR, result).astype(float)

    def eligible(self, asker: Profile, include_own: bool, stale: set[str]) -> npt.NDArray[np.bool_]:
        """Rows that may be suggested: active, not the asker, not its own organisation's (unless asked)."""
        allowed = self.active.copy()
        own = [asker.id]
        if not include_own:
            # A project's (or a call's) side is its organisation; an organisation is its own.
            organisation = asker.id if asker.kind == "organisation" else asker.organisation
            if organisation:
                own.append(organisation)
                allowed[self._organisation_codes.get(organisation, np.empty(0, dtype=np.int64))] = False
        for identifier in (*own, *stale):
            row = self.rows.get(identifier)
            if row is not None:
                allowed[row] = False
        return allowed


def _unit_vectors(latitude: FloatArray, longitude: FloatArray) -> FloatArray:
    """Points on the unit sphere (3 x n) for latitudes and longitudes in degrees."""
    lat, lon = np.radians(latitude), np.radians(longitude)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _nearness(points: FloatArray, latitude: float, longitude: float) -> FloatArray:
    """``exp(-km / DISTANCE_KM)`` from one place to every point: the great-circle distance from the chord
    (as exact as the haversine formula), computed in place to keep a query at a few array passes."""
    lat, lon = math.radians(latitude), math.radians(longitude)
    origin = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
    chord: FloatArray = points[0] - origin[0]
    chord *= chord
    for axis in (1, 2):
        step: FloatArray = points[axis] - origin[axis]
        step *= step
        chord += step
    np.sqrt(chord, out=chord)
    chord *= 0.5
    np.minimum(chord, 1.0, out=chord)
    np.arcsin(chord, out=chord)  # half the central angle
    chord *= -2 * EARTH_RADIUS_KM / DISTANCE_KM
    np.exp(chord, out=chord)
    return chord


def _codes(values: Sequence[str]) -> dict[str, npt.NDArray[np.int64]]:
    grouped: dict[str, list[int]] = {}
    for row, value in enumerate(values):
        if value:
            grouped.setdefault(value, []).append(row)
    return {value: np.array(rows, dtype=np.int64) for value, rows in grouped.items()}


def _indexed(values: Mapping[str, float], columns: Mapping[str, int]) -> dict[int, float]:
    return {columns[iri]: value for iri, value in values.items() if iri in columns}


def _spread(concepts: frozenset[str], columns: Mapping[str, int], weight: Callable[[int], float]) -> dict[int, float]:
    known = [columns[iri] for iri in concepts if iri in columns]
    return {column: weight(len(known)) for column in known} if known else {}


class MatchIndex:
    """All profiles, a base block built from them, and a delta block for changes since."""

    def __init__(self, rebuild_at: int = 2000) -> None:
        self.profiles: dict[str, Profile] = {}
        self._base: Block | None = None
        self._delta: Block | None = None
        # Profiles changed since the base was built, with the change counter at their last change.
        self._changed: dict[str, int] = {}
        self._counter = 0
        self._rebuild_at = rebuild_at

    def rebuild(self) -> None:
        """Build the base block from every profile (seconds at 100k profiles; may run in a thread)."""
        snapshot_counter = self._counter
        profiles = list(self.profiles.values())
        base = Block(profiles, build_vocabulary(profiles))
        # Changes made while building stay in the delta; the others are now in the base.
        self._changed = {pid: at for pid, at in list(self._changed.items()) if at > snapshot_counter}
        self._base, self._delta = base, None

    def _touch(self, identifier: str) -> None:
        self._counter += 1
        self._changed[identifier] = self._counter
        self._delta = None

    def upsert(self, profile: Profile) -> None:
        """Add or replace a profile."""
        self.profiles[profile.id] = profile
        self._touch(profile.id)

    def remove(self, identifier: str) -> None:
        """Forget a profile."""
        self.profiles.pop(identifier, None)
        self._touch(identifier)

    @property
    def needs_rebuild(self) -> bool:
        """Whether the delta has grown enough to rebuild the base."""
        base_size = self._base.size if self._base else 0
        return self._base is None or len(self._changed) > max(self._rebuild_at, base_size // 20)

    def _delta_block(self) -> Block | None:
        if self._delta is None and self._changed and self._base is not None:
            live = [self.profiles[pid] for pid in sorted(self._changed) if pid in self.profiles]
            self._delta = Block(live, self._base.vocabulary) if live else None
        return self._delta

    def top(
        self,
        asker: Profile,
        weights: Mapping[str, float],
        limit: int,
        include_own: bool = False,
        *,
        reasons: Sequence[str] = REASONS,
        hidden: Collection[str] = (),
    ) -> list[Candidate]:
        """The best ``limit`` partners for ``asker`` (weights already normalised), each with a part among
        ``reasons`` above 0; never one of ``hidden`` (such as calls closed at the time of the query)."""
        found: list[Candidate] = []
        blocks = [(self._base, set(self._changed).union(hidden)), (self._delta_block(), set(hidden))]
        for block, stale in blocks:
            if block is None or block.size == 0:
                continue
            parts = block.parts(asker)
            score, weighted = np.zeros(block.size), np.empty(block.size)
            for name in PARTS:
                if weights[name]:
                    score += np.multiply(parts[name], weights[name], out=weighted)
            allowed = block.eligible(asker, include_own, stale)
            reasoned = np.zeros(block.size, dtype=np.bool_)
            for name in reasons:  # place and sectors alone are no reason to suggest anyone
                reasoned |= parts[name] > 0
            allowed &= reasoned & (score > 0)
            count = min(limit, int(np.count_nonzero(allowed)))
            if count <= 0:
                continue
            score[~allowed] = -1.0
            score *= -1.0
            best = np.argpartition(score, count - 1)[:count]
            score *= -1.0
            for row in best:
                found.append(
                    Candidate(block.ids[row], float(score[row]), {name: float(parts[name][row]) for name in PARTS})
                )
        found.sort(key=lambda candidate: (-candidate.score, candidate.id))
        return found[:limit]

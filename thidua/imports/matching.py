"""Matching the unit names people typed in a form to the units of the directory.

Three steps, each only when the one before found nothing:
1. exact: the name or the short name, ignoring case and spacing;
2. normalised: without diacritics, punctuation and common prefixes ("Trường", "THPT",
   "Trung học phổ thông", "Trung tâm GDNN-GDTX" spelt out, a trailing "Sở"), with a district
   written after the name (" - Tây Hồ", " (Hà Đông)", ", quận Đống Đa", "... Quốc Oai") read
   as the district; it must point at exactly one unit;
3. closest: the most similar normalised name (difflib), if it is similar enough and clearly
   ahead of the next unit.
Anything else (a name two schools share typed without its district, a unit not in the
directory) waits for the user to choose.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from thidua.text import fold

CLOSEST_MIN = 0.84  # similarity a closest match needs
CLOSEST_MARGIN = 0.06  # and how far ahead of the next unit it must be

EXACT = "exact"
NORMALISED = "normalised"
CLOSEST = "closest"
CHOSEN = "chosen"
SKIPPED = "skipped"
UNRESOLVED = "unresolved"
AMBIGUOUS = "ambiguous"

HOW_LABELS = {
    EXACT: "Khớp chính xác",
    NORMALISED: "Khớp sau khi bỏ dấu, tiền tố, địa bàn",
    CLOSEST: "Khớp gần đúng",
    CHOSEN: "Do người nhập chọn",
    SKIPPED: "Bỏ qua (người nhập chọn)",
    UNRESOLVED: "Không tìm thấy trong danh mục",
    AMBIGUOUS: "Trùng tên nhiều đơn vị",
}

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-"})
_PUNCT = re.compile(r"[^a-z0-9 ]+")
# Spelt-out names and their usual short forms, on folded text without punctuation.
_SYNONYMS = [
    ("trung tam giao duc nghe nghiep giao duc thuong xuyen", "gdnn gdtx"),
    ("trung tam giao duc thuong xuyen", "gdtx"),
    ("trung hoc pho thong", "thpt"),
    ("trung hoc co so", "thcs"),
    ("tieu hoc", "th"),
    ("ttgdnn gdtx", "gdnn gdtx"),
    ("ttgdnn", "gdnn"),
    ("ttgdtx", "gdtx"),
    ("trung tam gdnn", "gdnn"),
    ("tt gdnn", "gdnn"),
    ("trung tam gdtx", "gdtx"),
    ("tt gdtx", "gdtx"),
]
_LEADING = {"truong", "thpt", "thcs", "th", "va", "pt"}
_DISTRICT_WORDS = ("quan", "huyen", "thi xa", "tx", "q", "h")


def exact_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").translate(_DASHES)
    return " ".join(text.casefold().split())


def _words(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text).split())


def _synonyms(words: str) -> str:
    padded = f" {words} "
    for long, short in _SYNONYMS:
        padded = padded.replace(f" {long} ", f" {short} ")
    return padded.strip()


def _strip_leading(words: str) -> str:
    tokens = words.split()
    while len(tokens) > 1 and tokens[0] in _LEADING:
        tokens.pop(0)
    if len(tokens) > 1 and tokens[-1] == "so":  # "Phòng ... Sở"
        tokens.pop()
    return " ".join(tokens)


@dataclass(frozen=True)
class NameKey:
    key: str  # the name without prefixes and without a separated district
    district: str  # the district written after the name, folded ("" if none)

    @property
    def full(self) -> str:
        return f"{self.key} {self.district}".strip()


def name_key(text: str, districts: frozenset[str]) -> NameKey:
    """Normalised name and the district written after it (only a known district counts)."""
    folded = fold(unicodedata.normalize("NFC", text or "").translate(_DASHES))
    district = ""
    patterns = (r"^(.*\S)\s*\(([^()]*)\)$", r"^(.*\S)\s*,\s*([^,]*)$", r"^(.*\S)\s+-\s*(.*)$", r"^(.*\S)\s*-\s+(.*)$")
    for pattern in patterns:
        match = re.match(pattern, folded)
        if not match:
            continue
        candidate = _district_of(_words(match.group(2)), districts)
        if candidate:
            folded, district = match.group(1), candidate
            break
    words = _strip_leading(_synonyms(_words(folded)))
    # "gdnn gdtx quan dong da", "trung tam ... huyen ba vi": the word before a district goes.
    for word in _DISTRICT_WORDS:
        for known in districts:
            suffix = f" {word} {known}"
            if words.endswith(suffix):
                words = words[: -len(suffix)] + f" {known}"
    return NameKey(words, district)


def _district_of(words: str, districts: frozenset[str]) -> str:
    for word in _DISTRICT_WORDS:
        if words.startswith(word + " ") and words[len(word) + 1:] in districts:
            return words[len(word) + 1:]
    return words if words in districts else ""


@dataclass
class UnitMatch:
    typed: str
    unit: object | None = None
    how: str = UNRESOLVED
    score: float = 0.0
    candidates: list = field(default_factory=list)  # for ambiguous and unresolved names: what to offer first

    @property
    def how_label(self) -> str:
        label = HOW_LABELS[self.how]
        if self.how == CLOSEST:
            return f"{label} (giống {round(self.score * 100)}%)"
        return label

    @property
    def resolved(self) -> bool:
        return self.how in (EXACT, NORMALISED, CLOSEST, CHOSEN, SKIPPED)


class _Index:
    def __init__(self, units, districts: frozenset[str]):
        self.units = list(units)
        self.exact: dict[str, list] = {}
        self.by_key: dict[str, list] = {}
        self.full: list[tuple[str, object]] = []
        for unit in self.units:
            unit_district = fold(unit.district or "")
            for name in {unit.name, unit.short_name} - {""}:
                self.exact.setdefault(exact_key(name), []).append(unit)
                key = name_key(name, districts)
                self.by_key.setdefault(key.key, []).append((unit, key.district or unit_district))
                self.full.append((key.full, unit))
                if unit_district and not key.district and not key.key.endswith(unit_district):
                    self.full.append((f"{key.key} {unit_district}", unit))

    def find_exact(self, typed: str) -> list:
        return _unique(self.exact.get(exact_key(typed), []))

    def find_normalised(self, key: NameKey, districts: frozenset[str]) -> list:
        found = self.by_key.get(key.key, [])
        if key.district:
            with_district = _unique([u for u, d in found if d == key.district])
            if with_district:
                return with_district
            # "THPT Sơn Tây - Sơn Tây": the district is part of the name.
            return _unique([u for u, d in self.by_key.get(key.full, [])])
        if found:
            return _unique([u for u, _ in found])
        # The district typed after the name without a separator: "THPT Minh Khai Quốc Oai".
        for district in sorted(districts, key=len, reverse=True):
            if key.key.endswith(" " + district):
                rest = key.key[: -len(district) - 1]
                matches = _unique([u for u, d in self.by_key.get(rest, []) if d == district])
                if matches:
                    return matches
        return []

    def closest(self, key: NameKey) -> list[tuple[float, object]]:
        target = key.full
        best: dict[int, tuple[float, object]] = {}
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(target)
        for full, unit in self.full:
            matcher.set_seq1(full)
            if matcher.real_quick_ratio() < CLOSEST_MIN - CLOSEST_MARGIN:
                continue
            score = matcher.ratio()
            if score > best.get(id(unit), (0.0, None))[0]:
                best[id(unit)] = (score, unit)
        return sorted(best.values(), key=lambda pair: -pair[0])


def _unique(units: list) -> list:
    seen, result = set(), []
    for unit in units:
        if unit.id not in seen:
            seen.add(unit.id)
            result.append(unit)
    return result


class UnitMatcher:
    """Matches typed names against the campaign's participants first, then the whole directory."""

    def __init__(self, participants, others):
        participants = list(participants)
        everyone = participants + [u for u in others if u.id not in {p.id for p in participants}]
        self.districts = frozenset(fold(u.district) for u in everyone if u.district)
        self.scopes = [_Index(participants, self.districts), _Index(everyone, self.districts)]
        self._cache: dict[str, UnitMatch] = {}

    def match(self, typed: str) -> UnitMatch:
        cache_key = exact_key(typed)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._match(typed)
        return self._cache[cache_key]

    def _match(self, typed: str) -> UnitMatch:
        key = name_key(typed, self.districts)
        ambiguous: list = []
        for index in self.scopes:
            found = index.find_exact(typed)
            if len(found) == 1:
                return UnitMatch(typed, found[0], EXACT, 1.0)
            found = found or index.find_normalised(key, self.districts)
            if len(found) == 1:
                return UnitMatch(typed, found[0], NORMALISED, 1.0)
            if len(found) > 1:
                ambiguous = found
                break
            ranked = index.closest(key) if key.key else []
            if ranked and ranked[0][0] >= CLOSEST_MIN and (
                len(ranked) == 1 or ranked[0][0] - ranked[1][0] >= CLOSEST_MARGIN
            ):
                return UnitMatch(typed, ranked[0][1], CLOSEST, ranked[0][0])
        if ambiguous:
            return UnitMatch(typed, None, AMBIGUOUS, 0.0, ambiguous)
        ranked = self.scopes[-1].closest(key) if key.key else []
        return UnitMatch(typed, None, UNRESOLVED, 0.0, [unit for score, unit in ranked[:5] if score >= 0.5])

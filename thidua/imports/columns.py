"""Which question of a Google Forms export is which field: by its words and by its answers.

Forms get copied, reworded, translated and reordered between years, so a column is
recognised two ways and the two are weighed:

- its question, folded (no case, no diacritics, no punctuation), against phrases a form
  author would write for that field, in Vietnamese and in English;
- its answers: a column whose answers are all kinds (Mô hình/Giải pháp/Sáng kiến), all
  CCHC area options, all submission moments, all dates, all e-mail addresses, all
  self-assessment levels or (given a recogniser) all unit names is that field, whatever
  its header says.

Each column gets a Guess with a confidence (HIGH, MEDIUM, LOW) and the reason, shown to
the user next to the mapping. Nothing here touches the database; the unit recogniser is
passed in.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from thidua.imports import parsing
from thidua.text import fold

HIGH, MEDIUM, LOW = "high", "medium", "low"
CONFIDENCE_LABELS = {HIGH: "Chắc chắn", MEDIUM: "Khá chắc", LOW: "Chưa chắc"}
SAMPLE = 60  # answers read per column

BY_QUESTION = "question"
BY_ANSWERS = "answers"
BY_BOTH = "both"
REASON_LABELS = {
    BY_QUESTION: "theo câu hỏi",
    BY_ANSWERS: "theo câu trả lời",
    BY_BOTH: "theo câu hỏi và câu trả lời",
}

# field -> phrases (each a tuple of words that must all appear, as whole words, in the folded
# question). Fields are tried in this order, so the more specific ones come first.
_PHRASES: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    ("timestamp", (("dau thoi gian",), ("timestamp",), ("thoi diem gui",), ("submitted",), ("ngay gio gui",))),
    ("email", (("email",), ("e mail",), ("thu dien tu",))),
    ("self_assessment", (("tu danh gia",), ("self assessment",), ("muc do hoan thanh",), ("completion level",))),
    ("before", (("truoc khi",), ("truoc ap dung",), ("before",), ("baseline",))),
    ("after", (("sau khi",), ("sau ap dung",), ("after",))),
    ("contact_name", (("ho va ten",), ("ho ten",), ("full name",), ("your name",), ("nguoi dang ky",),
                      ("nguoi bao cao",), ("nguoi lien he",), ("contact person",), ("contact name",))),
    ("title", (("ten", "mo hinh"), ("ten", "giai phap"), ("ten", "sang kien"), ("ten de tai",),
               ("name", "initiative"), ("name", "model"), ("name", "solution"), ("title",))),
    ("block", (("khoi",), ("block",))),
    ("unit", (("ten don vi",), ("don vi",), ("co quan",), ("ten truong",), ("unit",), ("organisation",),
              ("organization",), ("school",), ("agency",))),
    ("contact_position", (("chuc vu",), ("chuc danh",), ("position",), ("job title",), ("role",))),
    ("contact_phone", (("dien thoai",), ("sdt",), ("so dt",), ("phone",), ("mobile",))),
    ("kind", (("loai",), ("hinh thuc",), ("kind",), ("type",), ("category",))),
    ("area", (("linh vuc",), ("noi dung cchc",), ("area",), ("field",))),
    ("need", (("su can thiet",), ("can thiet",), ("ly do",), ("thuc trang",), ("need",), ("why",), ("rationale",))),
    ("objectives", (("muc tieu",), ("objective",), ("objectives",), ("goal",), ("goals",), ("aim",))),
    ("expected_results", (("ket qua du kien",), ("du kien",), ("expected",), ("ket qua mong doi",))),
    ("achievements", (("ket qua dat duoc",), ("ket qua thuc hien",), ("achieved",), ("achievement",),
                      ("achievements",), ("results",), ("ket qua",))),
    ("content", (("noi dung",), ("cac buoc",), ("cach thuc",), ("content",), ("steps",), ("description",))),
    ("start_date", (("bat dau",), ("tu ngay",), ("start",), ("begin",))),
    ("end_date", (("hoan thanh",), ("ket thuc",), ("den ngay",), ("end",), ("finish",), ("completion",))),
    ("collective_name", (("tap the",), ("tac gia",), ("ca nhan",), ("author",), ("authors",), ("team",))),
    ("effect", (("hieu qua",), ("tac dong",), ("effect",), ("impact",), ("benefit",))),
    ("replication", (("nhan rong",), ("replication",), ("replicate",), ("spread",))),
    ("evidence", (("minh chung",), ("duong link",), ("evidence",), ("link",), ("attachment",))),
]

# Fields that only one of the two forms asks for: how a file of the other form is recognised.
ONLY_IN = {
    parsing.REGISTRATION: ("kind", "area", "need", "objectives", "content", "start_date", "end_date",
                           "expected_results", "collective_name"),
    parsing.REPORT: ("achievements", "before", "after", "effect", "replication", "self_assessment", "evidence"),
}

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BLOCK_WORDS = ("khoi cac phong", "khoi truc thuoc", "khoi phong", "khoi")


def _words(text: str) -> str:
    return " " + _NOT_WORD.sub(" ", fold(text)).strip() + " "


def by_question(header: str, allowed) -> str:
    """The first field whose phrase the question holds, or "" (every word whole)."""
    words = _words(header)
    for name, phrases in _PHRASES:
        if name not in allowed:
            continue
        if any(all(f" {w} " in words for w in phrase) for phrase in phrases):
            return name
    return ""


def _answer_kind(values: list[str], recognise_unit: Callable[[str], bool] | None) -> list[tuple[str, float]]:
    """Fields the answers say the column is, with the share of answers that fit."""
    if not values:
        return []
    n = len(values)

    def share(test) -> float:
        return sum(1 for v in values if test(v)) / n

    found = []
    tests = [
        ("timestamp", lambda v: parsing.parse_moment(v, day_first=True, tz="UTC") is not None
         or parsing.parse_moment(v, day_first=False, tz="UTC") is not None),
        ("kind", lambda v: parsing.parse_kind(v) is not None and len(fold(v).split()) <= 2),
        ("area", lambda v: (lambda c, u: bool(c) and not u)(*parsing.split_areas(v))),
        ("start_date", lambda v: parsing.parse_day(v) is not None or parsing.parse_day(v, day_first=False) is not None),
        ("email", lambda v: bool(_EMAIL.match(v.strip()))),
        ("self_assessment", lambda v: parsing.parse_self_assessment(v) is not None),
        ("block", lambda v: fold(v).startswith(_BLOCK_WORDS) and len(v) <= 60),
    ]
    for name, test in tests:
        fit = share(test)
        if fit >= 0.6:
            found.append((name, fit))
    if recognise_unit is not None and not found:
        fit = share(recognise_unit)
        if fit >= 0.6:
            found.append(("unit", fit))
    return found


@dataclass(frozen=True)
class Guess:
    field: str
    confidence: str = ""
    reason: str = ""

    @property
    def confidence_label(self) -> str:
        return CONFIDENCE_LABELS.get(self.confidence, "")

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, "")


def _column_values(rows, index: int) -> list[str]:
    values = []
    for row in rows:
        if index < len(row.cells):
            value = parsing.one_line(row.cells[index])
            if value:
                values.append(value)
                if len(values) >= SAMPLE:
                    break
    return values


def recognise(headers: list[str], rows, kind: str, *,
              recognise_unit: Callable[[str], bool] | None = None) -> list[Guess]:
    """A Guess per column; each field on at most one column (the surest one wins)."""
    allowed = set(parsing.FIELDS[kind])
    candidates: list[tuple[int, int, str, str, str]] = []  # (rank, column, field, confidence, reason)
    for index, header in enumerate(headers):
        asked = by_question(header, allowed)
        answered = [(name, fit) for name, fit in _answer_kind(_column_values(rows, index), recognise_unit)
                    if name in allowed or (name == "start_date" and "start_date" not in allowed)]
        answer_fields = {name for name, _ in answered}
        dates = asked in ("start_date", "end_date") and "start_date" in answer_fields
        if asked and (asked in answer_fields or dates):
            candidates.append((0, index, asked, HIGH, BY_BOTH))
            continue
        typed_answers = [(n, f) for n, f in answered if n in ("timestamp", "kind", "area", "email", "self_assessment",
                                                              "block", "unit")]
        if typed_answers:
            name, fit = max(typed_answers, key=lambda pair: pair[1])
            if name in allowed:
                candidates.append((1 if fit == 1.0 else 3, index, name, MEDIUM if fit == 1.0 else LOW, BY_ANSWERS))
                continue
        if asked:
            candidates.append((2, index, asked, MEDIUM if asked not in ("kind", "area", "timestamp") else LOW,
                               BY_QUESTION))
        elif "start_date" in answer_fields and "start_date" in allowed:
            candidates.append((4, index, "start_date", LOW, BY_ANSWERS))
    guesses = [Guess("")] * len(headers)
    taken: set[str] = set()
    for rank, index, name, confidence, reason in sorted(candidates):
        if name == "start_date" and name in taken and reason == BY_ANSWERS:
            name = "end_date"  # the second column of dates is the end
        if name in taken or name not in allowed:
            continue
        taken.add(name)
        guesses[index] = Guess(name, confidence, reason)
    # the first column of a Google export is the submission moment, whatever it is called
    if "timestamp" not in taken and rows and headers and not guesses[0].field and "timestamp" in allowed:
        values = _column_values(rows, 0)
        if values and all(parsing.parse_moment(v, day_first=True, tz="UTC") or parsing.parse_moment(
                v, day_first=False, tz="UTC") for v in values):
            guesses[0] = Guess("timestamp", MEDIUM, BY_ANSWERS)
    return guesses


def other_form(headers: list[str], rows, kind: str) -> str | None:
    """The other kind when the file is clearly an export of the other form, else None."""
    other = parsing.REPORT if kind == parsing.REGISTRATION else parsing.REGISTRATION
    own_fields = {g.field for g in recognise(headers, rows, kind)} & set(ONLY_IN[kind])
    other_fields = {g.field for g in recognise(headers, rows, other)} & set(ONLY_IN[other])
    if len(other_fields) >= 2 and len(other_fields) > 2 * len(own_fields):
        return other
    return None

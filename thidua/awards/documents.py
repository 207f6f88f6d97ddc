"""The award list as a Word document laid out after Nghị định 30/2020/NĐ-CP (see thidua.documents).

The page is landscape A4 so that the ten-column list fits beside the heading, as offices lay out
a danh sách; body text 13 pt.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from thidua.awards.services import AwardLine, format_score, grouped
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.registration.models import InitiativeAuthor
from thidua.documents import (
    CENTER,
    DOCX_MIMETYPE,
    LEFT,
    Column,
    OfficialDocument,
    issuer_heading,
)

__all__ = ["DOCX_MIMETYPE", "Person", "award_rows", "award_sections", "build_document", "count_recipients", "load_persons"]

ROMAN = ("I", "II", "III", "IV", "V")
SECTION_NAMES = {"tap_the": "Tập thể", "ca_nhan": "Cá nhân"}


@dataclass(frozen=True, slots=True)
class Person:
    """One named author of an initiative proposed for an award, with their own position and share."""

    full_name: str
    job_title: str
    contribution: int  # percent


def load_persons(lines: Iterable[AwardLine]) -> dict[int, list[Person]]:
    """The named authors of the lines' initiatives, in their order: {initiative_id: [Person, ...]}."""
    ids = sorted({line.initiative_id for line in lines if line.recipient_type == "ca_nhan"})
    persons: dict[int, list[Person]] = {}
    for start in range(0, len(ids), 1000):
        for initiative_id, name, title, share in db.session.execute(
            sa.select(InitiativeAuthor.initiative_id, InitiativeAuthor.full_name, InitiativeAuthor.job_title,
                      InitiativeAuthor.contribution)
            .where(InitiativeAuthor.initiative_id.in_(ids[start:start + 1000]))
            .order_by(InitiativeAuthor.initiative_id, InitiativeAuthor.position, InitiativeAuthor.id)
        ):
            if name:
                persons.setdefault(initiative_id, []).append(Person(name, title or "", share or 0))
    return persons


def award_sections(lines: list[AwardLine]) -> Iterator[tuple[str, str, list[AwardLine]]]:
    """(recipient_type, "I. Tập thể", lines): the sections present, numbered I, II in order."""
    for index, (kind, _title, items) in enumerate(grouped(lines)):
        yield kind, f"{ROMAN[index]}. {SECTION_NAMES.get(kind, kind)}", items


def line_persons(line: AwardLine, persons: dict[int, list[Person]]) -> list[Person]:
    """The persons a line proposes: its named authors, or the one name the entry carries."""
    if line.recipient_type != "ca_nhan":
        return []
    return persons.get(line.initiative_id) or [Person(line.recipient_name, line.recipient_title, 0)]


def count_recipients(lines: list[AwardLine], persons: dict[int, list[Person]]) -> tuple[int, int]:
    """(collectives, persons) the list proposes: every named author is counted once per initiative."""
    collectives = sum(1 for line in lines if line.recipient_type == "tap_the")
    return collectives, sum(len(line_persons(line, persons)) for line in lines)


def share_note(person: Person) -> str:
    return f"Tỷ lệ đóng góp {person.contribution}%" if person.contribution else ""


def join_notes(*notes: str) -> str:
    return "; ".join(note for note in notes if note)

COLUMNS = [
    Column("STT", 13, CENTER), Column("Tập thể/Họ và tên", 38), Column("Chức vụ", 22), Column("Đơn vị", 32),
    Column("Tên sáng kiến", 42), Column("Lĩnh vực CCHC", 28), Column("Tóm tắt kết quả", 46),
    Column("Điểm Hội đồng", 15, CENTER), Column("Hình thức đề nghị", 30), Column("Ghi chú", 22),
]
SUMMARY_LIMIT = 300


def award_rows(lines: list[AwardLine], persons: dict[int, list[Person]], *, common, blank: list,
               section) -> Iterator[list]:
    """The award list's rows as the office files it, for the Word file and the workbook alike:
    each section's heading row (`section(title)`), then per initiative its recipient — a collective,
    or its first person followed by one row for each further person with their own position, unit
    and share. `common(line)` gives the initiative's own columns, `blank` what stands in them on a
    further person's row."""
    for kind, title, items in award_sections(lines):
        yield section(title)
        for number, line in enumerate(items, start=1):
            shared = common(line)
            if kind != "ca_nhan":
                yield [number, line.recipient_name, line.recipient_title, line.unit_name, *shared, line.note]
                continue
            for index, person in enumerate(line_persons(line, persons)):
                if index == 0:
                    yield [number, person.full_name, person.job_title, line.unit_name, *shared,
                           join_notes(share_note(person), line.note)]
                else:
                    yield ["", person.full_name, person.job_title, line.unit_name, *blank, share_note(person)]


def _summary(text: str | None) -> str:
    summary = (text or "").strip()
    return summary[:SUMMARY_LIMIT].rstrip() + "…" if len(summary) > SUMMARY_LIMIT else summary


def build_document(*, campaign, award_list, lines: list[AwardLine], today: date,
                   signer_title: str = "GIÁM ĐỐC", persons: dict[int, list[Person]] | None = None) -> bytes:
    if persons is None:
        persons = load_persons(lines)
    document = OfficialDocument(landscape=True, body_size=13)
    document.heading(issuer_heading(campaign, today))
    document.paragraph("", after=6)
    document.paragraph("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", bold=True, size=14)
    document.paragraph(f"Sáng kiến, mô hình cải cách hành chính trong {campaign.in_sentence}", bold=True,
                       size=13)
    # Each form of commendation cites its own decision, by its own authority.
    for decision in (award_list.decisions if award_list is not None else []):
        document.paragraph(f"({decision.level_name}: kèm theo {decision.citation})", italic=True, size=13)
    document.paragraph("", after=6)

    def rows():
        return award_rows(lines, persons, section=lambda title: title, blank=[""] * 5, common=lambda line: [
            line.title, line.area_label, _summary(line.achievements), format_score(line.score), line.level_name or ""])

    document.table(COLUMNS, rows(), size=11, groups=True)
    collectives, people = count_recipients(lines, persons)
    document.paragraph(f"Danh sách có {format_number(collectives)} tập thể và {format_number(people)} cá nhân.",
                       italic=True, size=12,
                       align=LEFT, before=6, after=6)
    signer = ""
    if award_list is not None:
        # The list is the organiser's proposal: signed by the leader who approved it.
        signer = award_list.approved_by.full_name if award_list.approved_by else ""
    document.closing(["- Như trên;", "- Giám đốc Sở (để báo cáo);", "- Các đơn vị có tên trong danh sách;",
                      "- Lưu: VT, VP."], signer_title=[signer_title], signer_name=signer,
                     signature_note="(Ký, ghi rõ họ tên và đóng dấu)")
    document.page_numbers()
    return document.to_bytes()

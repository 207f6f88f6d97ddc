"""The award list as a Word document laid out after Nghị định 30/2020/NĐ-CP (see thidua.documents).

The page is landscape A4 so that the ten-column list fits beside the heading, as offices lay out
a danh sách; body text 13 pt.
"""
from __future__ import annotations

from datetime import date

from thidua.awards.services import AwardLine, format_score, grouped
from thidua.documents import (
    CENTER,
    DOCX_MIMETYPE,
    LEFT,
    Column,
    OfficialDocument,
    issuer_heading,
)

__all__ = ["DOCX_MIMETYPE", "build_document"]

COLUMNS = [
    Column("STT", 13, CENTER), Column("Tập thể/Họ và tên", 38), Column("Chức vụ", 22), Column("Đơn vị", 32),
    Column("Tên sáng kiến", 42), Column("Lĩnh vực CCHC", 28), Column("Tóm tắt kết quả", 46),
    Column("Điểm Hội đồng", 15, CENTER), Column("Hình thức đề nghị", 30), Column("Ghi chú", 22),
]
SUMMARY_LIMIT = 300


def _summary(text: str | None) -> str:
    summary = (text or "").strip()
    return summary[:SUMMARY_LIMIT].rstrip() + "…" if len(summary) > SUMMARY_LIMIT else summary


def build_document(*, campaign, award_list, lines: list[AwardLine], today: date,
                   signer_title: str = "GIÁM ĐỐC") -> bytes:
    document = OfficialDocument(landscape=True, body_size=13)
    document.heading(issuer_heading(campaign, today))
    document.paragraph("", after=6)
    document.paragraph("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", bold=True, size=14)
    document.paragraph(f"Sáng kiến, mô hình cải cách hành chính trong phong trào “{campaign.name}”", bold=True,
                       size=13)
    if award_list is not None and award_list.decision_number:
        document.paragraph(f"(Kèm theo Quyết định số {award_list.decision_number} ngày "
                           f"{award_list.decision_date:%d/%m/%Y})", italic=True, size=13)
    document.paragraph("", after=6)

    def rows():
        for _kind, title, items in grouped(lines):
            yield title
            for number, line in enumerate(items, start=1):
                yield [number, line.recipient_name, line.recipient_title, line.unit_name, line.title,
                       line.area_label, _summary(line.achievements), format_score(line.score),
                       line.level_name or "", line.note]

    document.table(COLUMNS, rows(), size=11, groups=True)
    tap_the = sum(1 for line in lines if line.recipient_type == "tap_the")
    document.paragraph(f"Danh sách có {tap_the} tập thể và {len(lines) - tap_the} cá nhân.", italic=True, size=12,
                       align=LEFT, before=6, after=6)
    signer = ""
    if award_list is not None:
        signer = award_list.decision_by or (award_list.approved_by.full_name if award_list.approved_by else "")
    document.closing(["- Như trên;", "- Giám đốc Sở (để báo cáo);", "- Các đơn vị có tên trong danh sách;",
                      "- Lưu: VT, VP."], signer_title=[signer_title], signer_name=signer,
                     signature_note="(Ký, ghi rõ họ tên và đóng dấu)")
    document.page_numbers()
    return document.to_bytes()

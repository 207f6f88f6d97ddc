"""Set-up for the reviewer's side: a campaign with a rubric and a committee, an initiative under review.

The initiative belongs to world.school (Trường THPT Chu Văn An) and carries identifying details
everywhere a unit can write them, so that blind-review tests can look for each of them.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.registration.models import Initiative, InitiativeAuthor
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport
from thidua.review.models import Assignment, CommitteeMember, Criterion
from thidua.storage import get_storage

from tests import factories
from tests.factories import State

DEFAULT_RUBRIC = [
    ("Tính mới, sáng tạo", 30, [{"min": 27, "max": 30, "label": "Hoàn toàn mới"},
                                {"min": 21, "max": 26, "label": "Cải tiến tốt"},
                                {"min": 16, "max": 20, "label": "Trung bình"},
                                {"min": 1, "max": 15, "label": "Cải tiến nhỏ"},
                                {"min": 0, "max": 0, "label": "Không mới hoặc sao chép"}]),
    ("Tính hiệu quả", 30, []),
    ("Khả năng nhân rộng", 25, []),
    ("Tính khả thi, bền vững", 10, []),
    ("Hồ sơ, minh chứng", 5, []),
]

EVIDENCE_NAME = "Bao-cao-THPT-Chu-Van-An-Tay-Ho.pdf"
def _blank_pdf() -> bytes:
    """A one-page PDF a reader opens (blind review re-writes the evidence it serves)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _blank_pdf()
# What a blind reviewer must never see (the unit, its people, its file names).
AUTHOR = "Hoàng Văn Tác Giả"
CONTACT = "Đinh Thị Liên Hệ"
PHONE = "0912 345 678"
COLLECTIVE = "Tổ Toán Tin Chu Văn An"
PEOPLE = "Nguyễn Thúy Loan, Phó Hiệu trưởng"
REPORT_PEOPLE = "Bùi Quang Phụ Trách"
LINK = "https://drive.google.com/drive/folders/chuvanan-minh-chung"


def identifying(world) -> list[str]:
    school = world.school
    return [school.name, school.short_name, school.code, school.district, school.email, COLLECTIVE, AUTHOR,
            CONTACT, PHONE, PEOPLE, REPORT_PEOPLE, EVIDENCE_NAME, "Bao-cao-THPT", LINK, "chuvanan",
            world.head.full_name, world.editor.full_name]


def rubric(campaign, sizes: list[int] | None = None) -> list[Criterion]:
    rows = []
    if sizes is None:
        spec = DEFAULT_RUBRIC
    else:
        spec = [(f"Tiêu chí {n}", size, []) for n, size in enumerate(sizes, start=1)]
    for position, (name, max_score, bands) in enumerate(spec):
        rows.append(Criterion(campaign_id=campaign.id, position=position, name=name, max_score=max_score,
                              description=f"Mô tả {name.lower()}.", low="Ít thay đổi.", middle="Cải tiến rõ.",
                              high="Hoàn toàn mới, hiệu quả cao.", bands=bands))
    db.session.add_all(rows)
    db.session.flush()
    return rows


@dataclass
class Scoring:
    world: factories.World
    criteria: list[Criterion]
    reviewers: list[User]  # world.reviewer (office), a Sở reviewer, a Kim Liên reviewer, a Chu Văn An reviewer
    initiative: Initiative
    assignments: list[Assignment]  # reviewers[0] and reviewers[1] on the initiative
    evidence: EvidenceFile


def build(world, *, blind: bool = False, k: int = 2, sizes: list[int] | None = None) -> Scoring:
    campaign = world.campaign
    campaign.blind_review = blind
    campaign.reviewers_per_initiative = k
    criteria = rubric(campaign, sizes)
    reviewers = [
        world.reviewer,
        factories.user(Role.REVIEWER, world.root, username="hoidong.so", full_name="Phan Văn Sở"),
        factories.user(Role.REVIEWER, world.other_school, username="hoidong.kl", full_name="Kiều Thị Kim"),
        factories.user(Role.REVIEWER, world.school, username="hoidong.cva", full_name="Mạc Văn Cùng"),
    ]
    for reviewer in reviewers:
        db.session.add(CommitteeMember(campaign_id=campaign.id, user_id=reviewer.id))
    initiative = factories.initiative(
        campaign, world.school, actor=world.editor, status=State.UNDER_REVIEW,
        collective_name=COLLECTIVE, people_in_charge=PEOPLE, contact_name=CONTACT, contact_phone=PHONE,
        scope="Toàn trường.",
    )
    initiative.authors.append(InitiativeAuthor(full_name=AUTHOR, job_title="Giáo viên", contribution=100))
    report = ResultReport(initiative_id=initiative.id, progress="hoan_thanh",
                          achievements="Đã triển khai tại 100% tổ chuyên môn.",
                          effect_citizens="Phụ huynh tra cứu trực tuyến.", self_assessment="tot",
                          people_in_charge=REPORT_PEOPLE, evidence_links=LINK,
                          indicators=[ReportIndicator(position=0, name="Thời gian xử lý hồ sơ", unit_of_measure="ngày",
                                                      before=Decimal(5), after=Decimal(2), source="Sổ theo dõi")])
    db.session.add(report)
    stored = get_storage().save(io.BytesIO(PDF), max_size=10_000_000)
    evidence = EvidenceFile(initiative_id=initiative.id, original_name=EVIDENCE_NAME, storage_key=stored.key,
                            content_type="application/pdf", size=123_000, sha256=stored.sha256,
                            description="Báo cáo của THPT Chu Văn An", uploaded_by_id=world.editor.id)
    db.session.add(evidence)
    assignments = [Assignment(campaign_id=campaign.id, initiative_id=initiative.id, reviewer_id=r.id, method="manual")
                   for r in reviewers[:2]]
    db.session.add_all(assignments)
    db.session.commit()
    return Scoring(world, criteria, reviewers, initiative, assignments, evidence)


def form(setup: Scoring, values: list, *, action: str = "save", version: str = "", comment: str = "") -> dict:
    data = {"action": action, "version": version, "comment": comment}
    for criterion, value in zip(setup.criteria, values):
        data[f"score-{criterion.id}"] = "" if value is None else str(value)
        data[f"comment-{criterion.id}"] = f"Nhận xét {criterion.name}"
    return data

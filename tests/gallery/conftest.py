"""Published models for the gallery tests, made through the gallery's own service."""
from __future__ import annotations

from decimal import Decimal

import pytest

from thidua.extensions import db
from thidua.gallery import services
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport
from thidua.workflow import State

from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_model(world, *, title="Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh", unit=None,
               status=State.SHORTLISTED, achievements="Rút ngắn thời gian xử lý hồ sơ từ 5 ngày xuống 2 ngày.",
               indicator="Thời gian giải quyết thủ tục", area="tthc", publish=True, summary=None, files=(),
               kind="giai_phap", now=None):
    """An initiative of `unit` (default: the world's school) with a results report, published (at `now`) unless
    told."""
    unit = unit or world.school
    actor = world.editor if unit is world.school else world.other_editor
    initiative = factories.initiative(world.campaign, unit, actor=actor, status=status, title=title, area=area,
                                      kind=kind)
    report = ResultReport(initiative_id=initiative.id, achievements=achievements, progress="hoan_thanh",
                          effect_citizens="Phụ huynh không phải đến trường.", indicators=[
                              ReportIndicator(position=0, name=indicator, unit_of_measure="ngày",
                                              before=Decimal(5), after=Decimal(2))])
    db.session.add(report)
    stored = []
    for name in files:
        stored.append(store_evidence(initiative, name))
    db.session.flush()
    if publish:
        services.publish_initiative(initiative, actor=world.secretariat, title=title,
                                    summary=summary if summary is not None else f"**{title}** — mô tả công khai.",
                                    public_file_ids=[f.id for f in stored if f.original_name.startswith("cong-khai")],
                                    now=now)
    db.session.commit()
    initiative.files = stored
    return initiative


def store_evidence(initiative, name: str) -> EvidenceFile:
    import io

    from thidua.storage import get_storage

    stored = get_storage().save(io.BytesIO(PDF), max_size=1024 * 1024)
    evidence = EvidenceFile(initiative_id=initiative.id, original_name=name, storage_key=stored.key,
                            content_type="application/pdf", size=stored.size, sha256=stored.sha256)
    db.session.add(evidence)
    db.session.flush()
    return evidence


def entry_of(initiative):
    db.session.expire_all()
    return services.entry_for(initiative.id)


@pytest.fixture
def model(world):
    return make_model(world, files=("cong-khai-quy-trinh.pdf", "noi-bo-danh-sach-hoc-sinh.pdf"))

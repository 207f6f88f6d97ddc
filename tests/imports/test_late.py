"""An answer sent after the deadline stays marked late once imported: initiative, board, report."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.imports import helpers as h
from thidua.campaigns.board import build_board
from thidua.extensions import db
from thidua.imports import services
from thidua.imports.models import ImportedRecord
from thidua.phases import Phase
from thidua.registration.models import Initiative
from thidua.reports.figures import block_figures


@pytest.fixture
def office():
    return h.office_2023()


def _with_one_late_answer() -> tuple[bytes, int]:
    rows = list(csv.reader(io.StringIO(h.sample(h.REGISTRATION_OFFICES).decode("utf-8"))))
    rows[1][0] = "27/08/2023 09:15:00"  # two days after the 25/08 deadline
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8"), 2


def test_a_late_answer_stays_late_on_the_initiative_the_board_and_the_report(app, client, office):
    data, number = _with_one_late_answer()
    batch = h.upload(office, "dk.csv", data)
    plan = services.plan_batch(batch)
    assert any("Gửi sau hạn Đợt 1" in note for row in plan.rows if row.number == number for note in row.notes)
    batch.unit_choices = {name.choice_key: 0 for name in plan.waiting_names}
    db.session.commit()
    services.apply_batch(batch, actor=office.secretariat)
    db.session.commit()

    late = db.session.scalar(sa.select(Initiative).join(ImportedRecord, ImportedRecord.initiative_id == Initiative.id)
                             .where(ImportedRecord.row_number == number))
    assert office.campaign.is_late(Phase.REGISTRATION, late.registered_at)
    others = db.session.scalars(sa.select(Initiative).where(Initiative.id != late.id)).all()
    assert others and not any(office.campaign.is_late(Phase.REGISTRATION, i.registered_at) for i in others)

    client.login(office.secretariat)
    with app.test_request_context():
        detail = url_for("registration.detail", initiative_id=late.id)
        on_time = url_for("registration.detail", initiative_id=others[0].id)
    page = client.get(detail).get_data(as_text=True)
    assert "Đăng ký sau hạn" in page
    assert "Đăng ký sau hạn" not in client.get(on_time).get_data(as_text=True)

    board = build_board(office.campaign, Phase.REGISTRATION)
    late_rows = [row for row in board.rows if row.late]
    units_of_late = {late.unit_id} - {i.unit_id for i in others if i.registered_at < late.registered_at}
    assert {row.unit_id for row in late_rows} == units_of_late

    _, total = block_figures(office.campaign)
    assert total.late_registered_units == len(units_of_late)
    assert total.late_reported_units == 0
    assert "hoàn thành đăng ký sau hạn" in documents_sentence(office)


def documents_sentence(office) -> str:
    from thidua.reports.documents import _sentence_late

    return _sentence_late(block_figures(office.campaign)[1])

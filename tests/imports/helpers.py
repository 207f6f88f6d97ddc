"""A 2023 campaign over the sample directory, as the office would set it up before importing."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns import services as campaign_services
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.imports import services
from thidua.imports.models import ImportBatch
from thidua.units.importer import apply_plan, plan_import
from thidua.units.models import Unit

from tests import factories

DATA = Path(__file__).resolve().parents[2] / "thidua" / "demo_data"
REGISTRATION_OFFICES = "dk_khoicacphongthuocso.csv"
REGISTRATION_DIRECT = "dk_khoitructhuoc.csv"
REPORTS = "bckq_mohinhgiaiphap.csv"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@dataclass
class Office:
    campaign: Campaign
    secretariat: User
    leader: User
    units: dict[str, Unit]


def office_2023() -> Office:
    plan = plan_import("units-hanoi.csv", sample("units-hanoi.csv"))
    apply_plan(plan, actor=None)
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    secretariat = factories.user(Role.SECRETARIAT, units["van-phong"], username="vanphong")
    leader = factories.user(Role.LEADER, units["so-gddt-ha-noi"], username="giamdoc")
    campaign = campaign_services.create_campaign(
        actor=secretariat, organiser=units["so-gddt-ha-noi"], name="Phong trào thi đua CCHC năm 2023", year=2023,
        period="2023–2025", plan_reference="", launch_date=date(2023, 8, 1), registration_deadline=date(2023, 8, 25),
        report_deadline=date(2023, 10, 31), city_report_deadline=date(2023, 11, 15), min_initiatives_per_unit=1,
        description="",
    )
    groups = {(u.block, u.unit_type) for u in units.values() if u.parent_id is not None}
    campaign_services.set_participants(campaign, groups, actor=secretariat)
    db.session.commit()
    return Office(campaign, secretariat, leader, units)


def upload(office: Office, name: str, data: bytes | None = None, *, kind: str | None = None) -> ImportBatch:
    kind = kind or ("report" if name.startswith("bckq") else "registration")
    filename, content = services.read_upload(io.BytesIO(data if data is not None else sample(name)), name)
    batch = services.create_batch(office.campaign, filename, content, kind=kind, actor=office.secretariat)
    db.session.commit()
    return batch


def stub_batch(world) -> int:
    """A batch row of the world's campaign whose file is not stored (for the access matrix)."""
    batch = ImportBatch(campaign_id=world.campaign.id, kind="registration", filename="dk.csv", storage_key="0" * 40,
                        size=0, sha256="0" * 64, mapping=[], unit_choices={}, created_by_id=world.secretariat.id)
    db.session.add(batch)
    db.session.commit()
    return batch.id

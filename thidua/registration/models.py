"""Initiatives (mô hình, giải pháp, sáng kiến) as units register them."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.campaigns.models import Campaign
from thidua.extensions import db, one_of
from thidua.text import fold
from thidua.timeutil import utcnow
from thidua.units.models import Unit
from thidua.workflow import State

KIND_LABELS = {
    "mo_hinh": "Mô hình",
    "giai_phap": "Giải pháp",
    "sang_kien": "Sáng kiến",
}

# The six areas of Nghị quyết 76/NQ-CP, the seventh of the PAR Index, Đề án 06, other.
AREA_LABELS = {
    "the_che": "Cải cách thể chế",
    "tthc": "Cải cách thủ tục hành chính",
    "to_chuc_bo_may": "Cải cách tổ chức bộ máy hành chính nhà nước",
    "cong_vu": "Cải cách chế độ công vụ",
    "tai_chinh_cong": "Cải cách tài chính công",
    "chinh_quyen_so": "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
    "chi_dao_dieu_hanh": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "de_an_06": "Đề án 06",
    "khac": "Khác",
}

SOLUTION_TYPE_LABELS = {
    "ky_thuat": "Giải pháp kỹ thuật",
    "quan_ly": "Giải pháp quản lý",
    "tac_nghiep": "Giải pháp tác nghiệp",
}

NOVELTY_LABELS = {
    "moi": "Mới hoàn toàn",
    "cai_tien": "Cải tiến mô hình, giải pháp đã có",
}

AUTHOR_TYPE_LABELS = {
    "tap_the": "Tập thể",
    "ca_nhan": "Cá nhân",
}


class InitiativeLabels:
    """The labels of an initiative's kind and CCHC area, for the model and for rows read as plain columns."""

    __slots__ = ()
    kind: str
    area: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def area_label(self) -> str:
        return AREA_LABELS.get(self.area, self.area)


class Initiative(InitiativeLabels, db.Model):
    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=State.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    # The form of commendation named when the secretariat shortlisted it (none: the thresholds decide).
    shortlisted_level_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commendation_level.id", ondelete="SET NULL"))

    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(500))
    # The first CCHC area ticked; every area ticked (this one included) is in `area_links`.
    area: Mapped[str] = mapped_column(sa.String(30))
    area_other: Mapped[str] = mapped_column(sa.String(255), default="")  # the words of a "Khác: …" answer
    solution_type: Mapped[str] = mapped_column(sa.String(20), default="")
    novelty: Mapped[str] = mapped_column(sa.String(20), default="moi")
    improves_on: Mapped[str] = mapped_column(sa.Text, default="")
    need: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    content: Mapped[str] = mapped_column(sa.Text, default="")
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    first_applied_date: Mapped[date | None]
    budget: Mapped[str] = mapped_column(sa.String(255), default="")
    expected_results: Mapped[str] = mapped_column(sa.Text, default="")
    author_type: Mapped[str] = mapped_column(sa.String(10), default="tap_the")
    collective_name: Mapped[str] = mapped_column(sa.String(255), default="")
    people_in_charge: Mapped[str] = mapped_column(sa.Text, default="")
    contact_name: Mapped[str] = mapped_column(sa.String(160), default="")
    contact_position: Mapped[str] = mapped_column(sa.String(160), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")

    # The title lower-case without diacritics: "tra cuu van bang" finds "Tra cứu văn bằng".
    search_text: Mapped[str] = mapped_column(sa.String(600), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")
    area_links: Mapped[list[InitiativeArea]] = relationship(
        cascade="all, delete-orphan", lazy="select", passive_deletes=True)
    authors: Mapped[list[InitiativeAuthor]] = relationship(
        back_populates="initiative",
        order_by="InitiativeAuthor.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )

    # Optimistic locking: a save based on an old version is refused instead of overwriting.
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("status", State),
        sa.Index("ix_initiative_campaign_unit", "campaign_id", "unit_id"),
        sa.Index("ix_initiative_campaign_status", "campaign_id", "status"),
        sa.Index("ix_initiative_unit", "unit_id"),
    )

    @property
    def author_type_label(self) -> str:
        return AUTHOR_TYPE_LABELS.get(self.author_type, self.author_type)

    @property
    def areas(self) -> list[str]:
        """Every CCHC area ticked, the first one first, then in the order of AREA_LABELS."""
        return ordered_areas([self.area] + [link.area for link in self.area_links])

    @areas.setter
    def areas(self, codes) -> None:
        codes = ordered_areas([codes] if isinstance(codes, str) else list(codes or []))
        self.area = codes[0] if codes else ""
        _link_areas(self, codes)

    @property
    def area_label(self) -> str:
        """"Cải cách thủ tục hành chính; Khác: Văn hóa công sở" — every area, with the words of "Khác"."""
        return area_labels(self.areas, self.area_other)

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.status}>"


class InitiativeArea(db.Model):
    """One CCHC area of an initiative: a model counts, and is found, in each area it was ticked for."""

    __tablename__ = "initiative_area"

    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(sa.String(30), primary_key=True)

    __table_args__ = (sa.Index("ix_initiative_area_area", "area"),)


def in_area(code: str):
    """The condition "one of the initiative's areas is `code`", for filters."""
    return Initiative.id.in_(sa.select(InitiativeArea.initiative_id).where(InitiativeArea.area == code))


def ordered_areas(codes) -> list[str]:
    """Codes without repeats or blanks: the first as given, the others in the order of AREA_LABELS."""
    unique = list(dict.fromkeys(code for code in codes if code))
    if not unique:
        return []
    order = {code: position for position, code in enumerate(AREA_LABELS)}
    return unique[:1] + sorted(unique[1:], key=lambda code: (order.get(code, len(order)), code))


def area_labels(codes, other: str = "") -> str:
    labels = []
    for code in codes:
        label = AREA_LABELS.get(code, code)
        labels.append(f"{label}: {other}" if code == "khac" and other else label)
    return "; ".join(labels)


def _link_areas(initiative: Initiative, codes: list[str]) -> None:
    """Make the link rows exactly `codes`, keeping the rows already there (no delete-and-insert of one key)."""
    wanted = set(codes)
    kept = [link for link in initiative.area_links if link.area in wanted]
    have = {link.area for link in kept}
    initiative.area_links = kept + [InitiativeArea(area=code) for code in codes if code not in have]


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _primary_area_is_linked(session, flush_context, instances) -> None:
    """However an initiative was made or changed (form, import, demo), its first area is one of its links."""
    for item in session.new:
        if isinstance(item, Initiative) and item.area and item.area not in {link.area for link in item.area_links}:
            _link_areas(item, ordered_areas([item.area] + [link.area for link in item.area_links]))
    for item in session.dirty:  # only when the area itself was set: a change of state loads nothing
        if isinstance(item, Initiative) and sa.inspect(item).attrs.area.history.has_changes() and item.area \
                and item.area not in {link.area for link in item.area_links}:
            _link_areas(item, ordered_areas([item.area] + [link.area for link in item.area_links]))


@sa.event.listens_for(Initiative, "before_insert")
@sa.event.listens_for(Initiative, "before_update")
def _initiative_search_text(mapper, connection, initiative: Initiative) -> None:
    initiative.search_text = fold(initiative.title or "")


class InitiativeAuthor(db.Model):
    """A named author with position and contribution share (when the authors are persons)."""

    __tablename__ = "initiative_author"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    job_title: Mapped[str] = mapped_column(sa.String(160), default="")
    contribution: Mapped[int] = mapped_column(default=0)  # percent

    initiative: Mapped[Initiative] = relationship(back_populates="authors", lazy="raise")

"""The units directory: a tree of organisations edited as data."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db
from thidua.text import fold
from thidua.timeutil import utcnow

# Unit types seen in the Sở's directory and in district-level deployments. The
# directory may hold other codes; they are shown as written.
UNIT_TYPE_LABELS = {
    "so": "Sở GD&ĐT",
    "phong_gddt": "Phòng GD&ĐT",
    "ubnd_phuong_xa": "UBND phường, xã",
    "phong_thuoc_so": "Phòng thuộc Sở",
    "thpt": "Trường THPT",
    "pho_thong_nhieu_cap": "Trường phổ thông nhiều cấp học",
    "tt_gdnn_gdtx": "Trung tâm GDNN-GDTX",
    "co_so_truc_thuoc": "Cơ sở giáo dục trực thuộc",
    "thcs": "Trường THCS",
    "th": "Trường Tiểu học",
    "mn": "Trường Mầm non",
}


def unit_type_label(code: str) -> str:
    return UNIT_TYPE_LABELS.get(code, code)


class Unit(db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    short_name: Mapped[str] = mapped_column(sa.String(120), default="")
    block: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    unit_type: Mapped[str] = mapped_column(sa.String(40), index=True)
    district: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(255), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    # An organiser runs its own campaigns, with its own secretariat, leaders and committee, over
    # its subtree (a Sở, a Phòng GD&ĐT, a ward or commune). The root of the tree always is one.
    is_organiser: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Lower-case, diacritics removed: what searches "with or without diacritics" compare to.
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def type_label(self) -> str:
        return unit_type_label(self.unit_type)

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join(filter(None, [self.name, self.short_name, self.code, self.district])))

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


@sa.event.listens_for(Unit, "before_insert")
@sa.event.listens_for(Unit, "before_update")
def _unit_search_text(mapper, connection, unit: Unit) -> None:
    unit.refresh_search_text()


def subtree_ids(root_id: int, name: str = "subtree") -> sa.Select:
    """The ids of `root_id` and every unit below it (a recursive query, both databases).

    `name` names the query's CTE: two of them in one statement need different names.
    """
    node = sa.orm.aliased(Unit, name=f"{name}_unit")
    tree = sa.select(node.id).where(node.id == root_id).cte(name, recursive=True)
    child = sa.orm.aliased(Unit, name=f"{name}_child")
    tree = tree.union_all(sa.select(child.id).where(child.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def in_subtree(root_id: int, name: str = "subtree"):
    """The condition "the unit is `root_id` or below it in the tree"."""
    return Unit.id.in_(subtree_ids(root_id, name))

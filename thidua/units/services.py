"""Directory operations."""
from __future__ import annotations

import sqlalchemy as sa

from thidua import audit
from thidua.extensions import db
from thidua.units.models import Unit

UNIT_FIELDS = ("code", "name", "short_name", "block", "unit_type", "district", "email", "parent_id")


class UnitError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _check(unit: Unit | None, values: dict) -> None:
    clash = db.session.scalar(sa.select(Unit.id).where(Unit.code == values["code"]))
    if clash is not None and (unit is None or clash != unit.id):
        raise UnitError("code", "Mã đơn vị này đã có trong danh mục.")
    parent_id = values.get("parent_id")
    if unit is not None and parent_id:
        # The tree must stay a tree: the new parent may not be the unit or one of its descendants.
        ancestor = db.session.get(Unit, parent_id)
        while ancestor is not None:
            if ancestor.id == unit.id:
                raise UnitError("parent_id", "Đơn vị cấp trên không thể là chính đơn vị này hoặc đơn vị cấp dưới của nó.")
            ancestor = db.session.get(Unit, ancestor.parent_id) if ancestor.parent_id else None


def create_unit(*, actor, is_organiser: bool = False, **values) -> Unit:
    """A new unit; a root of the tree always runs its own campaigns (is an organiser)."""
    values["parent_id"] = values.get("parent_id") or None
    _check(None, values)
    unit = Unit(**{k: v or "" if k != "parent_id" else v for k, v in values.items() if k in UNIT_FIELDS})
    unit.is_organiser = is_organiser or unit.parent_id is None
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.created", actor=actor, object_type="unit", object_id=unit.id, unit_id=unit.id,
                 details={"code": unit.code, "name": unit.name, "is_organiser": unit.is_organiser})
    return unit


def update_unit(unit: Unit, *, actor, is_organiser: bool | None = None, **values) -> Unit:
    values["parent_id"] = values.get("parent_id") or None
    _check(unit, values)
    changes = {}
    if is_organiser is not None and values["parent_id"] is not None and unit.is_organiser != is_organiser:
        changes["is_organiser"] = [unit.is_organiser, is_organiser]
        unit.is_organiser = is_organiser
    for key in UNIT_FIELDS:
        new = values.get(key) if key == "parent_id" else (values.get(key) or "")
        if getattr(unit, key) != new:
            changes[key] = [getattr(unit, key), new]
            setattr(unit, key, new)
    if changes:
        audit.record("unit.updated", actor=actor, object_type="unit", object_id=unit.id, unit_id=unit.id,
                     details=changes)
    return unit


def set_unit_active(unit: Unit, active: bool, *, actor) -> None:
    """Deactivated units keep their records and accounts but leave new campaigns' lists."""
    if unit.is_active == active:
        return
    unit.is_active = active
    audit.record("unit.activated" if active else "unit.deactivated", actor=actor, object_type="unit",
                 object_id=unit.id, unit_id=unit.id)


def overseeing_units(unit_ids, *, organiser_id: int | None) -> dict[int, frozenset[int]]:
    """For each unit, itself and every unit above it in the tree up to (not including) the organiser.

    A member of any of these units is too close to judge the unit's initiative: their own unit, or one
    that oversees it (a ward's office over its schools). The organiser itself, whose committee it is, and
    the levels above it are not. One query for the whole tree, which is small (a few thousand nodes).
    """
    parents = dict(db.session.execute(sa.select(Unit.id, Unit.parent_id)).all())
    found: dict[int, frozenset[int]] = {}
    for unit_id in set(unit_ids):
        chain, current, seen = [], unit_id, set()
        while current is not None and current != organiser_id and current not in seen:
            seen.add(current)
            chain.append(current)
            current = parents.get(current)
        found[unit_id] = frozenset(chain)
    return found

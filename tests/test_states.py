"""Every state machine's column holds only its states: the database refuses any other value, whoever writes it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from thidua.extensions import db, state_columns

# Columns named like a state that hold something else, each with its reason.
NOT_A_STATE_MACHINE = {
    "audit_log.from_state": "the audit log records the states of every machine, as they were",
    "audit_log.to_state": "the audit log records the states of every machine, as they were",
}


def _looks_like_a_state(column: sa.Column) -> bool:
    return column.name in ("status", "state") or column.name.endswith(("_status", "_state"))


def test_every_column_named_like_a_state_is_held_to_its_enum():
    checked = {f"{c.table.name}.{c.name}" for c in state_columns()}
    named = {f"{table.name}.{column.name}" for table in db.metadata.tables.values() for column in table.columns
             if _looks_like_a_state(column)}
    assert named - checked - set(NOT_A_STATE_MACHINE) == set()
    assert len(checked) >= 11


def test_the_database_refuses_a_state_outside_the_enum_in_every_state_column(cli):
    """On the demo's data (two campaigns taken through every stage), one row of each state column is set to an
    unknown state: the database refuses every one of them, and takes each of the column's own states."""
    assert cli("demo", "load").exit_code == 0
    tried = set()
    for column, states in state_columns().items():
        table = column.table
        key = [c for c in table.primary_key.columns]
        row = db.session.execute(sa.select(*key).where(column.is_not(None)).limit(1)).first()
        if row is None:
            continue
        assert "lost" not in {state.value for state in states}
        where = sa.and_(*(c == value for c, value in zip(key, row, strict=True)))
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(sa.update(table).where(where).values({column.name: "lost"}))
        for state in states:
            with db.session.begin_nested():
                db.session.execute(sa.update(table).where(where).values({column.name: state.value}))
        tried.add(f"{table.name}.{column.name}")
    db.session.rollback()
    # The demo reaches every stage: the main machines all had a row to try.
    assert {"initiative.status", "review.status", "award_list.status", "initiative_standing.status",
            "target_value.state", "nomination.state"} <= tried, tried


# A state compared to a quoted word in a template: {% if x.status == 'draft' %}, x.state in ('sent', ...).
STATE_LITERAL = re.compile(r"""\b\w*(?:status|state)\s*(?:==|!=|\bin\b|\bnot in\b)\s*[(\[]?\s*['"]""")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_the_templates_compare_states_through_their_enums_or_predicates_never_quoted_words():
    """A renamed state cannot leave a template silently comparing to the old word: they use the enums
    (ReviewStatus.SUBMITTED) or the predicates the services decide with (value.returnable)."""
    found = [f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:100]}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if STATE_LITERAL.search(line)]
    assert found == []


def test_the_pattern_finds_the_comparisons_it_forbids():
    for line in ("{% if job.status == 'failed' %}", "{% if p.state in ('sent', 'declined') %}",
                 "{{ 'Xem' if row.review_status == \"submitted\" }}", "{% if state != 'sent' %}"):
        assert STATE_LITERAL.search(line), line
    assert not STATE_LITERAL.search("{% if job.status == JobStatus.FAILED %}")

"""Award decisions per form of commendation, the list's submission and return, the shortlisting level

Revision ID: 5d2e8c41b7a3
Revises: 5d2a8f61c0b7
Create Date: 2026-12-02 17:40:00

- commendation_level.proposed_upward, .authority: a level whose name speaks of UBND (Bằng khen của
  Chủ tịch UBND Thành phố) is proposed upward and decided by "UBND Thành phố"; the others by the
  campaign's organiser.
- award_decision: a decided list's one decision (number, date, signer) becomes one row per form of
  commendation on the list, each citing its level's authority; the list's decision columns go.
  Nothing was decided under another number, so the initiatives keep their states.
- award_list.submitted_*: a list already approved or decided was submitted when it was approved.
- initiative.shortlisted_level_id: the level named in the latest "review.level_chosen" audit row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8c41b7a3'
down_revision = '5d2a8f61c0b7'
branch_labels = None
depends_on = None


def _add_reference(table: str, column: str, target: str, **kw) -> None:
    """A nullable column referencing `target` (on SQLite, a batch copy of the table: env.py turns foreign
    keys off meanwhile, so that no referencing row is deleted with the old table)."""
    referred, referred_column = target.split(".")
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f(f"fk_{table}_{column}_{referred}"), referred, [column],
                                    [referred_column], **kw)


def upgrade():
    op.add_column('commendation_level',
                  sa.Column('proposed_upward', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('commendation_level',
                  sa.Column('authority', sa.String(length=255), server_default='', nullable=False))
    op.execute("UPDATE commendation_level SET proposed_upward = true, authority = 'UBND Thành phố' "
               "WHERE name LIKE '%UBND%'")

    _add_reference('initiative', 'shortlisted_level_id', 'commendation_level.id', ondelete='SET NULL')

    op.create_table('award_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('award_list_id', sa.Integer(), nullable=False),
        sa.Column('level_id', sa.Integer(), nullable=False),
        sa.Column('level_name', sa.String(length=255), nullable=False),
        sa.Column('authority', sa.String(length=255), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('signer', sa.String(length=255), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['award_list_id'], ['award_list.id'],
                                name=op.f('fk_award_decision_award_list_id_award_list'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['level_id'], ['commendation_level.id'],
                                name=op.f('fk_award_decision_level_id_commendation_level')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_award_decision_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_decision')),
        sa.UniqueConstraint('award_list_id', 'level_id', name='uq_award_decision_level'),
    )
    op.create_index(op.f('ix_award_decision_level_id'), 'award_decision', ['level_id'], unique=False)

    _add_reference('award_list', 'submitted_by_id', 'user_account.id')
    op.add_column('award_list', sa.Column('submitted_at', sa.DateTime(), nullable=True))
    _add_reference('award_list', 'returned_by_id', 'user_account.id')
    op.add_column('award_list', sa.Column('returned_at', sa.DateTime(), nullable=True))
    op.add_column('award_list', sa.Column('return_comment', sa.Text(), server_default='', nullable=False))

    connection = op.get_bind()
    connection.execute(sa.text("UPDATE award_list SET submitted_at = approved_at WHERE status IN ('approved', 'decided')"))
    decided = connection.execute(sa.text(
        "SELECT l.id, l.decision_number, l.decision_date, l.decision_by, l.updated_at, u.name "
        "FROM award_list l JOIN campaign c ON c.id = l.campaign_id JOIN unit u ON u.id = c.organiser_id "
        "WHERE l.status = 'decided' AND l.decision_date IS NOT NULL")).all()
    for list_id, number, decided_on, signer, updated_at, organiser in decided:
        levels = connection.execute(sa.text(
            "SELECT DISTINCT v.id, v.name, v.authority FROM award_entry e "
            "JOIN commendation_level v ON v.id = e.level_id WHERE e.award_list_id = :list_id"),
            {"list_id": list_id}).all()
        for level_id, name, authority in levels:
            connection.execute(sa.text(
                "INSERT INTO award_decision (award_list_id, level_id, level_name, authority, number, decided_on, "
                "signer, recorded_at) VALUES (:list_id, :level_id, :name, :authority, :number, :decided_on, "
                ":signer, :recorded_at)"),
                {"list_id": list_id, "level_id": level_id, "name": name, "authority": authority or organiser,
                 "number": number or "", "decided_on": decided_on, "signer": signer or "",
                 "recorded_at": updated_at})

    # The latest level named at shortlisting, per initiative (read in Python: the details are JSON).
    import json
    chosen = {}
    for object_id, details in connection.execute(sa.text(
            "SELECT object_id, details FROM audit_log WHERE action = 'review.level_chosen' "
            "AND object_id IS NOT NULL ORDER BY id")):
        if isinstance(details, str):
            details = json.loads(details)
        chosen[object_id] = (details or {}).get("level_id")
    existing = {row[0] for row in connection.execute(sa.text("SELECT id FROM commendation_level"))}
    for initiative_id, level_id in chosen.items():
        if level_id in existing:
            connection.execute(sa.text("UPDATE initiative SET shortlisted_level_id = :level WHERE id = :id"),
                               {"level": level_id, "id": initiative_id})

    for column in ('decision_number', 'decision_date', 'decision_by'):
        op.drop_column('award_list', column)


def downgrade():
    with op.batch_alter_table('award_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_by', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('decision_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_number', sa.String(length=80), nullable=True))
    connection = op.get_bind()
    # The list's one decision: the first recorded of its levels.
    for list_id, number, decided_on, signer in connection.execute(sa.text(
            "SELECT d.award_list_id, d.number, d.decided_on, d.signer FROM award_decision d "
            "WHERE d.id IN (SELECT MIN(id) FROM award_decision GROUP BY award_list_id)")).all():
        connection.execute(sa.text("UPDATE award_list SET decision_number = :n, decision_date = :d, "
                                   "decision_by = :s WHERE id = :id"),
                           {"n": number, "d": decided_on, "s": signer, "id": list_id})
    connection.execute(sa.text("UPDATE award_list SET decision_number = '' WHERE decision_number IS NULL"))
    connection.execute(sa.text("UPDATE award_list SET decision_by = '' WHERE decision_by IS NULL"))
    connection.execute(sa.text("UPDATE award_list SET status = 'draft' WHERE status = 'submitted'"))
    with op.batch_alter_table('award_list', schema=None) as batch_op:
        batch_op.alter_column('decision_number', existing_type=sa.String(length=80), nullable=False)
        batch_op.alter_column('decision_by', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_award_list_returned_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_award_list_submitted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('return_comment')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('returned_by_id')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('submitted_by_id')
    with op.batch_alter_table('award_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_decision_level_id'))
    op.drop_table('award_decision')
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_initiative_shortlisted_level_id_commendation_level'),
                                 type_='foreignkey')
        batch_op.drop_column('shortlisted_level_id')
    with op.batch_alter_table('commendation_level', schema=None) as batch_op:
        batch_op.drop_column('authority')
        batch_op.drop_column('proposed_upward')

"""Organisers at every level: scoped staff accounts, campaigns feeding the level above, nominations

Revision ID: c7d2e9f4a1b3
Revises: b4c1e7d9a2f6
Create Date: 2026-12-03 08:00:00

Today's single organiser (the organiser of the earliest campaign, or else the first root of the
tree) becomes the root organiser, and every secretariat, leader and reviewer account acts for it:
behaviour is unchanged until another organiser is created.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d2e9f4a1b3'
down_revision = 'b4c1e7d9a2f6'
branch_labels = None
depends_on = None

STAFF_ROLES = "('secretariat', 'leader', 'reviewer')"


def upgrade():
    with op.batch_alter_table('unit') as batch:
        batch.add_column(sa.Column('is_organiser', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('organiser_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_user_account_organiser_id'), ['organiser_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_user_account_organiser_id_unit'), 'unit', ['organiser_id'], ['id'])
    with op.batch_alter_table('campaign') as batch:
        batch.add_column(sa.Column('feeds_campaign_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('nominations_from', sa.String(length=20), server_default='awarded',
                                   nullable=False))
        batch.create_index(batch.f('ix_campaign_feeds_campaign_id'), ['feeds_campaign_id'], unique=False)
        batch.create_index(batch.f('ix_campaign_organiser_id'), ['organiser_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_campaign_feeds_campaign_id_campaign'), 'campaign',
                                 ['feeds_campaign_id'], ['id'])
    op.create_table(
        'nomination',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=True),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('initiative_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_nomination_campaign_id_campaign'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_id'], ['initiative.id'], name=op.f('fk_nomination_source_id_initiative')),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'],
                                name=op.f('fk_nomination_initiative_id_initiative')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'],
                                name=op.f('fk_nomination_proposed_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_nomination_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
        sa.UniqueConstraint('campaign_id', 'source_id', name=op.f('uq_nomination_campaign_id_source_id')),
        sa.UniqueConstraint('initiative_id', name=op.f('uq_nomination_initiative_id')),
    )
    op.create_index(op.f('ix_nomination_campaign_id'), 'nomination', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_nomination_source_id'), 'nomination', ['source_id'], unique=False)

    # The period summary's draft belongs to an organiser.
    op.add_column('period_draft', sa.Column('organiser_id', sa.Integer(), nullable=True))

    # Data: the roots are organisers; the root organiser keeps today's staff and drafts.
    op.execute("UPDATE unit SET is_organiser = true WHERE parent_id IS NULL "
               "OR id IN (SELECT organiser_id FROM campaign)")
    root = ("COALESCE((SELECT organiser_id FROM campaign ORDER BY id LIMIT 1), "
            "(SELECT id FROM unit WHERE parent_id IS NULL ORDER BY id LIMIT 1))")
    op.execute(f"UPDATE user_account SET organiser_id = {root} WHERE role IN {STAFF_ROLES}")
    op.execute(f"UPDATE period_draft SET organiser_id = {root}")
    op.execute("DELETE FROM period_draft WHERE organiser_id IS NULL")
    with op.batch_alter_table('period_draft', recreate='always') as batch:
        batch.alter_column('organiser_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint('pk_period_draft', type_='primary')
        batch.create_primary_key('pk_period_draft', ['organiser_id', 'period'])
        batch.create_foreign_key(batch.f('fk_period_draft_organiser_id_unit'), 'unit', ['organiser_id'], ['id'])


def downgrade():
    with op.batch_alter_table('period_draft', recreate='always') as batch:
        batch.drop_constraint('fk_period_draft_organiser_id_unit', type_='foreignkey')
        batch.drop_constraint('pk_period_draft', type_='primary')
        batch.create_primary_key('pk_period_draft', ['period'])
        batch.drop_column('organiser_id')
    op.drop_index(op.f('ix_nomination_source_id'), table_name='nomination')
    op.drop_index(op.f('ix_nomination_campaign_id'), table_name='nomination')
    op.drop_table('nomination')
    with op.batch_alter_table('campaign') as batch:
        batch.drop_constraint(batch.f('fk_campaign_feeds_campaign_id_campaign'), type_='foreignkey')
        batch.drop_index(batch.f('ix_campaign_organiser_id'))
        batch.drop_index(batch.f('ix_campaign_feeds_campaign_id'))
        batch.drop_column('nominations_from')
        batch.drop_column('feeds_campaign_id')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_constraint(batch.f('fk_user_account_organiser_id_unit'), type_='foreignkey')
        batch.drop_index(batch.f('ix_user_account_organiser_id'))
        batch.drop_column('organiser_id')
    with op.batch_alter_table('unit') as batch:
        batch.drop_column('is_organiser')

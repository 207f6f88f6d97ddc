"""award proposal list and its entries

Revision ID: 13718401d13f
Revises: 7424a735a4c4
Create Date: 2026-11-22 12:21:55.261983

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '13718401d13f'
down_revision = '7424a735a4c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('award_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('decision_number', sa.String(length=80), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('decision_by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_award_list_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_award_list_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_list')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_award_list_campaign_id'))
    )
    op.create_table('award_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_list_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('recipient_type', sa.String(length=10), nullable=False),
    sa.Column('recipient_name', sa.String(length=255), nullable=False),
    sa.Column('recipient_title', sa.String(length=160), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['award_list_id'], ['award_list.id'], name=op.f('fk_award_entry_award_list_id_award_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_award_entry_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['commendation_level.id'], name=op.f('fk_award_entry_level_id_commendation_level'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_entry')),
    sa.UniqueConstraint('initiative_id', name=op.f('uq_award_entry_initiative_id'))
    )
    with op.batch_alter_table('award_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_entry_award_list_id'), ['award_list_id'], unique=False)



def downgrade():
    with op.batch_alter_table('award_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_entry_award_list_id'))

    op.drop_table('award_entry')
    op.drop_table('award_list')

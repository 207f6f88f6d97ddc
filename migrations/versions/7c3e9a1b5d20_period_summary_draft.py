"""The period summary's editable parts: number, assessment, proposals, recipients, signer

Revision ID: 7c3e9a1b5d20
Revises: 6b1f0c2d9e84
Create Date: 2026-12-02 18:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c3e9a1b5d20'
down_revision = '6b1f0c2d9e84'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'period_draft',
        sa.Column('period', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('assessment', sa.Text(), nullable=False),
        sa.Column('proposals', sa.Text(), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('signer_title', sa.String(length=160), nullable=False),
        sa.Column('signer_name', sa.String(length=160), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_period_draft_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('period', name=op.f('pk_period_draft')),
    )


def downgrade():
    op.drop_table('period_draft')

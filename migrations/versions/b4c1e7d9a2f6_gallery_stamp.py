"""The gallery's version stamp: one row, changed with anything the public pages show

Revision ID: b4c1e7d9a2f6
Revises: 7c3e9a1b5d20
Create Date: 2026-12-02 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4c1e7d9a2f6'
down_revision = '7c3e9a1b5d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'gallery_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery_stamp')),
    )
    op.execute("INSERT INTO gallery_stamp (id, token, changed_at) VALUES (1, 'initial', CURRENT_TIMESTAMP)")


def downgrade():
    op.drop_table('gallery_stamp')

"""An initiative in every CCHC area ticked: initiative_area, and the words of a "Khác" answer

Revision ID: 5d2a8f61c0b7
Revises: 8f1e6b3c9a57
Create Date: 2026-12-02 17:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d2a8f61c0b7'
down_revision = '8f1e6b3c9a57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'initiative_area',
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'],
                                name=op.f('fk_initiative_area_initiative_id_initiative'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('initiative_id', 'area', name=op.f('pk_initiative_area')),
    )
    op.create_index('ix_initiative_area_area', 'initiative_area', ['area'], unique=False)
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_other', sa.String(length=255), nullable=False, server_default=''))
    op.execute("INSERT INTO initiative_area (initiative_id, area) SELECT id, area FROM initiative WHERE area <> ''")


def downgrade():
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_column('area_other')
    op.drop_index('ix_initiative_area_area', table_name='initiative_area')
    op.drop_table('initiative_area')

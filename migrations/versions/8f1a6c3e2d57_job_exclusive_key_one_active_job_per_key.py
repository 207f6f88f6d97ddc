"""Jobs: an exclusive key, held by at most one queued or running job (the office's reminder runs)

Revision ID: 8f1a6c3e2d57
Revises: 5d2e8c41b7a3
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f1a6c3e2d57'
down_revision = '5d2e8c41b7a3'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running') AND exclusive_key IS NOT NULL"


def upgrade():
    op.add_column('job', sa.Column('exclusive_key', sa.String(length=120), nullable=True))
    op.create_index('uq_job_exclusive_key_active', 'job', ['exclusive_key'], unique=True,
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade():
    op.drop_index('uq_job_exclusive_key_active', table_name='job')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('exclusive_key')

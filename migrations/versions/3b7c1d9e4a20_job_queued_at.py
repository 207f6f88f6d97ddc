"""Jobs: when each last went into the queue (a job no process started in time is marked failed)

Revision ID: 3b7c1d9e4a20
Revises: e2fe952ed6b0
Create Date: 2026-12-02 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7c1d9e4a20'
down_revision = 'e2fe952ed6b0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE job SET queued_at = created_at")


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('queued_at')

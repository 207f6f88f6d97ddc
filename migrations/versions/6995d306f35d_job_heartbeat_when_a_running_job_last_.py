"""Job heartbeat: when a running job last said it was alive

Revision ID: 6995d306f35d
Revises: c44d36762b12
Create Date: 2026-11-22 14:13:01.528150

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6995d306f35d'
down_revision = 'c44d36762b12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')


"""Import batch: the job of its latest import run

Revision ID: c44d36762b12
Revises: 39db84c12593
Create Date: 2026-11-22 13:18:16.591025

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c44d36762b12'
down_revision = '39db84c12593'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_import_batch_job_id_job'), 'job', ['job_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_batch_job_id_job'), type_='foreignkey')
        batch_op.drop_column('job_id')


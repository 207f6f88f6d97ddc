"""initiative title folded for search without diacritics

Revision ID: 9832747e0402
Revises: 3b03af9da6ef
Create Date: 2026-11-22 11:03:42.504788

"""
from alembic import op
import sqlalchemy as sa

from thidua.text import fold


# revision identifiers, used by Alembic.
revision = '9832747e0402'
down_revision = '3b03af9da6ef'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=600), nullable=False, server_default=''))

    # Existing titles get their folded form, in batches.
    connection = op.get_bind()
    initiative = sa.table('initiative', sa.column('id', sa.Integer), sa.column('title', sa.String),
                          sa.column('search_text', sa.String))
    rows = connection.execute(sa.select(initiative.c.id, initiative.c.title)).all()
    for start in range(0, len(rows), 1000):
        connection.execute(
            initiative.update().where(initiative.c.id == sa.bindparam('row_id')).values(search_text=sa.bindparam('folded')),
            [{'row_id': row.id, 'folded': fold(row.title or '')} for row in rows[start:start + 1000]],
        )

    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.alter_column('search_text', server_default=None)


def downgrade():
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_column('search_text')

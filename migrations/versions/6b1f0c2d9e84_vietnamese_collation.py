"""Names in Vietnamese alphabetical order: the ICU collation "vi" on PostgreSQL (SQLite registers its own)

Revision ID: 6b1f0c2d9e84
Revises: 8f1a6c3e2d57
Create Date: 2026-12-02 18:30:00

"""
from alembic import op


revision = '6b1f0c2d9e84'
down_revision = '8f1a6c3e2d57'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi-VN')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS vi")

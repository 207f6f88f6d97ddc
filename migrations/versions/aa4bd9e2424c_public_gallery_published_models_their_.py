"""Public gallery: published models, their public files, adoptions

Revision ID: aa4bd9e2424c
Revises: f764b74a37fc
Create Date: 2026-11-22 13:10:07.947022

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aa4bd9e2424c'
down_revision = 'f764b74a37fc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gallery_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('excerpt', sa.String(length=400), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('area', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_name', sa.String(length=255), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=False),
    sa.Column('commendation', sa.String(length=255), nullable=False),
    sa.Column('adoption_count', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_gallery_entry_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_gallery_entry_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_gallery_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery_entry')),
    sa.UniqueConstraint('initiative_id', name=op.f('uq_gallery_entry_initiative_id'))
    )
    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.create_index('ix_gallery_entry_public_adoptions', ['is_public', 'adoption_count'], unique=False)
        batch_op.create_index('ix_gallery_entry_public_area', ['is_public', 'area'], unique=False)
        batch_op.create_index('ix_gallery_entry_public_published', ['is_public', 'published_at'], unique=False)
        batch_op.create_index('ix_gallery_entry_public_year', ['is_public', 'year'], unique=False)
        batch_op.create_index('ix_gallery_entry_unit', ['unit_id'], unique=False)

    op.create_table('adoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_key', sa.String(length=120), nullable=True),
    sa.Column('file_type', sa.String(length=120), nullable=True),
    sa.Column('file_size', sa.BigInteger(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_adoption_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['gallery_entry.id'], name=op.f('fk_adoption_entry_id_gallery_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_adoption_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption')),
    sa.UniqueConstraint('entry_id', 'unit_id', name='uq_adoption_entry_unit'),
    sa.UniqueConstraint('file_key', name=op.f('uq_adoption_file_key'))
    )
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_unit_id'), ['unit_id'], unique=False)

    op.create_table('gallery_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('evidence_file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['gallery_entry.id'], name=op.f('fk_gallery_file_entry_id_gallery_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_file.id'], name=op.f('fk_gallery_file_evidence_file_id_evidence_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery_file')),
    sa.UniqueConstraint('entry_id', 'evidence_file_id', name='uq_gallery_file')
    )
    with op.batch_alter_table('gallery_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gallery_file_evidence_file_id'), ['evidence_file_id'], unique=False)

    # Full-text search on the folded text: PostgreSQL only (SQLite searches the folded column with LIKE).
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_gallery_entry_search', 'gallery_entry', [sa.text("to_tsvector('simple', search_text)")],
                        postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_gallery_entry_search', table_name='gallery_entry')
    with op.batch_alter_table('gallery_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gallery_file_evidence_file_id'))

    op.drop_table('gallery_file')
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_unit_id'))

    op.drop_table('adoption')
    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_gallery_entry_unit')
        batch_op.drop_index('ix_gallery_entry_public_year')
        batch_op.drop_index('ix_gallery_entry_public_published')
        batch_op.drop_index('ix_gallery_entry_public_area')
        batch_op.drop_index('ix_gallery_entry_public_adoptions')

    op.drop_table('gallery_entry')

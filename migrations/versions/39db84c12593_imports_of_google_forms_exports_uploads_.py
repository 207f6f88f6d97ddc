"""Imports of Google Forms exports: uploads and the records they made

Revision ID: 39db84c12593
Revises: aa4bd9e2424c
Create Date: 2026-11-22 13:13:12.550437

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '39db84c12593'
down_revision = 'aa4bd9e2424c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('day_first', sa.Boolean(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('unit_choices', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_import_batch_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_import_batch_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_import_batch_imported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batch_sha256'), ['sha256'], unique=False)

    op.create_table('imported_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=80), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('superseded_rows', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_imported_record_batch_id_import_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_imported_record_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_imported_record_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_imported_record_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_record')),
    sa.UniqueConstraint('campaign_id', 'kind', 'source_key', name='uq_imported_record_source')
    )
    with op.batch_alter_table('imported_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_record_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_record_initiative_id'), ['initiative_id'], unique=False)



def downgrade():
    with op.batch_alter_table('imported_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_record_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_imported_record_batch_id'))

    op.drop_table('imported_record')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_sha256'))
        batch_op.drop_index(batch_op.f('ix_import_batch_campaign_id'))

    op.drop_table('import_batch')

"""Report to UBND Thành phố: the office's draft and the generated versions

Revision ID: f764b74a37fc
Revises: 13718401d13f
Create Date: 2026-11-22 12:57:46.260238

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f764b74a37fc'
down_revision = '13718401d13f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_draft',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=80), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('deployment', sa.Text(), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('limitations', sa.Text(), nullable=False),
    sa.Column('proposals', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('signer_title', sa.String(length=160), nullable=False),
    sa.Column('signer_name', sa.String(length=160), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_report_draft_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_report_draft_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_report_draft'))
    )
    op.create_table('city_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('headline', sa.JSON(), nullable=True),
    sa.Column('data_taken_at', sa.DateTime(), nullable=True),
    sa.Column('docx_key', sa.String(length=120), nullable=True),
    sa.Column('docx_size', sa.BigInteger(), nullable=True),
    sa.Column('xlsx_key', sa.String(length=120), nullable=True),
    sa.Column('xlsx_size', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_city_report_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_city_report_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_city_report_job_id_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_report')),
    sa.UniqueConstraint('campaign_id', 'number', name=op.f('uq_city_report_campaign_id_number'))
    )


def downgrade():
    op.drop_table('city_report')
    op.drop_table('report_draft')

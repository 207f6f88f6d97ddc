"""review: committee, rubric criteria, commendation levels, assignments, reviews and scores; campaign review settings

Revision ID: 7424a735a4c4
Revises: cfea305ee336
Create Date: 2026-11-22 11:59:56.800537

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7424a735a4c4'
down_revision = 'cfea305ee336'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commendation_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('min_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('max_count', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_commendation_level_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendation_level'))
    )
    with op.batch_alter_table('commendation_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commendation_level_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('committee_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_chair', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_committee_member_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_committee_member_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_member')),
    sa.UniqueConstraint('campaign_id', 'user_id', name='uq_committee_member')
    )
    with op.batch_alter_table('committee_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_member_user_id'), ['user_id'], unique=False)

    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('low', sa.Text(), nullable=False),
    sa.Column('middle', sa.Text(), nullable=False),
    sa.Column('high', sa.Text(), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_criterion_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion'))
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('conflict_reason', sa.Text(), nullable=True),
    sa.Column('conflict_at', sa.DateTime(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_assignment_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_assignment_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_assignment_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_assignment_reviewer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('initiative_id', 'reviewer_id', name='uq_assignment_pair')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_review_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_review_assignment_id'))
    )
    op.create_table('criterion_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_criterion_score_criterion_id_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_criterion_score_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion_score')),
    sa.UniqueConstraint('review_id', 'criterion_id', name='uq_criterion_score')
    )
    with op.batch_alter_table('criterion_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_score_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewers_per_initiative', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('blind_review', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('disagreement_threshold', sa.Integer(), server_default='15', nullable=False))



def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('disagreement_threshold')
        batch_op.drop_column('blind_review')
        batch_op.drop_column('reviewers_per_initiative')

    with op.batch_alter_table('criterion_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_score_review_id'))

    op.drop_table('criterion_score')
    op.drop_table('review')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_campaign_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_campaign_id'))

    op.drop_table('criterion')
    with op.batch_alter_table('committee_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_member_user_id'))

    op.drop_table('committee_member')
    with op.batch_alter_table('commendation_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commendation_level_campaign_id'))

    op.drop_table('commendation_level')

"""Units' progress and initiatives' standing kept as they change

The columns are filled here from the existing initiatives and reviews, with the same rules as
thidua.campaigns.progress and thidua.review.standing (written out, so that this revision does not
depend on later application code).

Revision ID: e2fe952ed6b0
Revises: 6995d306f35d
Create Date: 2026-11-22 15:30:50.948516

"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2fe952ed6b0'
down_revision = '6995d306f35d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initiative_standing',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=True),
    sa.Column('assigned', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('first_mean', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('low', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('high', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('criterion_means', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_initiative_standing_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_standing_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', name=op.f('pk_initiative_standing'))
    )
    with op.batch_alter_table('initiative_standing', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_standing_campaign_status', ['campaign_id', 'status'], unique=False)

    with op.batch_alter_table('campaign_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('reported_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('draft_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('registration_done_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('report_done_at', sa.DateTime(), nullable=True))

    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_initiative_standing_rank', 'initiative_standing', [
            'campaign_id', sa.text('mean DESC NULLS LAST'), sa.text('first_mean DESC NULLS LAST'),
            sa.text('low DESC NULLS LAST'), sa.text('registered_at NULLS LAST'), 'initiative_id'])
    _fill(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_initiative_standing_rank', table_name='initiative_standing')
    with op.batch_alter_table('campaign_unit', schema=None) as batch_op:
        batch_op.drop_column('report_done_at')
        batch_op.drop_column('registration_done_at')
        batch_op.drop_column('last_activity_at')
        batch_op.drop_column('draft_count')
        batch_op.drop_column('reported_count')
        batch_op.drop_column('registered_count')

    with op.batch_alter_table('initiative_standing', schema=None) as batch_op:
        batch_op.drop_index('ix_initiative_standing_campaign_status')

    op.drop_table('initiative_standing')


REGISTERED = ('registered', 'reported', 'returned', 'under_review', 'scored', 'shortlisted', 'not_awarded',
              'awarded', 'published')
REPORTED = ('reported', 'under_review', 'scored', 'shortlisted', 'not_awarded', 'awarded', 'published')
RANKED = ('under_review', 'scored', 'shortlisted', 'not_awarded', 'awarded', 'published')

campaign = sa.table('campaign', sa.column('id'), sa.column('min_initiatives_per_unit'))
campaign_unit = sa.table('campaign_unit', *[sa.column(name) for name in (
    'campaign_id', 'unit_id', 'registered_count', 'reported_count', 'draft_count', 'last_activity_at',
    'registration_done_at', 'report_done_at')])
initiative = sa.table('initiative', *[sa.column(name) for name in ('id', 'campaign_id', 'unit_id', 'status')],
                      sa.column('registered_at', sa.DateTime), sa.column('updated_at', sa.DateTime))
result_report = sa.table('result_report', sa.column('initiative_id'), sa.column('submitted_at'))
criterion = sa.table('criterion', sa.column('id'), sa.column('campaign_id'), sa.column('position'))
assignment = sa.table('assignment', sa.column('id'), sa.column('initiative_id'), sa.column('conflict_at'))
review = sa.table('review', sa.column('id'), sa.column('assignment_id'), sa.column('status'),
                  sa.column('total', sa.Numeric(6, 2)))
criterion_score = sa.table('criterion_score', sa.column('review_id'), sa.column('criterion_id'),
                           sa.column('score', sa.Numeric(6, 2)))
standing = sa.table('initiative_standing', *[sa.column(name) for name in (
    'initiative_id', 'campaign_id', 'status', 'assigned', 'reviews')], sa.column('registered_at', sa.DateTime),
    *[sa.column(name, sa.Numeric(6, 2)) for name in ('mean', 'first_mean', 'low', 'high')],
    sa.column('criterion_means', sa.JSON))


def _mean(values):
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP) if values else None


def _fill(connection):
    cu, i, rr = campaign_unit, initiative, result_report
    own = (i.c.campaign_id == cu.c.campaign_id, i.c.unit_id == cu.c.unit_id)
    registered, reported = i.c.status.in_(REGISTERED), i.c.status.in_(REPORTED)
    moment = sa.func.coalesce(i.c.registered_at, i.c.updated_at)

    def count(*conditions):
        return sa.select(sa.func.count()).select_from(i).where(*own, *conditions).scalar_subquery()

    last_report = (sa.select(sa.func.max(sa.func.coalesce(rr.c.submitted_at, i.c.updated_at)))
                   .select_from(i.outerjoin(rr, rr.c.initiative_id == i.c.id)).where(*own, reported)
                   .scalar_subquery())
    for campaign_id, minimum in connection.execute(sa.select(campaign.c.id, campaign.c.min_initiatives_per_unit)):
        connection.execute(sa.update(cu).where(cu.c.campaign_id == campaign_id).values(
            registered_count=count(registered), reported_count=count(reported),
            draft_count=count(i.c.status == 'draft'),
            last_activity_at=sa.select(sa.func.max(i.c.updated_at)).where(*own).scalar_subquery(),
            registration_done_at=sa.select(moment).where(*own, registered).order_by(moment, i.c.id)
            .offset(max(1, minimum or 1) - 1).limit(1).scalar_subquery(),
            report_done_at=sa.case((sa.and_(sa.exists().where(*own, registered),
                                            sa.not_(sa.exists().where(*own, registered, sa.not_(reported)))),
                                    last_report)),
        ))

    items = {row.id: row for row in connection.execute(
        sa.select(i.c.id, i.c.campaign_id, i.c.status, i.c.registered_at).where(i.c.status.in_(RANKED)))}
    if not items:
        return
    first = {}
    for criterion_id, owner in connection.execute(
            sa.select(criterion.c.id, criterion.c.campaign_id).order_by(criterion.c.campaign_id,
                                                                       criterion.c.position, criterion.c.id)):
        first.setdefault(owner, criterion_id)
    assigned, totals = defaultdict(int), defaultdict(list)
    summed = (sa.select(sa.func.sum(criterion_score.c.score)).where(criterion_score.c.review_id == review.c.id)
              .scalar_subquery())
    for initiative_id, status, total, computed in connection.execute(
            sa.select(assignment.c.initiative_id, review.c.status, review.c.total, summed)
            .select_from(assignment.outerjoin(review, review.c.assignment_id == assignment.c.id))
            .where(assignment.c.conflict_at.is_(None))):
        assigned[initiative_id] += 1
        if status == 'submitted':
            value = total if total is not None else computed
            totals[initiative_id].append(Decimal(str(value if value is not None else 0)))
    scores = defaultdict(lambda: defaultdict(list))
    for initiative_id, criterion_id, score in connection.execute(
            sa.select(assignment.c.initiative_id, criterion_score.c.criterion_id, criterion_score.c.score)
            .select_from(assignment.join(review, review.c.assignment_id == assignment.c.id)
                         .join(criterion_score, criterion_score.c.review_id == review.c.id))
            .where(assignment.c.conflict_at.is_(None), review.c.status == 'submitted',
                   criterion_score.c.score.is_not(None))):
        scores[initiative_id][criterion_id].append(Decimal(str(score)))
    rows = []
    for initiative_id, item in items.items():
        mine = totals.get(initiative_id, [])
        means = {str(c): str(_mean(values)) for c, values in scores[initiative_id].items()}
        key = str(first.get(item.campaign_id))
        rows.append({'initiative_id': initiative_id, 'campaign_id': item.campaign_id, 'status': item.status,
                     'registered_at': item.registered_at, 'assigned': assigned.get(initiative_id, 0),
                     'reviews': len(mine), 'mean': _mean(mine), 'low': min(mine) if mine else None,
                     'high': max(mine) if mine else None,
                     'first_mean': Decimal(means[key]) if key in means else None, 'criterion_means': means})
    for start in range(0, len(rows), 5000):
        connection.execute(standing.insert(), rows[start:start + 5000])

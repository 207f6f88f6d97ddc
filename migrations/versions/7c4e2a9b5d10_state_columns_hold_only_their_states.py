"""State columns hold only their states

Revision ID: 7c4e2a9b5d10
Revises: 1832084b0556
Create Date: 2026-12-05 14:30:00

Every state machine's column (an initiative's state, a review sheet's, an award list's, a job's, ...) gets a
CHECK constraint listing its states, so that a value outside them is refused by the database whoever writes
it. The states are written out here as they were when this migration was made; a later migration that adds a
state replaces the constraint.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c4e2a9b5d10'
down_revision = '1832084b0556'
branch_labels = None
depends_on = None

INITIATIVE_STATES = ('draft', 'registered', 'withdrawn', 'reported', 'returned', 'under_review', 'scored',
                     'shortlisted', 'not_awarded', 'awarded', 'published')
STATE_COLUMNS = [
    ('award_list', 'status', ('draft', 'submitted', 'approved', 'decided')),
    ('initiative', 'status', INITIATIVE_STATES),
    ('import_batch', 'status', ('checked', 'imported')),
    ('job', 'status', ('queued', 'running', 'done', 'failed')),
    ('nomination', 'state', ('proposed', 'accepted', 'declined')),
    ('reminder_log', 'status', ('pending', 'sending', 'unknown', 'sent', 'in_app', 'failed')),
    ('review', 'status', ('draft', 'submitted')),
    ('initiative_standing', 'status', INITIATIVE_STATES),
    ('target_value', 'state', ('draft', 'sent', 'accepted', 'returned')),
    ('outstanding_person', 'state', ('draft', 'sent', 'accepted', 'declined')),
]
# notification.mail_status has had its constraint (ck_notification_mail_status_known) since it was made.


def upgrade():
    for table, column, states in STATE_COLUMNS:
        values = ", ".join(f"'{state}'" for state in states)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_{column}_known'), f'{column} IN ({values})')


def downgrade():
    for table, column, _states in reversed(STATE_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_{column}_known'), type_='check')

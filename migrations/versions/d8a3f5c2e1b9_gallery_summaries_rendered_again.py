"""Gallery: the summaries saved before rendered again (a list right under a line of text is a list), excerpts
with their list items on lines of their own

Revision ID: d8a3f5c2e1b9
Revises: b7c4e1a9d2f6
Create Date: 2026-12-03 16:40:00.000000

Rendered by thidua.markup as it is when the migration runs: rendering again is all this revision does, so
a later renderer gives a later rendering, which is what the page would show once the text is saved.
"""
import re

from alembic import op
import sqlalchemy as sa

from thidua.markup import html_to_lines, markdown_to_html


# revision identifiers, used by Alembic.
revision = 'd8a3f5c2e1b9'
down_revision = 'b7c4e1a9d2f6'
branch_labels = None
depends_on = None

EXCERPT = 300  # characters, cut between words (thidua.gallery.services.excerpt_of)


def excerpt(text):
    if len(text) <= EXCERPT:
        return text
    return re.split(r"\s+(?=\S*$)", text[:EXCERPT])[0].rstrip(" \n.,;:") + "…"


def upgrade():
    connection = op.get_bind()
    entry = sa.table('gallery_entry', sa.column('id', sa.Integer), sa.column('summary', sa.Text),
                     sa.column('summary_html', sa.Text), sa.column('excerpt', sa.String))
    for row in connection.execute(sa.select(entry.c.id, entry.c.summary, entry.c.summary_html)).all():
        html = markdown_to_html(row.summary or "")
        connection.execute(sa.update(entry).where(entry.c.id == row.id).values(
            summary_html=html, excerpt=excerpt(html_to_lines(html))))


def downgrade():
    """Nothing to undo: the rows keep the new rendering, which the earlier code shows as it is (its columns
    are the same, only the HTML in them is better formed)."""

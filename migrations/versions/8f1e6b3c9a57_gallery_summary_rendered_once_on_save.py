"""Gallery: each model's summary kept rendered (sanitised HTML), so no public request renders Markdown

The column is filled here for the models already saved, with the rules of thidua.markup at this
revision (written out, so that this revision does not depend on later application code).

Revision ID: 8f1e6b3c9a57
Revises: 5d2a8c41f7e3
Create Date: 2026-12-02 17:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f1e6b3c9a57'
down_revision = '5d2a8c41f7e3'
branch_labels = None
depends_on = None

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


def _depth(text):
    depth = deepest = 0
    for char in text:
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]" and depth:
            depth -= 1
    return deepest


def render(text):
    import markdown
    import nh3

    if not text or not text.strip():
        return ""
    if text.count("[") > 200 or ("[" in text and _depth(text) > 3):
        text = text.replace("[", "&#91;").replace("]", "&#93;")
    if text.count("<") > 200:
        text = text.replace("<", "&lt;")
    html = markdown.markdown(text, extensions=["tables", "sane_lists", "nl2br"], output_format="html")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def upgrade():
    # Added in place (no copy of the table); the server default stays, the model always sets the value.
    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_html', sa.Text(), nullable=False, server_default=''))
    connection = op.get_bind()
    entry = sa.table('gallery_entry', sa.column('id', sa.Integer), sa.column('summary', sa.Text),
                     sa.column('summary_html', sa.Text))
    for row in connection.execute(sa.select(entry.c.id, entry.c.summary)).all():
        connection.execute(sa.update(entry).where(entry.c.id == row.id).values(summary_html=render(row.summary)))


def downgrade():
    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.drop_column('summary_html')

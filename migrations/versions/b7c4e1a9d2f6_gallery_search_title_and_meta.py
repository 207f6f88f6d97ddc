"""gallery search covers the area, kind, year and unit, ranked by where the words are

Revision ID: b7c4e1a9d2f6
Revises: 4937b010ccf3
Create Date: 2026-12-03 16:10:00.000000

Published models get their folded title (search_title) and the folded names of their area, kind,
year, unit and form of commendation (search_meta), which are also added to search_text, so that
"cải cách" finds every model of a "Cải cách …" area.
"""
import re

from alembic import op
import sqlalchemy as sa

from thidua.text import fold


# revision identifiers, used by Alembic.
revision = 'b7c4e1a9d2f6'
down_revision = '4937b010ccf3'
branch_labels = None
depends_on = None

# The names as they were when this revision was written (a later renaming is the application's business).
AREAS = {
    "the_che": "Cải cách thể chế",
    "tthc": "Cải cách thủ tục hành chính",
    "to_chuc_bo_may": "Cải cách tổ chức bộ máy hành chính nhà nước",
    "cong_vu": "Cải cách chế độ công vụ",
    "tai_chinh_cong": "Cải cách tài chính công",
    "chinh_quyen_so": "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
    "chi_dao_dieu_hanh": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "de_an_06": "Đề án 06",
    "khac": "Khác",
}
KINDS = {"mo_hinh": "Mô hình", "giai_phap": "Giải pháp", "sang_kien": "Sáng kiến"}
WORD = re.compile(r"[a-z0-9]+")


def words(*parts) -> str:
    return " ".join(WORD.findall(fold(" ".join(str(part) for part in parts if part))))


def upgrade():
    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_title', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_meta', sa.Text(), nullable=False, server_default=''))

    connection = op.get_bind()
    entry = sa.table('gallery_entry', sa.column('id', sa.Integer), sa.column('title', sa.String),
                     sa.column('area', sa.String), sa.column('kind', sa.String), sa.column('year', sa.Integer),
                     sa.column('unit_name', sa.String), sa.column('commendation', sa.String),
                     sa.column('search_text', sa.Text), sa.column('search_title', sa.Text),
                     sa.column('search_meta', sa.Text))
    rows = connection.execute(sa.select(entry.c.id, entry.c.title, entry.c.area, entry.c.kind, entry.c.year,
                                        entry.c.unit_name, entry.c.commendation, entry.c.search_text)).all()
    values = []
    for row in rows:
        field = "Cải cách hành chính CCHC" if row.area in AREAS and row.area != "khac" else ""
        meta = words(AREAS.get(row.area or "", ""), field, KINDS.get(row.kind or "", ""), row.year or "",
                     row.unit_name, row.commendation)
        values.append({'row_id': row.id, 'title_words': words(row.title), 'meta_words': meta,
                       'all_words': " ".join(part for part in (row.search_text or "", meta) if part)})
    for start in range(0, len(values), 1000):
        connection.execute(
            entry.update().where(entry.c.id == sa.bindparam('row_id')).values(
                search_title=sa.bindparam('title_words'), search_meta=sa.bindparam('meta_words'),
                search_text=sa.bindparam('all_words')),
            values[start:start + 1000],
        )

    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.alter_column('search_title', server_default=None)
        batch_op.alter_column('search_meta', server_default=None)


def downgrade():
    # search_text keeps the words added above: they only make a search find more.
    with op.batch_alter_table('gallery_entry', schema=None) as batch_op:
        batch_op.drop_column('search_meta')
        batch_op.drop_column('search_title')

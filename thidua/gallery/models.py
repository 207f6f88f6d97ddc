"""What the gallery publishes, which evidence files are public, and which units adopted each model."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db
from thidua.timeutil import utcnow

# The PostgreSQL search index. Full-text search on the folded column with the 'simple'
# configuration needs no extension (pg_trgm may not be installable without a superuser),
# and 'simple' neither stems nor drops stop words, which is right for Vietnamese syllables.
# The queries must spell the expression exactly like this for the planner to use the index.
SEARCH_VECTOR_SQL = "to_tsvector('simple', search_text)"


class GalleryEntry(db.Model):
    """The publication of one initiative: its public text and the fields the list filters on.

    One row per initiative, kept when the initiative is unpublished (is_public false) so
    that its adoptions and the secretariat's text survive a later re-publication. The
    filter fields are copied from the initiative, its unit, campaign and award when it is
    published, so that the public list is one indexed query on this table alone.
    """

    __tablename__ = "gallery_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), unique=True)
    is_public: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.String(500))
    slug: Mapped[str] = mapped_column(sa.String(100), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, rendered through thidua.markup
    summary_html: Mapped[str] = mapped_column(sa.Text, default="")  # the summary rendered and sanitised on save
    excerpt: Mapped[str] = mapped_column(sa.String(400), default="")  # the summary's first words, plain text
    # Folded (no diacritics, đ as d, lower case, words only, single spaces), for search and its ranking:
    # everything searched (title, summary, results, indicator names and the fields of search_meta) ...
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # ... the title alone (matches there rank first) ...
    search_title: Mapped[str] = mapped_column(sa.Text, default="")
    # ... and what describes the model: its area's and kind's names, year, unit, form of commendation.
    search_meta: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default="")
    area: Mapped[str] = mapped_column(sa.String(30), default="")
    year: Mapped[int | None]
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    unit_name: Mapped[str] = mapped_column(sa.String(255), default="")
    unit_type: Mapped[str] = mapped_column(sa.String(40), default="")
    commendation: Mapped[str] = mapped_column(sa.String(255), default="")  # the form of commendation awarded
    adoption_count: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative = relationship("Initiative", lazy="raise")
    unit = relationship("Unit", lazy="raise")
    public_files: Mapped[list[GalleryFile]] = relationship(back_populates="entry", cascade="all, delete-orphan",
                                                           lazy="raise")

    __table_args__ = (
        sa.Index("ix_gallery_entry_public_published", "is_public", "published_at"),
        sa.Index("ix_gallery_entry_public_adoptions", "is_public", "adoption_count"),
        sa.Index("ix_gallery_entry_public_area", "is_public", "area"),
        sa.Index("ix_gallery_entry_public_year", "is_public", "year"),
        sa.Index("ix_gallery_entry_unit", "unit_id"),
        sa.Index("ix_gallery_entry_search", sa.text(SEARCH_VECTOR_SQL), postgresql_using="gin")
        .ddl_if(dialect="postgresql"),
    )


class GalleryFile(db.Model):
    """An evidence file the secretariat made public with the model; every other file stays private."""

    __tablename__ = "gallery_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("gallery_entry.id", ondelete="CASCADE"))
    evidence_file_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence_file.id", ondelete="CASCADE"), index=True)

    entry: Mapped[GalleryEntry] = relationship(back_populates="public_files", lazy="raise")
    evidence = relationship("EvidenceFile", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("entry_id", "evidence_file_id", name="uq_gallery_file"),)


class Adoption(db.Model):
    """A unit's statement that it applied a published model (nhân rộng): when, how, optionally a file."""

    __tablename__ = "adoption"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("gallery_entry.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    adopted_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The optional file, stored like evidence (generated key, type checked by content).
    file_name: Mapped[str | None] = mapped_column(sa.String(255))
    file_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    file_type: Mapped[str | None] = mapped_column(sa.String(120))
    file_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[GalleryEntry] = relationship(lazy="raise")
    unit = relationship("Unit", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("entry_id", "unit_id", name="uq_adoption_entry_unit"),)


class GalleryStamp(db.Model):
    """One row: the gallery's version, changed in the same transaction as anything the public pages show.

    `token` names the published state (a random value, so a number reused after a rollback can never
    name another state's cached pages); `changed_at` is when it last changed. The public pages use the
    two as their ETag and Last-Modified and as the key of the shared page cache (thidua.gallery.cache).
    """

    __tablename__ = "gallery_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    token: Mapped[str] = mapped_column(sa.String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


# Tables made by create_all (tests, benches) start with their row, as the migration's do.
sa.event.listen(GalleryStamp.__table__, "after_create", sa.DDL(
    "INSERT INTO gallery_stamp (id, token, changed_at) VALUES (1, 'initial', CURRENT_TIMESTAMP)"))

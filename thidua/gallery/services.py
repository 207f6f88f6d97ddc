"""The gallery's operations: publish and unpublish, search the public list, record adoptions.

Search. Every entry keeps three folded columns (`thidua.text.fold`: no diacritics, đ as d, lower case,
reduced to words): `search_text`, everything searched (title, public summary, results, indicator
names, and the fields below); `search_title`; and `search_meta`, what describes the model (its
area's and kind's names, year, unit, form of commendation). So "cai cach" and "cải cách" are the
same query on any database. A model is found when it contains the query's words, the last one as
a prefix (people type the start of a word): all of one or two words, all but one of three to five,
all but two of six to eight (a Vietnamese word is often two syllables, and a long query still finds
the model that lacks one of them). The list is ranked:
1. the number of the query's words it contains;
2. the whole query as a phrase, in the title or anywhere;
3. where each word is: the title (3), the area, kind, year or unit (2), the rest of the text (1);
4. the newest first.
Matching and ranking are LIKE patterns on the folded columns, the same on SQLite and PostgreSQL
(a few thousand entries at most). PostgreSQL first narrows the rows with full-text search on
`search_text` ('simple' configuration) through the GIN expression index `ix_gallery_entry_search`
(see models.SEARCH_VECTOR_SQL): chosen over pg_trgm because it needs no extension (CREATE
EXTENSION wants a superuser on most hosts) and it matches whole words and word prefixes, exactly
what the LIKE patterns match.
"""
from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from thidua import audit, workflow
from thidua.auth.roles import Role
from thidua.awards.models import AwardDecision, AwardEntry, AwardList, decided_initiatives
from thidua.campaigns.models import Campaign
from thidua.errors import WorkflowError
from thidua.extensions import db, in_vietnamese_order
from thidua.gallery.models import SEARCH_VECTOR_SQL, Adoption, GalleryEntry, GalleryFile
from thidua.markup import html_to_lines, html_to_text, markdown_to_html
from thidua.registration.models import AREA_LABELS, KIND_LABELS, Initiative
from thidua.results.models import EvidenceFile, ResultReport
from thidua.results.uploads import RefusedFile, detect, display_name
from thidua.review.models import CommendationLevel
from thidua.storage import TooLarge, get_storage
from thidua.text import fold, slugify
from thidua.timeutil import local_today, utcnow
from thidua.units.models import Unit
from thidua.workflow import State

PAGE_SIZE = 20
MAX_QUERY_WORDS = 8
# The first is the default: the best matches of a query first, and without a query the newest first.
SORTS = {"phu-hop": "Phù hợp nhất", "moi-nhat": "Mới công bố", "nhan-rong": "Nhân rộng nhiều nhất"}
DEFAULT_SORT = "phu-hop"
PUBLISHABLE = frozenset({State.SHORTLISTED, State.AWARDED, State.PUBLISHED})
_WORD = re.compile(r"[a-z0-9]+")


class GalleryError(Exception):
    """A refused gallery operation, with the reason in Vietnamese."""


class AdoptionError(GalleryError):
    pass


# --- text ---------------------------------------------------------------------------------

def words_of(text: str) -> list[str]:
    return _WORD.findall(fold(text or ""))


def search_document(*parts: str) -> str:
    return " ".join(words_of(" ".join(str(part) for part in parts if part)))


# Every area of the list is a part of administrative reform: a search for "cải cách" or "CCHC" finds
# the models of all of them, "Xây dựng … chính quyền số" included (its name does not say it).
REFORM_FIELD = "Cải cách hành chính CCHC"


def meta_document(*, area: str, kind: str, year: int | None, unit_name: str, commendation: str = "") -> str:
    """The folded words that describe a model (its search_meta): names of its area and kind, year, unit."""
    field = REFORM_FIELD if area in AREA_LABELS and area != "khac" else ""
    return search_document(AREA_LABELS.get(area, ""), field, KIND_LABELS.get(kind, ""), year or "", unit_name,
                           commendation)


def excerpt_of(text: str, limit: int = 300) -> str:
    """The first words of plain text (the summary's lines, see markup.html_to_lines), cut between words."""
    if len(text) <= limit:
        return text
    return re.split(r"\s+(?=\S*$)", text[:limit])[0].rstrip(" \n.,;:") + "…"


# --- award ----------------------------------------------------------------------------------

def award_of(initiative_id: int) -> tuple[AwardEntry, AwardList, CommendationLevel | None,
                                          AwardDecision | None] | None:
    """The initiative's line on its campaign's award list, with the list, the level and that level's decision
    (the one that cites it; none while it is proposed): one query."""
    row = db.session.execute(
        sa.select(AwardEntry, AwardList, CommendationLevel, AwardDecision)
        .join(AwardList, AwardList.id == AwardEntry.award_list_id)
        .outerjoin(CommendationLevel, CommendationLevel.id == AwardEntry.level_id)
        .outerjoin(AwardDecision, sa.and_(AwardDecision.award_list_id == AwardEntry.award_list_id,
                                          AwardDecision.level_id == AwardEntry.level_id))
        .where(AwardEntry.initiative_id == initiative_id)
    ).first()
    return tuple(row) if row is not None else None


def award_decided(initiative) -> bool:
    """A decision is recorded for the form of commendation of the initiative's line on the award list."""
    return bool(db.session.scalar(sa.select(sa.exists(decided_initiatives().where(
        AwardEntry.initiative_id == initiative.id)))))


def check_award_decided(initiative) -> None:
    if not award_decided(initiative):
        raise WorkflowError("Sáng kiến chưa có trong quyết định khen thưởng; khi gỡ khỏi thư viện, sáng kiến trở lại "
                            "trạng thái “Được đề xuất khen thưởng”.")


def check_award_not_decided(initiative) -> None:
    if award_decided(initiative):
        raise WorkflowError("Sáng kiến đã có quyết định khen thưởng; khi gỡ khỏi thư viện, sáng kiến trở lại "
                            "trạng thái “Được khen thưởng”.")


# --- publishing -------------------------------------------------------------------------------

def entry_for(initiative_id: int) -> GalleryEntry | None:
    return db.session.scalar(sa.select(GalleryEntry).where(GalleryEntry.initiative_id == initiative_id))


def default_summary(initiative: Initiative) -> str:
    """A first draft of the public text: the objectives and what the report says was achieved."""
    report = db.session.scalar(sa.select(ResultReport).where(ResultReport.initiative_id == initiative.id))
    parts = [initiative.objectives, report.achievements if report is not None else ""]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _new_entry(initiative: Initiative) -> GalleryEntry:
    entry = GalleryEntry(initiative_id=initiative.id, unit_id=initiative.unit_id, title=initiative.title,
                         summary=default_summary(initiative), updated_at=utcnow())
    db.session.add(entry)
    return entry


def refresh_entry(entry: GalleryEntry, initiative: Initiative) -> None:
    """Copy into the entry what the list filters and searches on (a few queries; a write, not a read path)."""
    unit = db.session.get(Unit, initiative.unit_id)
    campaign = db.session.get(Campaign, initiative.campaign_id)
    report = db.session.scalar(sa.select(ResultReport).options(selectinload(ResultReport.indicators))
                               .where(ResultReport.initiative_id == initiative.id))
    award = award_of(initiative.id)
    entry.title = (entry.title or initiative.title).strip()
    entry.slug = slugify(entry.title) or "mo-hinh"
    # The summary is rendered here, when it is saved, and never on a public request.
    entry.summary_html = markdown_to_html(entry.summary)
    summary_text = html_to_text(entry.summary_html)
    entry.excerpt = excerpt_of(html_to_lines(entry.summary_html))  # list items on lines of their own
    entry.kind = initiative.kind
    entry.area = initiative.area
    entry.year = campaign.year
    entry.unit_id = unit.id
    entry.unit_name = unit.name
    entry.unit_type = unit.unit_type
    entry.commendation = award[2].name if award is not None and award[2] is not None else ""
    results = []
    if report is not None:
        results = [report.achievements, report.effect_citizens, report.effect_unit]
        results += [indicator.name for indicator in report.indicators]
    entry.search_title = search_document(entry.title)
    entry.search_meta = meta_document(area=entry.area, kind=entry.kind, year=entry.year, unit_name=unit.name,
                                      commendation=entry.commendation)
    entry.search_text = search_document(entry.title, summary_text, *results, entry.search_meta)


def show_entry(initiative: Initiative, moment: datetime) -> None:
    entry = entry_for(initiative.id) or _new_entry(initiative)
    refresh_entry(entry, initiative)
    entry.is_public = True
    entry.published_at = moment
    entry.updated_at = moment


def hide_entry(initiative: Initiative, moment: datetime) -> None:
    entry = entry_for(initiative.id)
    if entry is not None:
        entry.is_public = False
        entry.updated_at = moment


def publish_initiative(initiative: Initiative, *, actor, title: str, summary: str, public_file_ids: list[int],
                       now: datetime | None = None) -> GalleryEntry:
    """Save the public title, summary and files, and publish the initiative if it is not yet.

    Side effects: the transition to "published" (audited by the workflow) when it was not
    published; a "gallery.saved" audit row naming the public files in every case.
    """
    if actor.role != Role.SECRETARIAT:
        raise GalleryError("Chỉ Bộ phận Thường trực CCHC được công bố lên thư viện.")
    state = State(initiative.status)
    if state not in PUBLISHABLE:
        raise GalleryError("Chỉ công bố được sáng kiến đã được đề xuất khen thưởng hoặc đã được khen thưởng.")
    moment = now or utcnow()
    entry = entry_for(initiative.id) or _new_entry(initiative)
    entry.title = title.strip()
    entry.summary = summary.strip()
    evidence = {f.id: f for f in db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.initiative_id == initiative.id))}
    chosen = {file_id for file_id in public_file_ids if file_id in evidence}
    current = {row.evidence_file_id: row for row in db.session.scalars(
        sa.select(GalleryFile).where(GalleryFile.entry_id == entry.id))} if entry.id else {}
    for file_id, row in current.items():
        if file_id not in chosen:
            db.session.delete(row)
    db.session.flush()
    for file_id in sorted(chosen - set(current)):
        db.session.add(GalleryFile(entry_id=entry.id, evidence_file_id=file_id))
    if state is State.PUBLISHED:
        refresh_entry(entry, initiative)
        entry.updated_at = moment
    else:
        workflow.transition(initiative, State.PUBLISHED, actor=actor, now=moment)
    entry.published_by_id = actor.id
    db.session.flush()
    audit.record("gallery.saved", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id, at=moment,
                 details={"title": entry.title, "public_files": [evidence[i].original_name for i in sorted(chosen)]})
    return entry


def unpublish_initiative(initiative: Initiative, *, actor, reason: str = "", now: datetime | None = None) -> State:
    """Take the model off the gallery: back to "awarded" if the award decision names it, else "shortlisted"."""
    if State(initiative.status) is not State.PUBLISHED:
        raise GalleryError("Sáng kiến này không có trên thư viện.")
    target = State.AWARDED if award_decided(initiative) else State.SHORTLISTED
    workflow.transition(initiative, target, actor=actor, reason=reason, now=now)
    return target


# --- the public list ----------------------------------------------------------------------------

@dataclass
class Filters:
    q: str = ""
    area: str = ""
    year: int | None = None
    unit_type: str = ""
    level: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_args(cls, args) -> Filters:
        year = args.get("year", "")
        sort = args.get("sort", "")
        return cls(
            q=(args.get("q") or "").strip()[:200],
            area=args.get("area", "") if args.get("area", "") in AREA_LABELS else "",
            year=int(year) if year.isdigit() and len(year) == 4 else None,
            unit_type=(args.get("unit_type") or "")[:40],
            level=(args.get("level") or "")[:255],
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def as_args(self) -> dict:
        """The non-empty filters, for links (pagination, feed, JSON)."""
        values = {"q": self.q, "area": self.area, "year": self.year, "unit_type": self.unit_type,
                  "level": self.level, "sort": self.sort if self.sort != DEFAULT_SORT else ""}
        return {key: value for key, value in values.items() if value}


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool  # the last word of the query: any word starting with it

    def pattern(self) -> str:
        return f"% {self.word}%" if self.prefix else f"% {self.word} %"


def query_terms(query: str) -> list[Term]:
    """The typed query's words, folded, each once; the last one is a prefix."""
    words = words_of(query)
    terms: dict[str, Term] = {}
    for position, word in enumerate(words):
        last = position == len(words) - 1
        if word not in terms or last:
            terms[word] = Term(word, last)
    return list(terms.values())[:MAX_QUERY_WORDS]


def _padded(column):
    return sa.literal(" ") + column + sa.literal(" ")


def _contains(column, term: Term):
    return _padded(column).like(term.pattern())


def _total(expressions):
    return functools.reduce(operator.add, expressions)


def words_needed(count: int) -> int:
    """How many of a query's `count` words a model must contain: 1→1, 2→2, 3→2, 4→3, 5→4, 6→4, 8→6."""
    return max(1, count - count // 3)


def _matched(terms: list[Term]):
    """The number of the terms that the entry contains."""
    return _total(sa.case((_contains(GalleryEntry.search_text, term), 1), else_=0) for term in terms)


def search_condition(query: str):
    """The WHERE clause for a typed query (None when it has no words)."""
    terms = query_terms(query)
    if not terms:
        return None
    needed = words_needed(len(terms))
    condition = _matched(terms) >= needed
    if _is_postgres():
        joiner = " & " if needed == len(terms) else " | "
        tsquery = joiner.join(term.word + (":*" if term.prefix else "") for term in terms)
        vector = sa.literal_column(SEARCH_VECTOR_SQL)  # spelled as the index is, so the index serves it
        condition = sa.and_(vector.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery)), condition)
    return condition


def search_rank(query: str) -> list:
    """ORDER BY terms putting the best matches of the query first (see the module's docstring)."""
    terms = query_terms(query)
    if not terms:
        return []
    matched = _matched(terms)
    where = _total(sa.case((_contains(GalleryEntry.search_title, term), 3),
                           (_contains(GalleryEntry.search_meta, term), 2),
                           (_contains(GalleryEntry.search_text, term), 1), else_=0) for term in terms)
    order = [matched.desc()]
    words = words_of(query)
    if len(words) > 1:
        phrase = Term(" ".join(words), prefix=True)
        order.append(sa.case((_contains(GalleryEntry.search_title, phrase), 2),
                             (_contains(GalleryEntry.search_text, phrase), 1), else_=0).desc())
    return order + [where.desc()]


def public_entries(filters: Filters):
    """The statement of the public list: one table, indexed filters, stable order."""
    stmt = sa.select(GalleryEntry).where(GalleryEntry.is_public == sa.true())
    condition = search_condition(filters.q)
    if condition is not None:
        stmt = stmt.where(condition)
    if filters.area:
        stmt = stmt.where(GalleryEntry.area == filters.area)
    if filters.year:
        stmt = stmt.where(GalleryEntry.year == filters.year)
    if filters.unit_type:
        stmt = stmt.where(GalleryEntry.unit_type == filters.unit_type)
    if filters.level:
        stmt = stmt.where(GalleryEntry.commendation == filters.level)
    newest = [GalleryEntry.published_at.desc(), GalleryEntry.id.desc()]
    if filters.sort == "nhan-rong":
        return stmt.order_by(GalleryEntry.adoption_count.desc(), *newest)
    if filters.sort == "moi-nhat":
        return stmt.order_by(*newest)
    return stmt.order_by(*search_rank(filters.q), *newest)


def filter_choices() -> dict:
    """The years, unit types and commendations to offer: one query on the small tables (campaigns, units'
    types, levels), never a scan of the published entries."""
    rows = db.session.execute(sa.union(
        sa.select(sa.literal("year").label("kind"), sa.cast(Campaign.year, sa.String).label("value"))
        .group_by(Campaign.year),
        sa.select(sa.literal("unit_type"), Unit.unit_type).group_by(Unit.unit_type),
        sa.select(sa.literal("level"), CommendationLevel.name).group_by(CommendationLevel.name),
    )).all()
    values: dict[str, set] = {"year": set(), "unit_type": set(), "level": set()}
    for kind, value in rows:
        if value:
            values[kind].add(value)
    return {
        "years": sorted((int(v) for v in values["year"]), reverse=True),
        "unit_types": sorted(values["unit_type"]),
        "levels": sorted(values["level"]),
    }


def public_entry_or_none(entry_id: int) -> GalleryEntry | None:
    return db.session.scalar(sa.select(GalleryEntry).where(GalleryEntry.id == entry_id,
                                                           GalleryEntry.is_public == sa.true()))


@dataclass
class Detail:
    entry: GalleryEntry
    initiative: Initiative
    report: ResultReport | None
    files: list[EvidenceFile]
    adoptions: list[Adoption]
    award: tuple | None


def load_detail(entry: GalleryEntry) -> Detail:
    """Everything the public page shows, in a fixed number of queries."""
    initiative = db.session.scalar(sa.select(Initiative).options(joinedload(Initiative.unit),
                                                                 joinedload(Initiative.campaign))
                                   .where(Initiative.id == entry.initiative_id))
    report = db.session.scalar(sa.select(ResultReport).options(selectinload(ResultReport.indicators))
                               .where(ResultReport.initiative_id == initiative.id))
    files = list(db.session.scalars(
        sa.select(EvidenceFile).join(GalleryFile, GalleryFile.evidence_file_id == EvidenceFile.id)
        .where(GalleryFile.entry_id == entry.id, EvidenceFile.initiative_id == initiative.id)
        .order_by(EvidenceFile.id)))
    adoptions = list(db.session.scalars(
        sa.select(Adoption).options(joinedload(Adoption.unit)).where(Adoption.entry_id == entry.id)
        .order_by(Adoption.adopted_on.desc(), Adoption.id.desc())))
    return Detail(entry, initiative, report, files, adoptions, award_of(initiative.id))


def public_file_ids(entry: GalleryEntry) -> list[int]:
    return list(db.session.scalars(sa.select(GalleryFile.evidence_file_id).where(GalleryFile.entry_id == entry.id)
                                   .order_by(GalleryFile.evidence_file_id)))


def public_file(entry: GalleryEntry, file_id: int) -> EvidenceFile | None:
    """The evidence file if, and only if, the secretariat made it public with this published entry."""
    return db.session.scalar(
        sa.select(EvidenceFile).join(GalleryFile, GalleryFile.evidence_file_id == EvidenceFile.id)
        .where(GalleryFile.entry_id == entry.id, EvidenceFile.id == file_id,
               EvidenceFile.initiative_id == entry.initiative_id)
    )


def statistics() -> dict:
    """Published models by area and year, and the most replicated: three grouped queries."""
    public = GalleryEntry.is_public == sa.true()
    by_area = db.session.execute(sa.select(GalleryEntry.area, sa.func.count()).where(public)
                                 .group_by(GalleryEntry.area)).all()
    by_year = db.session.execute(
        sa.select(GalleryEntry.year, GalleryEntry.area, sa.func.count(), sa.func.sum(GalleryEntry.adoption_count))
        .where(public).group_by(GalleryEntry.year, GalleryEntry.area)).all()
    top = list(db.session.scalars(sa.select(GalleryEntry).where(public, GalleryEntry.adoption_count > 0)
                                  .order_by(GalleryEntry.adoption_count.desc(), GalleryEntry.published_at.desc())
                                  .limit(10)))
    areas = sorted(((area, count) for area, count in by_area), key=lambda pair: (-pair[1], pair[0]))
    years: dict[int, dict] = {}
    for year, area, count, adopted in by_year:
        row = years.setdefault(year, {"total": 0, "adoptions": 0, "areas": {}})
        row["total"] += count
        row["adoptions"] += adopted or 0
        row["areas"][area] = count
    return {"areas": areas, "years": dict(sorted(years.items(), reverse=True)), "top": top,
            "total": sum(count for _, count in areas)}


# --- adoption ---------------------------------------------------------------------------------

DUPLICATE = "Đơn vị của bạn đã ghi nhận áp dụng mô hình này{when}. Mỗi đơn vị chỉ ghi nhận một lần cho một mô hình."


def adoption_of(entry_id: int, unit_id: int) -> Adoption | None:
    return db.session.scalar(sa.select(Adoption).where(Adoption.entry_id == entry_id, Adoption.unit_id == unit_id))


def record_adoption(entry: GalleryEntry, *, actor, adopted_on: date, note: str,
                    stream: BinaryIO | None = None, filename: str | None = None,
                    now: datetime | None = None) -> Adoption:
    """Record that the actor's unit applied the model; refused (AdoptionError) when it already did.

    The unique (entry, unit) constraint settles two simultaneous submissions: the second
    one's flush fails and is refused with the same message (the caller rolls back).
    Side effects: the optional file is stored; the entry's adoption count is recomputed;
    a "gallery.adopted" audit row.
    """
    if not (actor.is_unit_member and actor.unit_id):
        raise AdoptionError("Chỉ tài khoản của đơn vị mới ghi nhận được việc áp dụng mô hình.")
    if not entry.is_public:
        raise AdoptionError("Mô hình này hiện không được công bố trên thư viện.")
    if entry.unit_id == actor.unit_id:
        raise AdoptionError("Đây là mô hình của chính đơn vị bạn; chỉ đơn vị khác mới ghi nhận nhân rộng.")
    if adopted_on > local_today(now=now):
        raise AdoptionError("Ngày bắt đầu áp dụng không được sau ngày hôm nay.")
    existing = adoption_of(entry.id, actor.unit_id)
    if existing is not None:
        raise AdoptionError(DUPLICATE.format(when=f" (ngày {existing.adopted_on:%d/%m/%Y})"))
    moment = now or utcnow()
    adoption = Adoption(entry_id=entry.id, unit_id=actor.unit_id, adopted_on=adopted_on, note=note.strip(),
                        created_by_id=actor.id, created_at=moment)
    if stream is not None:
        kind = detect(stream)
        limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
        try:
            stored = get_storage().save(stream, max_size=limit)
        except TooLarge as error:
            raise RefusedFile(f"Tệp lớn hơn {current_app.config['MAX_UPLOAD_MB']} MB.") from error
        adoption.file_name = display_name(filename, kind)
        adoption.file_key = stored.key
        adoption.file_type = kind.content_type
        adoption.file_size = stored.size
        adoption.file_sha256 = stored.sha256
    db.session.add(adoption)
    try:
        db.session.flush()
    except IntegrityError as error:
        if adoption.file_key:
            get_storage().delete(adoption.file_key)
        raise AdoptionError(DUPLICATE.format(when="")) from error
    entry.adoption_count = (sa.select(sa.func.count(Adoption.id)).where(Adoption.entry_id == entry.id)
                            .scalar_subquery())
    audit.record("gallery.adopted", actor=actor, object_type="initiative", object_id=entry.initiative_id,
                 unit_id=actor.unit_id, at=moment,
                 details={"entry": entry.id, "adopted_on": adopted_on.isoformat(), "file": adoption.file_name})
    db.session.flush()
    return adoption


def replication_rows(*, order: str = "model", units=sa.true()) -> list[Adoption]:
    """Every adoption by the units `units` (a condition on Unit: an organiser's subtree) with its model and
    its adopting unit, ordered by model or by unit: one query."""
    stmt = (sa.select(Adoption).join(GalleryEntry, GalleryEntry.id == Adoption.entry_id)
            .join(Unit, Unit.id == Adoption.unit_id).where(units)
            .options(joinedload(Adoption.entry), joinedload(Adoption.unit)))
    if order == "unit":
        stmt = stmt.order_by(in_vietnamese_order(Unit.name), Unit.id, Adoption.adopted_on, Adoption.id)
    else:
        stmt = stmt.order_by(GalleryEntry.adoption_count.desc(), GalleryEntry.title, GalleryEntry.id,
                             Adoption.adopted_on, Adoption.id)
    return list(db.session.scalars(stmt))


def group_by(rows: list[Adoption], key) -> list[tuple[object, list[Adoption]]]:
    groups: dict[int, tuple[object, list[Adoption]]] = {}
    for row in rows:
        head = key(row)
        groups.setdefault(head.id, (head, []))[1].append(row)
    return list(groups.values())

"""Time, in one place.

Moments are stored as naive UTC datetimes. Deadlines are calendar dates in the
campaign's time zone: a deadline of 25/08 accepts everything up to 23:59:59.999999
on 25/08 in Asia/Ho_Chi_Minh and nothing from 00:00 on 26/08.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current moment as naive UTC (or the moment a test froze the clock at)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None)


def freeze(moment: datetime | None) -> datetime | None:
    """Stop the clock at `moment` (naive UTC), or restart it with None. For tests and the demo.

    Returns the moment it was stopped at before (None if it was running), so a caller can give it back.
    """
    global _frozen
    previous, _frozen = _frozen, moment
    return previous


def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TZ)


def to_local(moment: datetime, tz: str | None = None) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(zone(tz))


def local_today(tz: str | None = None, *, now: datetime | None = None) -> date:
    return to_local(now or utcnow(), tz).date()


def start_of_day_utc(day: date, tz: str | None = None) -> datetime:
    """The UTC moment at which `day` begins in the given zone."""
    local = datetime.combine(day, time.min, tzinfo=zone(tz))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def end_of_day_utc(day: date, tz: str | None = None) -> datetime:
    """The first UTC moment no longer on `day` in the given zone (exclusive bound)."""
    return start_of_day_utc(day + timedelta(days=1), tz)


def days_left(deadline: date, tz: str | None = None, *, now: datetime | None = None) -> int:
    """Whole calendar days from today to the deadline: 0 on the day itself, negative after."""
    return (deadline - local_today(tz, now=now)).days


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_moment(value: datetime | None, tz: str | None = None) -> str:
    return to_local(value, tz).strftime("%d/%m/%Y %H:%M") if value else ""

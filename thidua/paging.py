"""One page of a list already in memory, with the attributes the `pager` macro reads (like Flask-SQLAlchemy's)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from werkzeug.routing import IntegerConverter

# The largest id and page number anything reads: PostgreSQL's integer. A larger number in a URL or
# a query string is no record (404) and no page (the first), never an overflow in the database.
MAX_ID = 2**31 - 1


def bounded_int(text: str) -> int:
    """`type=` for request.args.get: a whole number from 0 to MAX_ID, else ValueError (the default is used)."""
    value = int(text)
    if not 0 <= value <= MAX_ID:
        raise ValueError(text)
    return value


def record_id(value) -> int | None:
    """An id sent by a form (a hidden field, a select): a whole number from 1 to MAX_ID, else None."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and not (text.isascii() and text.isdigit()):
        return None
    try:
        number = int(text)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


class BoundedIntConverter(IntegerConverter):
    """<int:...> in routes, limited to what the database's ids can hold: a larger one is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number() -> int:
    """The `page` of the query string, 1 when missing, malformed or out of range."""
    from flask import request

    return request.args.get("page", 1, type=bounded_int) or 1


@dataclass
class ListPage:
    all_items: Sequence
    page: int
    per_page: int

    @classmethod
    def of(cls, items: Sequence, page: int | None, per_page: int) -> ListPage:
        pages = max(1, ceil(len(items) / per_page))
        return cls(items, min(max(1, page or 1), pages), per_page)

    @property
    def total(self) -> int:
        return len(self.all_items)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def items(self) -> Sequence:
        start = (self.page - 1) * self.per_page
        return self.all_items[start:start + self.per_page]

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item."""
        return (self.page - 1) * self.per_page + 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class QueryPage:
    """One page of a list the database pages (LIMIT/OFFSET), with the same attributes as ListPage."""

    total: int
    page: int
    per_page: int
    items: Sequence = ()

    @classmethod
    def of(cls, total: int, page: int | None, per_page: int) -> QueryPage:
        pages = max(1, ceil(total / per_page))
        return cls(total, min(max(1, page or 1), pages), per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    pages = ListPage.pages
    first = ListPage.first
    has_prev = ListPage.has_prev
    has_next = ListPage.has_next
    prev_num = ListPage.prev_num
    next_num = ListPage.next_num

"""One page of a SQL query's rows, and what a list page needs to say where it is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PER_PAGE = 50

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.total)

    def with_items(self, items: Sequence[U]) -> Page[U]:
        """The same page holding ``items`` instead (its rows made ready to show)."""
        return Page(items, self.number, self.pages, self.total, self.per_page)


def paginate(session: Session, query: Select, page: int, per_page: int = PER_PAGE) -> Page[Any]:
    """One page of ``query``'s rows; a page number past the end shows the last page."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(page, 1), pages)
    rows = session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=rows, number=number, pages=pages, total=total, per_page=per_page)

"""The one paging helper every admin list uses."""

from sqlalchemy import select

from assessment.admin.pagination import Page, paginate
from assessment.places.models import Region


def test_a_page_says_where_it_is() -> None:
    middle = Page(items=["x"] * 10, number=2, pages=3, total=25, per_page=10)
    assert (middle.first, middle.last, middle.has_prev, middle.has_next) == (11, 20, True, True)
    last = Page(items=["x"] * 5, number=3, pages=3, total=25, per_page=10)
    assert (last.first, last.last, last.has_next) == (21, 25, False)
    empty = Page(items=[], number=1, pages=1, total=0, per_page=10)
    assert (empty.first, empty.last, empty.has_prev, empty.has_next) == (0, 0, False, False)


def test_with_items_keeps_the_position() -> None:
    page = Page(items=[1, 2], number=2, pages=2, total=4, per_page=2)
    shown = page.with_items(["one", "two"])
    assert shown == Page(items=["one", "two"], number=2, pages=2, total=4, per_page=2)


def test_paginate_counts_and_keeps_page_numbers_in_range(db_session, make) -> None:
    names = sorted(make.region(name=f"Paged {i:02d}").name for i in range(5))
    query = select(Region.name).where(Region.name.startswith("Paged ")).order_by(Region.name)

    second = paginate(db_session, query, 2, per_page=2)
    assert [row.name for row in second.items] == names[2:4]
    assert (second.number, second.pages, second.total) == (2, 3, 5)

    assert paginate(db_session, query, 99, per_page=2).number == 3
    assert [row.name for row in paginate(db_session, query, 0, per_page=2).items] == names[:2]
    nothing = paginate(db_session, query.where(Region.name == "none"), 4, per_page=2)
    assert (nothing.number, nothing.pages, nothing.total, list(nothing.items)) == (1, 1, 0, [])

"""The dashboard costs a fixed number of queries, however many cities the region has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role
from assessment.extensions import db


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for_dashboard(client, **params) -> int:
    with counting_queries() as statements:
        response = client.get("/dashboard", query_string=params)
    assert response.status_code == 200
    return len(statements)


def test_query_count_does_not_grow_with_the_number_of_cities(client, make, build, login, world) -> None:
    login(make.user(Role.REGIONAL, region=world.region))
    queries_for_dashboard(client)  # first request: warm caches (questionnaire parsing)
    few = queries_for_dashboard(client)

    country = world.cities["A1"].country
    for index in range(40):
        city = make.city(country=country, name=f"Extra {index:02d}")
        build.assessment(city, world.r2, AssessmentStatus.SUBMITTED, {"civic_tech": index}, index)
        build.assessment(city, world.r1, AssessmentStatus.SUBMITTED, {"civic_tech": index / 2}, index)
    many = queries_for_dashboard(client)
    assert "Extra 39" in client.get("/dashboard", query_string={"sort": "city", "dir": "desc"}).get_data(
        as_text=True)

    assert many == few, (few, many)
    # Sign-in session and user, regions, rounds, countries, peer groups, questionnaire, cities,
    # element statistics, the previous round's, the paired changes, the box plot's points, the
    # page's scores, versions, contacts, deadline extensions; for the page's follow-up column:
    # its assessments' last change, its officials' last sign-in, extensions and reminders.
    assert few <= 19, few
    # Filtered, no city on the page lacks an assessment: the officials need no lookup.
    assert queries_for_dashboard(client, sort="city", country=country.id, size="medium") <= few

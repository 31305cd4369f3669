"""The two comparisons: the regional median of the same round, and the city's previous round."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role
from assessment.extensions import db
from assessment.results.comparisons import regional_medians
from tests.results.conftest import shown

ELEMENTS = ["civic_tech", "tech_firms", "bottom_up", "geographies", "inclusion_privacy",
            "digital_rights"]


def scores(*values):
    return dict(zip(ELEMENTS, values, strict=True))


@pytest.fixture()
def region_with_three_cities(make, scored):
    """Three submitted cities with known scores, and assessments that must not count."""
    region = make.region(name="Test Region")
    round_ = make.round(name="2026")
    cities = [make.city(region=region, name=f"City {n}") for n in "ABC"]
    scored(cities[0], round_, scores(10, 20, 30, 40, 50, None), overall=30)
    scored(cities[1], round_, scores(50, 60, 35, 40, 10, 80), overall=45)
    scored(cities[2], round_, scores(90, 25, 70, 41, 90, 60), overall=62.5)
    # Not counted: a draft in the region, another round, another region.
    scored(make.city(region=region), round_, scores(0, 0, 0, 0, 0, 0), overall=0,
           status=AssessmentStatus.DRAFT)
    scored(make.city(region=region), make.round(name="2025"), scores(*[100] * 6), overall=100)
    scored(make.city(), round_, scores(*[100] * 6), overall=100)
    return region, round_, cities


def test_regional_median_of_three_cities_computed_by_hand(db_session, region_with_three_cities):
    region, round_, _ = region_with_three_cities

    medians = regional_medians(db_session, region.id, round_.id)

    assert medians.cities == 3
    # civic_tech 10/50/90 -> 50; tech_firms 20/60/25 -> 25; bottom_up 30/35/70 -> 35;
    # geographies 40/40/41 -> 40; inclusion 50/10/90 -> 50; digital_rights (None)/80/60 -> 70,
    # the insufficient element left out; overall 30/45/62.5 -> 45.
    assert medians.elements == scores(50, 25, 35, 40, 50, 70)
    assert medians.overall == 45


def test_report_shows_the_regional_median_in_table_and_chart(app, monkeypatch, make, login, report_page,
                                                             region_with_three_cities):
    region, round_, _cities = region_with_three_cities
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 3)
    draft = make.answer(make.assessment(city=make.city(region=region, name="Newcomer"),
                                        round=round_), 2.0)
    login(make.user(Role.REGIONAL, region=region))

    page = report_page(draft.id)

    expected = scores(50, 25, 35, 40, 50, 70)
    for element_id, median in expected.items():
        assert page.row(element_id)[4] == shown(median)
    trace = page.trace("Regional median")
    assert "Test Region" in trace["name"] and "3 other cities" in trace["name"]
    assert trace["r"][:6] == list(expected.values())
    assert "the 3 other cities of Test Region that submitted in this round" in page.text


def test_a_city_is_never_in_its_own_regional_median(db_session, region_with_three_cities):
    region, round_, cities = region_with_three_cities
    own = regional_medians(db_session, region.id, round_.id, excluding_city_id=cities[2].id, minimum=2)
    # Without City C (90, 25, 70, 41, 90, 60): civic 10/50 -> 30, tech 20/60 -> 40, bottom 30/35
    # -> 32.5, geographies 40/40 -> 40, inclusion 50/10 -> 30, rights 80 alone; overall 30/45 -> 37.5.
    assert (own.cities, own.shown) == (2, True)
    assert own.elements == scores(30, 40, 32.5, 40, 30, 80)
    assert own.overall == 37.5


@pytest.mark.parametrize("minimum, shown_median", [(3, True), (4, False)])
def test_the_median_needs_enough_other_cities(app, monkeypatch, make, login, report_page,
                                               region_with_three_cities, minimum, shown_median):
    region, round_, _cities = region_with_three_cities
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", minimum)
    draft = make.answer(make.assessment(city=make.city(region=region), round=round_), 2.0)
    login(make.user(Role.REGIONAL, region=region))

    page = report_page(draft.id)

    assert (page.row("civic_tech")[4] == shown(50)) is shown_median
    assert any("Regional median" in t["name"] for t in page.figure["data"]) is shown_median
    notice = "The regional median is shown once at least 4 other cities of Test Region have submitted"
    assert (notice in page.text) is not shown_median


def test_no_regional_median_before_anyone_submits(make, login, report_page):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert all(page.row(e)[4] == "—" for e in ELEMENTS)
    assert "have submitted in this round, so that no single city can be read out of it; 0 have so far" \
        in page.text
    assert not any("Regional median" in t["name"] for t in page.figure["data"])


def test_regional_median_is_one_query_however_many_cities(make, db_session, scored):
    """The cost must not grow with the region: one statement for 3 or 30 cities."""
    region = make.region()
    round_ = make.round()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        for size in (3, 30):
            for n in range(size - (3 if size == 30 else 0)):
                scored(make.city(region=region), round_, scores(*[n] * 6), overall=n)
            statements.clear()
            medians = regional_medians(db_session, region.id, round_.id)
            assert medians.cities == size
            assert len(statements) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_report_page_queries_do_not_grow_with_the_region(make, login, client, scored):
    region = make.region()
    round_ = make.round()
    city = make.city(region=region)
    assessment = make.answer(make.assessment(city=city, round=round_), 2.0)
    login(make.user(Role.OFFICIAL, city=city))
    url = f"/assessments/{assessment.id}/report"
    assert client.get(url).status_code == 200  # the first request of a sign-in does a little more
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    counts = []
    for extra in (2, 20):
        for n in range(extra - (2 if extra == 20 else 0)):
            scored(make.city(region=region), round_, scores(*[n] * 6), overall=n)
        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            statements.clear()
            assert client.get(url).status_code == 200
            counts.append(len(statements))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1], counts


@pytest.fixture()
def city_over_three_rounds(make, scored):
    city = make.city(name="Medellín")
    r2024 = make.round(name="2024", opens_on=date(2024, 3, 1))
    r2025 = make.round(name="2025", opens_on=date(2025, 3, 1))
    r2025b = make.round(name="2025 autumn", opens_on=date(2025, 9, 1))
    r2026 = make.round(name="2026", opens_on=date(2026, 3, 1))
    later = make.round(name="2027", opens_on=date(2027, 3, 1))
    scored(city, r2024, scores(*[10] * 6), overall=10)
    scored(city, r2025, scores(20.04, 30, None, 40, 50, 60), overall=40.01)
    # A later round the city left as a draft does not count, nor does a later round.
    scored(city, r2025b, scores(*[90] * 6), overall=90, status=AssessmentStatus.DRAFT)
    scored(city, later, scores(*[95] * 6), overall=95)
    return city, r2026


def test_change_since_the_previous_submitted_round(make, login, report_page, questionnaire,
                                                   city_over_three_rounds):
    city, r2026 = city_over_three_rounds
    current = make.answer(make.assessment(city=city, round=r2026), 2.5, seed=4)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(current.id)

    previous = scores(20.04, 30, None, 40, 50, 60)
    assert "Medellín 2025" in page.trace("Medellín 2025")["name"]
    assert page.trace("Medellín 2025").get("visible") == "legendonly"
    for element_id, before in previous.items():
        cells = page.row(element_id)
        now = cells[1]
        assert cells[5] == shown(before)
        if before is None or now == "Insufficient data":
            assert cells[6] == "—"
        else:
            change = round(float(now) - round(before, 1), 1)
            sign = "+" if change > 0 else ("−" if change < 0 else "")
            assert cells[6] == f"{sign}{abs(change):.1f}"
    # bottom_up had no score in 2025, so the two overall indexes cover different elements.
    assert "not comparable" in page.text


def test_overall_change_when_the_same_elements_are_scored(make, login, report_page, scored):
    city = make.city(name="Recife")
    r2025 = make.round(name="2025", opens_on=date(2025, 3, 1))
    r2026 = make.round(name="2026", opens_on=date(2026, 3, 1))
    scored(city, r2025, scores(*[30] * 6), overall=30.04)
    current = make.answer(make.assessment(city=city, round=r2026), 2.0, seed=9, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(current.id)

    change = round(round(current.overall_index, 1) - 30.0, 1)
    assert f"Change since 2025: {'+' if change > 0 else '−'}{abs(change):.1f}" in page.text


def test_no_previous_round(make, login, report_page):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert len(page.row("civic_tech")) == 6  # no previous round: no previous and change columns
    assert "no submitted assessment of this city in an earlier round" in page.text
    assert len(page.figure["data"]) == 2  # the city and the target: nothing to compare with

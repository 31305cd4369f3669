"""The groups' figures, computed by the database, against their definition worked out in Python
from the published cities alone; the page's cities read a page at a time."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sqlalchemy import select

from assessment.assessments.models import AssessmentStatus, ElementScore
from assessment.auth.models import Role
from assessment.opendata import page as open_page
from assessment.opendata.published import (
    COUNTRY,
    GROUP,
    GROUPINGS,
    OVERALL,
    REGION,
    SIZE,
    group_figures,
    round_elements,
)
from assessment.opendata.services import set_consent
from assessment.places.models import SizeClass
from assessment.places.peers import PeerGroup, set_members
from tests.opendata.conftest import ELEMENTS, store
from tests.results.conftest import text_of

POPULATIONS = (50_000, 200_000, 500_000, 2_000_000, 8_000_000)


@pytest.fixture()
def many(make, db_session):
    """40 cities in two regions, three countries, every size class and two overlapping peer
    groups, some scores missing; three in four published, the others each hidden in their own
    way, with the highest scores of their groups; the same cities in an earlier round."""
    rng = random.Random(20)
    north, south = make.region(name="North"), make.region(name="South")
    countries = [make.country(region=north, name="Avia"), make.country(region=north, name="Bria"),
                 make.country(region=south, name="Cera")]
    earlier, round_ = make.round(name="2025"), make.round(name="2026")
    coast, capitals = PeerGroup(name="Coast"), PeerGroup(name="capitals")
    db_session.add_all([coast, capitals])
    db_session.flush()
    published: list[dict] = []
    coast_ids, capital_ids = set(), set()
    for n in range(40):
        city = make.city(country=countries[n % 3], name=f"Town {n:02d}",
                         population=POPULATIONS[n % len(POPULATIONS)])
        hidden = n % 4 == 3
        score = rng.uniform(90, 100) if hidden else round(rng.uniform(0, 80), 1)
        status = AssessmentStatus.SUBMITTED
        if n % 16 in (3, 11):
            status = AssessmentStatus.DRAFT if n % 16 == 3 else AssessmentStatus.REOPENED
        assessment = store(db_session, city, round_, score, status)
        store(db_session, city, earlier, 99.9)
        scores = {}
        for element in assessment.element_scores:
            element.score = None if rng.random() < 0.15 else round(rng.uniform(0, 100), 1)
            scores[element.element_id] = element.score
        if n % 10 == 4:
            assessment.overall_index = None
        official = make.user(Role.OFFICIAL, city=city)
        set_consent(db_session, official, city, earlier.id, True)
        if not hidden or status != AssessmentStatus.SUBMITTED:
            set_consent(db_session, official, city, round_.id, True)
        elif n % 16 == 7:  # agreed, then withdrew; the others never agreed
            set_consent(db_session, official, city, round_.id, True)
            set_consent(db_session, official, city, round_.id, False)
        if n % 2:
            coast_ids.add(city.id)
        if n % 3 == 0:
            capital_ids.add(city.id)
        if not hidden:
            published.append({
                REGION: [city.country.region.name], COUNTRY: [city.country.name],
                SIZE: [city.size_class.value], GROUP: [g.name for g, ids in
                                                       ((coast, coast_ids), (capitals, capital_ids))
                                                       if city.id in ids],
                OVERALL: assessment.overall_index, **scores})
    set_members(db_session, coast, coast_ids)
    set_members(db_session, capitals, capital_ids)
    db_session.flush()
    return round_, published


def expected_figures(published: list[dict], minimum: int) -> dict:
    """The definition: per group of at least ``minimum`` published cities, per measure with at
    least ``minimum`` scores, count, mean, extremes and linearly interpolated quartiles."""
    found: dict = {}
    for grouping in GROUPINGS:
        members: dict[str, list[dict]] = {}
        for city in published:
            for key in city[grouping]:
                members.setdefault(key, []).append(city)
        for key, cities in members.items():
            if len(cities) < minimum:
                continue
            measures = {}
            for measure in (OVERALL, *ELEMENTS):
                values = np.asarray([c[measure] for c in cities if c[measure] is not None])
                if len(values) >= minimum:
                    measures[measure] = (len(values), values.mean(),
                                         *np.quantile(values, [0, 0.25, 0.5, 0.75, 1]))
            found[grouping, key] = (len(cities), measures)
    return found


@pytest.mark.parametrize("minimum", [1, 5, 9])
def test_the_figures_of_the_database_are_those_of_the_published_cities(db_session, many,
                                                                        minimum) -> None:
    round_, published = many
    elements = round_elements(db_session, round_)
    assert [e.id for e in elements] == ELEMENTS
    figures = group_figures(db_session, round_, elements, minimum)
    expected = expected_figures(published, minimum)

    got = {(g, f.key): f for g in GROUPINGS for f in figures[g]}
    assert set(got) == set(expected)
    for place, (cities, measures) in expected.items():
        group = got[place]
        assert group.cities == cities, place
        stats = {OVERALL: group.overall, **group.elements}
        assert {m for m, s in stats.items() if s is not None} == set(measures), place
        for measure, (count, *numbers) in measures.items():
            s = stats[measure]
            assert s is not None
            assert s.count == count, (place, measure)
            assert [s.mean, s.low, s.q1, s.median, s.q3, s.high] == pytest.approx(numbers), (
                place, measure)
    # Sizes in their order, the other groups by name whatever the case.
    assert [f.key for f in figures[GROUP]] == sorted((f.key for f in figures[GROUP]), key=str.casefold)
    sizes = [SizeClass(f.key) for f in figures[SIZE]]
    assert sizes == sorted(sizes, key=list(SizeClass).index)


def test_no_hidden_score_reaches_a_figure(db_session, many) -> None:
    round_, _published = many
    figures = group_figures(db_session, round_, round_elements(db_session, round_), 1)
    # Every hidden city scored 90 or more overall; no published one above 80.
    assert max(f.overall.high for fs in figures.values() for f in fs if f.overall) <= 80


def test_the_page_reads_its_cities_a_page_at_a_time(client, db_session, many, monkeypatch) -> None:
    round_, _published = many
    monkeypatch.setattr(open_page, "CITIES_PER_PAGE", 7)
    names = sorted(f"Town {n:02d}" for n in range(40) if n % 4 != 3)
    board = open_page.open_data_page(db_session, round_, minimum=5, page=2)
    assert (board.cities.total, board.cities.pages, board.cities.page) == (30, 5, 2)
    assert [c.city for c in board.cities.rows] == names[7:14]
    assert board.cities.rows[0].scores == {
        e.element_id: e.score for e in db_session.scalars(select(ElementScore).where(
            ElementScore.assessment_id == board.cities.rows[0].assessment_id))}
    last = open_page.open_data_page(db_session, round_, minimum=5, page=99)
    assert last.cities.page == 5 and [c.city for c in last.cities.rows] == names[28:]

    text = text_of(client.get("/open-data", query_string={"round": round_.id, "page": 5}).text)
    assert "29 to 30 of 30" in text
    assert all(f"Town {n:02d}" not in text for n in range(40) if n % 4 == 3)


"""Dashboard figures against values worked out by hand from the fixture in conftest.py."""

from __future__ import annotations

import random
from statistics import mean

import numpy as np
import pytest

from assessment.assessments.models import AssessmentStatus, ReviewedScore
from assessment.auth.models import Role
from assessment.dashboard import aggregates, services
from assessment.dashboard.choices import Selection, region_rounds, round_questionnaire
from assessment.places.models import City, Country, SizeClass


def dashboard_for(db_session, user, world, round_=None, **choices):
    rounds = region_rounds(db_session, world.region.id)
    option = next(r for r in rounds if r.id == (round_ or world.r2).id)
    selection = Selection(region=world.region, round=option,
                          previous=services.previous_round(rounds, option), **choices)
    return services.build_dashboard(db_session, user, selection, round_questionnaire(db_session, option))


@pytest.fixture()
def regional(make, world):
    return make.user(Role.REGIONAL, region=world.region)


def test_participation_counts_submitted_started_and_not_started(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world)
    p = board.participation
    assert (p.expected, p.submitted, p.started) == (5, 3, 1)  # B2 is a draft: started
    assert [row.name for row in p.not_started] == ["B3"]
    assert p.share(p.submitted) == pytest.approx(3 / 5)


def test_element_statistics_use_submitted_scores_only(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world)
    civic = next(e for e in board.elements if e.element.id == "civic_tech")
    # A1 40, A2 80, B1 60; B2's stale 0 is from a draft and must not count.
    assert civic.cities == 3
    assert civic.mean == pytest.approx(60)
    assert civic.median == pytest.approx(60)
    assert (civic.minimum, civic.maximum) == (40, 80)
    # Linear interpolation between ranks: 40 + 0.5 * (60 - 40) and 60 + 0.5 * (80 - 60).
    assert (civic.lower_quartile, civic.upper_quartile) == (pytest.approx(50), pytest.approx(70))
    assert civic.element.target == 75
    assert civic.gap == pytest.approx(-15)
    assert sorted(civic.values) == [40, 60, 80]
    assert sorted(civic.labels) == ["A1", "A2", "B1"]


def test_insufficient_data_is_left_out_not_counted_as_zero(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world)
    firms = next(e for e in board.elements if e.element.id == "tech_firms")
    assert firms.cities == 2  # B1 has no score
    assert firms.mean == pytest.approx(mean([60, 20]))
    assert firms.median == pytest.approx(40)


def test_overall_index_average_and_median(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world)
    assert board.overall_mean == pytest.approx(50)  # 50, 60, 40
    assert board.overall_median == pytest.approx(50)


def test_changes_between_rounds_for_the_region_and_per_city(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world)
    assert board.selection.previous is not None and board.selection.previous.id == world.r1.id
    civic = next(e for e in board.elements if e.element.id == "civic_tech")
    # Previous round: A1 30, A2 70, B2 20 -> 40; now 60.
    assert civic.previous_cities == 3
    assert civic.previous_mean == pytest.approx(40)
    assert civic.change == pytest.approx(20)
    # Like for like: A1 +10 and A2 +10 (B1 had no score before, B2 none now).
    assert civic.paired_cities == 2
    assert civic.paired_change == pytest.approx(10)
    firms = next(e for e in board.elements if e.element.id == "tech_firms")
    assert firms.previous_mean == pytest.approx(30)
    assert firms.change == pytest.approx(10)
    assert firms.paired_change == pytest.approx(0)  # A1 +10, A2 -10

    rows = {row.name: row for row in board.rows}
    assert rows["A1"].change == pytest.approx(5)
    assert rows["A2"].change == pytest.approx(10)
    assert rows["B1"].change is None  # a draft last round
    assert rows["B2"].change is None  # a draft now
    assert board.previous_overall_mean == pytest.approx(mean([45, 50, 20]))
    assert board.paired_cities == 2
    assert board.paired_overall_change == pytest.approx(7.5)
    assert not board.comparison_across_versions


def test_filters_narrow_every_figure(db_session, world, regional) -> None:
    aland = world.cities["A1"].country_id
    board = dashboard_for(db_session, regional, world, country_id=aland)
    assert board.participation.expected == 2
    civic = next(e for e in board.elements if e.element.id == "civic_tech")
    assert civic.mean == pytest.approx(60)  # 40 and 80
    assert civic.previous_mean == pytest.approx(50)  # 30 and 70

    small = dashboard_for(db_session, regional, world, size=SizeClass.MEDIUM)
    assert sorted(row.name for row in small.rows) == ["B1", "B3"]
    assert small.participation.submitted == 1


def test_the_earliest_round_has_nothing_to_compare_with(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world, round_=world.r1)
    assert board.selection.previous is None
    assert not board.has_previous
    civic = next(e for e in board.elements if e.element.id == "civic_tech")
    assert civic.change is None and civic.paired_change is None


def test_default_round_is_the_latest_with_assessments_in_the_region(make, db_session, world) -> None:
    from datetime import date

    later = make.round(name="R3", opens_on=date(2027, 3, 1))
    rounds = region_rounds(db_session, world.region.id)
    assert [r.name for r in rounds] == ["R3", "R2", "R1"]
    assert services.default_round(rounds).name == "R2"
    assert rounds[0].id == later.id and rounds[0].assessments == 0
    # R2 has 3 submitted in Testland (X1 is elsewhere); R1 has 3 submitted and a draft.
    assert (rounds[1].assessments, rounds[1].submitted) == (4, 3)
    assert (rounds[2].assessments, rounds[2].submitted) == (4, 3)
    assert services.previous_round(rounds, rounds[0]).name == "R2"


def test_sorting_puts_cities_without_a_value_last_in_both_directions(db_session, world, regional) -> None:
    board = dashboard_for(db_session, regional, world)
    rows = board.rows
    by_overall = [r.name for r in services.sort_rows(rows, "overall", True)]
    assert by_overall == ["A2", "A1", "B1", "B2", "B3"]
    assert [r.name for r in services.sort_rows(rows, "overall", False)] == ["B1", "A1", "A2", "B2", "B3"]
    assert [r.name for r in services.sort_rows(rows, "civic_tech", True)][:3] == ["A2", "B1", "A1"]
    assert [r.name for r in services.sort_rows(rows, "tech_firms", False)][:2] == ["A2", "A1"]
    assert [r.name for r in services.sort_rows(rows, "country", False)] == ["A1", "A2", "B1", "B2", "B3"]
    assert [r.name for r in services.sort_rows(rows, "change", True)][:2] == ["A2", "A1"]


@pytest.mark.parametrize("reviewed", [False, True])
def test_the_database_figures_are_those_worked_out_from_every_score(db_session, make, build,
                                                                     questionnaire, reviewed) -> None:
    """40 cities over two rounds, with missing scores, drafts, cities in one round only,
    outliers for the box plot's fences and reviewed scores for some: every figure of
    ``element_figures`` against its definition, computed in Python from the stored scores."""
    rng = random.Random(5)
    region = make.region("Bigland")
    country = make.country(region=region)
    before, now = make.round(name="Before"), make.round(name="Now")
    elements = [e.id for e in questionnaire.elements]
    kept: dict[str, dict[str, dict[int, float]]] = {"Before": {}, "Now": {}}
    for n in range(40):
        city = make.city(country=country)
        for round_ in (before, now):
            if rng.random() < 0.15:
                continue
            status = AssessmentStatus.DRAFT if rng.random() < 0.1 else AssessmentStatus.SUBMITTED
            scores = {e: None if rng.random() < 0.1 else
                      rng.choice([2.0, 98.0]) if rng.random() < 0.08 else round(rng.gauss(50, 8), 1)
                      for e in elements}
            assessment = build.assessment(city, round_, status, scores, 50.0)
            if reviewed and n % 3 == 0:
                for e in elements[:3]:
                    scores[e] = float(n)
                    db_session.add(ReviewedScore(assessment_id=assessment.id, element_id=e,
                                                 score=scores[e]))
            if status == AssessmentStatus.SUBMITTED:
                for e, score in scores.items():
                    if score is not None:
                        kept[round_.name].setdefault(e, {})[city.id] = score
    outsider = make.city(country=make.country())  # another region: in no figure
    build.assessment(outsider, now, AssessmentStatus.SUBMITTED, {e: 100.0 for e in elements}, 100.0)
    db_session.flush()

    figures = aggregates.element_figures(db_session, [Country.region_id == region.id, City.id > 0],
                                         now.id, before.id, reviewed=reviewed)
    for e in elements:
        values = np.asarray(list(kept["Now"][e].values()))
        q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
        reach = 1.5 * (q3 - q1)
        got = figures.now[e]
        assert got.count == len(values)
        assert [got.mean, got.minimum, got.maximum, got.lower_quartile, got.median,
                got.upper_quartile] == pytest.approx(
            [values.mean(), values.min(), values.max(), q1, median, q3])
        assert got.lower_fence == values[values >= q1 - reach].min()
        assert got.upper_fence == values[values <= q3 + reach].max()
        earlier = np.asarray(list(kept["Before"][e].values()))
        assert figures.before[e].count == len(earlier)
        assert figures.before[e].mean == pytest.approx(earlier.mean())
        both = kept["Now"][e].keys() & kept["Before"][e].keys()
        changes = [kept["Now"][e][c] - kept["Before"][e][c] for c in both]
        assert figures.paired[e].count == len(changes)
        assert figures.paired[e].mean == pytest.approx(np.mean(changes))
    assert any(figures.now[e].lower_fence > figures.now[e].minimum for e in elements)

    alone = aggregates.element_figures(db_session, [Country.region_id == region.id], now.id,
                                       reviewed=reviewed)
    assert alone.now == figures.now and alone.before == {} and alone.paired == {}

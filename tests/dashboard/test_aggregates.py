"""Dashboard figures against values worked out by hand from the fixture in conftest.py."""

from __future__ import annotations

from statistics import mean

import pytest

from assessment.auth.models import Role
from assessment.dashboard import services
from assessment.dashboard.choices import Selection, region_rounds, round_questionnaire
from assessment.places.models import SizeClass


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

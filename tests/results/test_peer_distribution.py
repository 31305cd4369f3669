"""Where a city sits among its peers: the spread of the other cities' scores per element and
the city's position, never with the city itself, and only with enough other cities."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role
from assessment.places.models import City
from assessment.places.peers import PeerGroup, set_members
from assessment.results.comparisons import PeerScores
from assessment.results.distribution import peer_distribution, rank_among, spread_of
from tests.results.conftest import text_of

ELEMENTS = ["civic_tech", "tech_firms", "bottom_up", "geographies", "inclusion_privacy",
            "digital_rights"]


def spread_cells(html: str, key: str) -> list[str]:
    match = re.search(rf'<tr id="spread-{key}">(.*?)</tr>', html, re.S)
    assert match, f"no spread row for {key}"
    # The strip's own title names what it draws; the cells are read without their drawing.
    row = re.sub(r"<svg.*?</svg>", "", match.group(1), flags=re.S)
    return [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def test_the_five_numbers_and_the_rank_computed_by_hand() -> None:
    spread = spread_of([40, 10, 30, 20, 50])
    # Sorted 10 20 30 40 50: quartiles at positions 1 and 3 of 0..4.
    assert (spread.low, spread.q1, spread.median, spread.q3, spread.high) == (10, 20, 30, 40, 50)
    # Interpolated: 10 20 30 40 -> q1 at 0.75 -> 17.5, median 25, q3 at 2.25 -> 32.5.
    assert spread_of([10, 40, 20, 30]) == spread_of([10.0, 20.0, 30.0, 40.0])
    assert (spread_of([10, 40, 20, 30]).q1, spread_of([10, 40, 20, 30]).q3) == (17.5, 32.5)
    # Three of the five are higher than 25; 30 is level with one of them and shares its place.
    assert rank_among(25.0, [10, 20, 30, 40, 50]) == 4
    assert rank_among(30.0, [10, 20, 30, 40, 50]) == 3
    assert rank_among(None, [10, 20]) is None


def test_an_element_with_too_few_scores_has_no_spread(app) -> None:
    scores = PeerScores({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0]}, cities=3)
    with app.test_request_context():
        table = peer_distribution(scores, [("a", "A", 2.0), ("b", "B", 2.0)], minimum=3,
                                  city_name="Home")
    a, b = table.rows
    assert a.spread is not None and a.rank == 2 and a.total == 4 and a.drawing is not None
    assert b.spread is None and b.rank is None and b.drawing is None and b.peers == 2


@pytest.fixture()
def peers_world(make, scored):
    """Home scores 100 everywhere; its five peers of the region 10 to 50; one peer has no score
    for digital_rights; a city of another region and a draft of the region must not count."""
    region = make.region(name="South")
    round_ = make.round(name="2026")
    home = make.city(region=region, name="Home")
    for n, value in enumerate((10, 20, 30, 40, 50)):
        values = dict.fromkeys(ELEMENTS, float(value))
        if n == 0:
            values["digital_rights"] = None
        scored(make.city(region=region, name=f"Peer {n}"), round_, values, overall=value)
    scored(make.city(name="Far away"), round_, dict.fromkeys(ELEMENTS, 0.0), overall=0)
    scored(make.city(region=region, name="Drafting"), round_, dict.fromkeys(ELEMENTS, 0.0), overall=0,
           status=AssessmentStatus.DRAFT)
    mine = scored(home, round_, dict.fromkeys(ELEMENTS, 100.0), overall=100)
    return home, mine


def test_the_report_shows_the_spread_of_the_other_cities_and_the_citys_place(
        app, monkeypatch, client, make, login, peers_world) -> None:
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 5)
    home, mine = peers_world
    login(make.user(Role.OFFICIAL, city=home))

    html = client.get(f"/assessments/{mine.id}/report").get_data(as_text=True)

    assert "Where Home sits among its peers" in html
    # Lowest, quartiles, median, highest of the five others; Home's 100 is not among them.
    assert spread_cells(html, "civic_tech") == [
        "1. Promote civic technology", "", "10.0", "20.0", "30.0", "40.0", "50.0", "100.0", "1 of 6"]
    assert spread_cells(html, "overall") == [
        "Overall index", "", "10.0", "20.0", "30.0", "40.0", "50.0", "100.0", "1 of 6"]
    # Four other cities have a digital rights score: fewer than five, so nothing of it is shown.
    rights = spread_cells(html, "digital_rights")
    assert "Not shown: 4 other cities have a score here, and at least 5 are needed." in rights
    assert not any(cell.endswith(".0") and cell != "100.0" for cell in rights)
    # Each strip is an SVG named by what it shows.
    assert ("1. Promote civic technology: the other cities from 10.0 to 50.0, median 30.0; Home 100.0"
            in text_of(html))


def test_the_spread_needs_the_minimum_of_other_cities(app, monkeypatch, client, make, login,
                                                     peers_world) -> None:
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 6)
    home, mine = peers_world
    login(make.user(Role.OFFICIAL, city=home))

    html = client.get(f"/assessments/{mine.id}/report").get_data(as_text=True)

    assert 'id="spread-civic_tech"' not in html
    assert ("The spread is shown once at least 6 other cities of South have a score, so that no "
            "single city can be read out of it; 5 have so far.") in text_of(html)
    # The city's own 100 never makes up the sixth.
    assert "10.0" not in re.search(r'<section class="report-spread.*?</section>', html, re.S).group(0)


def test_the_spread_follows_the_chosen_peers_and_stays_off_paper(app, monkeypatch, client, make,
                                                                login, db_session, peers_world) -> None:
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 2)
    home, mine = peers_world
    group = PeerGroup(name="Pair")
    db_session.add(group)
    db_session.flush()
    pair = set(db_session.scalars(select(City.id).where(City.name.in_(["Far away", "Peer 4"]))))
    set_members(db_session, group, {home.id, *pair})
    login(make.user(Role.OFFICIAL, city=home))

    html = client.get(f"/assessments/{mine.id}/report",
                      query_string={"peers": f"group-{group.id}"}).get_data(as_text=True)

    # Far away (0) and Peer 4 (50): the group's spread, the region's other cities left out.
    assert spread_cells(html, "civic_tech")[2:] == ["0.0", "12.5", "25.0", "37.5", "50.0", "100.0",
                                                    "1 of 3"]
    # On screen only: the printed report keeps to its three pages.
    assert '<section class="report-spread no-print"' in html

"""The public open data page and its downloads: no sign-in, the published cities' scores, the
figures of groups of at least the minimum of published cities, the licence; a city that did
not publish is nowhere, not in a list, a count, a figure, a chart or a file."""

from __future__ import annotations

import json
import re

import pytest

from assessment.assessments.models import AssessmentStatus
from assessment.places.peers import PeerGroup, set_members
from tests.conftest import read
from tests.opendata.conftest import HIDDEN_SCORES, store
from tests.results.conftest import text_of

FORMATS = ("csv", "json", "parquet")


def hidden_marks(world) -> list[str]:
    """What would give a hidden city away: its name, its id, its scores as shown and as stored."""
    marks = []
    for name, city in world.hidden.items():
        score = HIDDEN_SCORES[name]
        marks += [name, f"{score:.1f}", str(score), f'"city_id": {city.id}']
    return marks


def group_row(html: str, caption_start: str, label: str) -> list[str]:
    table = re.search(rf"<caption[^>]*>{re.escape(caption_start)}.*?</table>", html, re.S)
    assert table, f"no table {caption_start}"
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        cells = [text_of(re.sub(r"<svg.*?</svg>", "", cell, flags=re.S))
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label}")


def test_without_signing_in_the_page_shows_the_published_cities_and_their_region(
        client, open_world) -> None:
    response = client.get("/open-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)

    assert "5 cities published their scores for 2026." in text
    for city in open_world.published:
        assert city.name in text
    # The region's figures are those of the five published cities: 10 to 50, median 30.
    cells = group_row(html, "By region", "Northland")
    assert cells[1] == "5" and cells[3] == "30.0" and cells[4] == "20.0–40.0"
    assert "Northland: overall index of 5 published cities from 10.0 to 50.0, median 30.0" in text
    # Method, codebook and licence, CC BY 4.0 unless the setting says otherwise.
    assert "/methodology" in html and 'id="codebook"' in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html


def test_a_city_that_did_not_publish_is_nowhere_on_the_page(client, open_world) -> None:
    html = client.get("/open-data").get_data(as_text=True)
    for mark in hidden_marks(open_world):
        assert mark not in html, mark
    # Not even in the count of a group, nor in the chart drawn for it.
    assert group_row(html, "By size class", "Medium (300,000 to 1 million)")[1] == "5"
    for title in re.findall(r"<title[^>]*>(.*?)</title>", html, re.S):
        assert "95" not in title and "96" not in title and "97" not in title


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_city_that_did_not_publish_is_in_no_download(client, open_world, fmt) -> None:
    round_id = open_world.round.id
    scores = client.get(f"/open-data/{round_id}/scores.{fmt}")
    assert scores.status_code == 200
    assert scores.headers["Content-Disposition"] == (
        f'attachment; filename="city-innovation-open-data-2026-scores.{fmt}"')
    assert 'rel="license"' in scores.headers["Link"]
    table = read(fmt, scores.data)
    assert sorted(table["city"]) == [c.name for c in open_world.published]
    assert set(table["city_id"]) == {c.id for c in open_world.published}
    assert sorted(table["overall_index"]) == [10.0, 20.0, 30.0, 40.0, 50.0]

    groups = read(fmt, client.get(f"/open-data/{round_id}/groups.{fmt}").data)
    assert set(groups["cities"]) == {5} and set(groups["count"]) == {5}
    assert groups["max"].max() == 50.0 and groups["mean"].max() == 30.0
    region = groups[(groups["grouping"] == "region") & (groups["measure"] == "overall_index")]
    assert list(region["group"]) == ["Northland"] and list(region["median"]) == [30.0]

    codebook = client.get(f"/open-data/{round_id}/codebook.{fmt}")
    assert codebook.status_code == 200
    if fmt != "parquet":
        for body in (scores.data, codebook.data):
            for name in HIDDEN_SCORES:
                assert name.encode() not in body


def test_groups_below_the_minimum_are_not_shown(app, monkeypatch, client, db_session, open_world,
                                               make) -> None:
    # Three of the five published cities in a peer group, and a hidden city with them.
    group = PeerGroup(name="Coastal capitals")
    db_session.add(group)
    db_session.flush()
    set_members(db_session, group, {*(c.id for c in open_world.published[:3]),
                                    open_world.hidden["Secretville"].id})
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 3)
    html = client.get("/open-data").get_data(as_text=True)
    cells = group_row(html, "By peer group", "Coastal capitals")
    # 10, 20 and 30: Secretville's 97.3 is not counted.
    assert cells[1] == "3" and cells[3] == "20.0"

    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 4)
    html = client.get("/open-data").get_data(as_text=True)
    assert "Coastal capitals" not in html
    assert "No group here has 4 published cities yet." in text_of(html)
    groups = json.loads(client.get(f"/open-data/{open_world.round.id}/groups.json").data)
    assert "Coastal capitals" not in json.dumps(groups)

    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 6)
    html = client.get("/open-data").get_data(as_text=True)
    assert "Northland" in html  # in the city list, not as a group
    with pytest.raises(AssertionError):
        group_row(html, "By region", "Northland")


def test_a_round_with_nothing_published_cannot_be_reached(client, db_session, make,
                                                          open_world) -> None:
    quiet = make.round(name="2027")
    store(db_session, open_world.hidden["Secretville"], quiet, 97.3)
    assert client.get("/open-data", query_string={"round": quiet.id}).status_code == 404
    for fmt in FORMATS:
        assert client.get(f"/open-data/{quiet.id}/scores.{fmt}").status_code == 404
    assert client.get(f"/open-data/{open_world.round.id}/answers.csv").status_code == 404
    assert client.get(f"/open-data/{open_world.round.id}/scores.xlsx").status_code == 404


def test_a_published_assessment_reopened_for_changes_leaves_the_page(client, db_session,
                                                                    open_world) -> None:
    assessment = open_world.assessments["Open 0"]
    assessment.status = AssessmentStatus.REOPENED
    db_session.flush()
    text = text_of(client.get("/open-data").get_data(as_text=True))
    assert "Open 0" not in text and "4 cities published their scores for 2026." in text


def test_the_licence_is_a_setting(app, monkeypatch, client, open_world) -> None:
    monkeypatch.setitem(app.config, "OPEN_DATA_LICENCE", "CC0-1.0")
    html = client.get("/open-data").get_data(as_text=True)
    assert "Creative Commons Zero 1.0 Universal (CC0 1.0)" in html
    monkeypatch.setitem(app.config, "OPEN_DATA_LICENCE", "Licence of the City Network")
    html = client.get("/open-data").get_data(as_text=True)
    assert "Licence of the City Network" in text_of(html)
    assert "Link" not in client.get(f"/open-data/{open_world.round.id}/scores.csv").headers


def test_an_empty_page_says_nothing_is_published_yet(client) -> None:
    response = client.get("/open-data")
    assert response.status_code == 200
    assert "Nothing is published yet" in response.get_data(as_text=True)


def test_every_page_links_the_open_data_page_for_visitors(client) -> None:
    for url in ("/", "/methodology", "/sign-in"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'href="/open-data"' in response.text, url

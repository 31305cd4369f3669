"""Comparing with peers: a report compares a city with the other cities of its region, its
country, its size class or a peer group an administrator made; the dashboard filters by group."""

from __future__ import annotations

from assessment.auth.models import Role
from assessment.places.peers import PeerGroup, set_members
from tests.results.conftest import ReportPage, shown


def test_a_report_compares_with_the_other_cities_of_a_group(app, monkeypatch, client, make, login,
                                                           db_session, scored) -> None:
    monkeypatch.setitem(app.config, "MIN_PEER_CITIES", 2)
    round_ = make.round(name="2026")
    home = make.city(name="Home")
    others = [make.city(name=f"Peer {n}") for n in range(3)]
    outsider = make.city(name="Outsider")
    elements = ["civic_tech", "tech_firms", "bottom_up", "geographies", "inclusion_privacy",
                "digital_rights"]
    for city, value in zip(others, (20, 40, 90), strict=True):
        scored(city, round_, dict.fromkeys(elements, value), overall=value)
    scored(outsider, round_, dict.fromkeys(elements, 100), overall=100)
    mine = scored(home, round_, dict.fromkeys(elements, 0), overall=0)
    group = PeerGroup(name="Alike")
    db_session.add(group)
    db_session.flush()
    set_members(db_session, group, {home.id, *(c.id for c in others), outsider.id})
    login(make.user(Role.OFFICIAL, city=home))

    plain = ReportPage(200, client.get(f"/assessments/{mine.id}/report").get_data(as_text=True))
    assert f'<option value="group-{group.id}"' in plain.html and "Peer group: Alike" in plain.html
    # The group without the city itself: 20, 40, 90, 100 -> median 65.
    response = client.get(f"/assessments/{mine.id}/report", query_string={"peers": f"group-{group.id}"})
    grouped = ReportPage(response.status_code, response.get_data(as_text=True))
    assert grouped.row("civic_tech")[4] == shown(65)
    # The heading still names the city's own country and region.
    assert f"{home.country.name} · {home.country.region.name}" in grouped.text
    assert "Peer median" in grouped.html
    assert "the 4 other cities of the peer group Alike that submitted in this round" in grouped.text
    assert any("Median of the peer group Alike (4 other cities)" in t["name"]
               for t in grouped.figure["data"])
    # An unknown choice falls back to the region.
    fallback = client.get(f"/assessments/{mine.id}/report", query_string={"peers": "group-99999"})
    assert "Regional median" in fallback.get_data(as_text=True)


def test_the_dashboard_filters_by_peer_group(client, make, login, db_session, scored) -> None:
    region = make.region(name="East")
    round_ = make.round(name="2026")
    inside, outside = make.city(region=region, name="Inside"), make.city(region=region, name="Outside")
    for city in (inside, outside):
        scored(city, round_, {}, overall=50)
    group = PeerGroup(name="Chosen")
    db_session.add(group)
    db_session.flush()
    set_members(db_session, group, {inside.id})
    login(make.user(Role.REGIONAL, region=region))

    html = client.get("/dashboard", query_string={"group": group.id}).get_data(as_text=True)
    assert ">Inside<" in html and ">Outside<" not in html
    assert client.get("/dashboard", query_string={"group": "x"}).status_code == 200
    notice = client.get("/dashboard", query_string={"group": "99999"}).get_data(as_text=True)
    assert "The peer group in the link was not found" in notice

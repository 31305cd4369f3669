"""Download what you see: each dashboard table as CSV and the dashboard as a PDF, for the same
view, with the region, round and filters in the file name and on the page."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from assessment.assessments.models import AssessmentStatus
from assessment.auth.models import Role
from assessment.places.peers import PeerGroup, set_members


@pytest.fixture()
def regional(make, login, world, db_session):
    # B2 back to a draft in R2: its stale scores count nowhere, whatever a reopened one does.
    world.assessments[("B2", "R2")].status = AssessmentStatus.DRAFT
    db_session.flush()
    return login(make.user(Role.REGIONAL, region=world.region))


def rows_of(response) -> list[dict[str, str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_page_links_each_table_and_the_pdf_of_the_same_view(client, world, regional) -> None:
    beland = world.cities["B1"].country
    html = client.get("/dashboard", query_string={"country": beland.id, "sort": "overall",
                                                  "dir": "asc"}).get_data(as_text=True)
    assert "This view: Region: Testland · Round: R2 · Country: Beland" in html
    for name in ("elements", "changes", "cities"):
        assert f'href="/dashboard/{name}.csv?round={world.r2.id}&amp;country={beland.id}' in html
    assert f'href="/dashboard.pdf?round={world.r2.id}&amp;country={beland.id}' in html


def test_the_element_table_as_csv(client, world, regional) -> None:
    response = client.get("/dashboard/elements.csv", query_string={"round": world.r2.id})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dashboard-testland-r2-elements.csv"')
    rows = {row["element_id"]: row for row in rows_of(response)}
    # A1 40, A2 80, B1 60: B2 is a draft and X1 of another region.
    assert rows["civic_tech"]["cities"] == "3" and float(rows["civic_tech"]["mean"]) == 60.0
    assert rows["tech_firms"]["cities"] == "2" and float(rows["tech_firms"]["max"]) == 60.0


def test_the_change_table_as_csv(client, world, regional) -> None:
    rows = {row["element_id"]: row for row in rows_of(
        client.get("/dashboard/changes.csv", query_string={"round": world.r2.id}))}
    civic = rows["civic_tech"]
    assert (civic["previous_round"], civic["round"]) == ("R1", "R2")
    # R1: 30, 70, 20 (mean 40); R2: 60. A1 and A2 in both: +10 each.
    assert float(civic["previous_mean"]) == 40.0 and float(civic["change_in_mean"]) == 20.0
    assert civic["cities_in_both"] == "2" and float(civic["their_mean_change"]) == 10.0


def test_the_city_table_holds_every_city_of_the_view_not_only_the_page(
        client, world, regional, monkeypatch) -> None:
    from assessment.dashboard import services
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    beland = world.cities["B1"].country
    response = client.get("/dashboard/cities.csv", query_string={"round": world.r2.id,
                                                                 "country": beland.id})
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dashboard-testland-r2-beland-cities.csv"')
    rows = rows_of(response)
    assert [row["city"] for row in rows] == ["B1", "B2", "B3"]
    b1, b2, b3 = rows
    assert float(b1["civic_tech"]) == 60.0 and b1["tech_firms"] == "" and b1["status"] == "submitted"
    # A draft has no scores.
    assert b2["status"] == "draft" and b2["overall_index"] == "" and b2["civic_tech"] == ""
    assert b3["status"] == "not_started"


def test_a_size_and_a_peer_group_are_in_the_name(client, db_session, world, regional) -> None:
    group = PeerGroup(name="Coastal capitals")
    db_session.add(group)
    db_session.flush()
    set_members(db_session, group, {world.cities["A1"].id, world.cities["B1"].id})
    response = client.get("/dashboard/cities.csv", query_string={
        "round": world.r2.id, "size": "medium", "group": group.id})
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dashboard-testland-r2-medium-coastal-capitals-cities.csv"')
    assert [row["city"] for row in rows_of(response)] == ["B1"]


def test_a_city_name_cannot_become_a_spreadsheet_formula(client, make, world, regional) -> None:
    make.city(country=world.cities["A1"].country, name="=HYPERLINK(\"http://x\")")
    rows = rows_of(client.get("/dashboard/cities.csv", query_string={"round": world.r2.id}))
    assert "'=HYPERLINK(\"http://x\")" in [row["city"] for row in rows]


def test_another_regions_office_cannot_download_it(client, make, login, world) -> None:
    login(make.user(Role.REGIONAL, region=world.elsewhere))
    rows = rows_of(client.get("/dashboard/cities.csv", query_string={"region": world.region.id}))
    assert [row["city"] for row in rows] == ["X1"]
    login(make.user(Role.OFFICIAL, city=world.cities["A1"]))
    assert client.get("/dashboard/cities.csv").status_code == 403
    assert client.get("/dashboard.pdf").status_code == 403


def test_an_unknown_table_is_not_found(client, world, regional) -> None:
    assert client.get("/dashboard/answers.csv").status_code == 404


def test_the_dashboard_as_pdf_names_its_view_on_every_page(client, world, regional) -> None:
    beland = world.cities["B1"].country
    response = client.get("/dashboard.pdf", query_string={"round": world.r2.id,
                                                          "country": beland.id})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dashboard-testland-r2-beland.pdf"')
    reader = PdfReader(io.BytesIO(response.data))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert all("Region: Testland · Round: R2 · Country: Beland" in page for page in pages)
    text = " ".join(pages)
    assert "Cities by element" in text and "B1" in text and "A1" not in text
    # The filter form and the download links stay off paper.
    assert "Apply" not in text and "Download this view" not in text

"""Peer groups: an administrator puts cities together; a report compares a city with the other
cities of each of its groups, and the dashboard filters by group."""

from __future__ import annotations

from sqlalchemy import select

from assessment.auth.models import Role
from assessment.places.peers import PeerGroup, member_ids
from tests.admin.conftest import page, post, refused


def test_create_a_group_from_lines_of_cities(client, admin, make, db_session, events) -> None:
    kenya = make.country(name="Kenya")
    mombasa = make.city(country=kenya, name="Mombasa")
    dakar = make.city(name="Dakar")
    db_session.commit()

    response = post(client, "/admin/peer-groups/new", {
        "name": " Coastal   cities ", "description": "Ports on the sea.",
        "cities": f"Mombasa ({kenya.name})\n\n  dakar  \n"})

    assert response.status_code == 302
    group = db_session.scalar(select(PeerGroup).where(PeerGroup.name == "Coastal cities"))
    assert group is not None and group.description == "Ports on the sea."
    assert member_ids(db_session, group.id) == {mombasa.id, dakar.id}
    created, = events("admin.peer_group.create")
    assert created.detail["cities"] == 2
    listing = page(client, "/admin/peer-groups")
    assert "Coastal cities" in listing and "Ports on the sea." in listing
    edit = page(client, f"/admin/peer-groups/{group.id}")
    assert f"Dakar ({dakar.country.name})\nMombasa (Kenya)" in edit


def test_a_line_that_names_no_city_keeps_everything_typed(client, admin, make, db_session) -> None:
    make.city(name="Mombasa")
    db_session.commit()

    html = refused(client, "/admin/peer-groups/new", {
        "name": "Coastal", "cities": "Mombasa\nAtlantiss\nMombasa"})

    assert "Line 2: No city is called “Atlantiss”." in html
    assert "Atlantiss" in html and 'value="Coastal"' in html
    assert db_session.scalar(select(PeerGroup)) is None


def test_edit_members_and_delete(client, admin, make, db_session, events) -> None:
    make.city(name="Alpha")
    second = make.city(name="Beta")
    db_session.commit()
    post(client, "/admin/peer-groups/new", {"name": "Group", "cities": "Alpha"})
    group = db_session.scalar(select(PeerGroup))
    assert group is not None

    post(client, f"/admin/peer-groups/{group.id}", {"name": "Group", "cities": "Beta"})
    assert member_ids(db_session, group.id) == {second.id}
    updated, = events("admin.peer_group.update")
    assert (updated.detail["added"], updated.detail["removed"]) == (1, 1)
    assert post(client, f"/admin/peer-groups/{group.id}/delete").status_code == 302
    assert db_session.scalar(select(PeerGroup)) is None
    assert events("admin.peer_group.delete")


def test_only_admins_reach_the_pages(client, make, login) -> None:
    login(make.user(Role.REGIONAL))
    assert client.get("/admin/peer-groups").status_code in (403, 404)

"""Only administrators get into the admin pages; everybody else is turned away."""

import pytest

from assessment.auth.models import Role

ADMIN_PAGES = [
    "/admin", "/admin/regions", "/admin/regions/new", "/admin/countries", "/admin/countries/new",
    "/admin/cities", "/admin/cities/new", "/admin/users", "/admin/users/new", "/admin/rounds",
    "/admin/rounds/new", "/admin/questionnaire", "/admin/audit", "/admin/cities/import",
    "/admin/cities/import/example.csv",
]


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/sign-in?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.REGIONAL, Role.ANALYST])
def test_other_roles_are_refused_every_page_and_action(client, make, login, role) -> None:
    login(make.user(role))
    region = make.region(name="Untouchable")
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url
    response = client.post(f"/admin/regions/{region.id}/delete")
    assert response.status_code == 403
    assert client.post("/admin/regions/new", data={"name": "Sneaky"}).status_code == 403
    assert region.name == "Untouchable"


def test_administrators_see_every_page_and_the_menu_link(client, admin) -> None:
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url
    html = client.get("/admin").get_data(as_text=True)
    assert 'href="/admin"' in html and "Administration" in html


def test_the_menu_link_is_only_for_administrators(client, make, login) -> None:
    login(make.user(Role.ANALYST))
    assert 'href="/admin"' not in client.get("/methodology").get_data(as_text=True)


def test_unknown_objects_are_404(client, admin) -> None:
    for url in ["/admin/regions/999999", "/admin/countries/999999", "/admin/cities/999999",
                "/admin/users/999999", "/admin/rounds/999999", "/admin/questionnaire/versions/999999"]:
        assert client.get(url).status_code == 404, url


def test_forms_need_a_csrf_token(app, client, admin, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    html = client.get("/admin/regions/new").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert client.post("/admin/regions/new", data={"name": "No token"}).status_code == 400
    assert "No token" not in client.get("/admin/regions").get_data(as_text=True)

"""Accounts: create, change, deactivate, new passwords, sign-outs and self-protection."""

import json

from sqlalchemy import select

from assessment.auth.models import AuthSession, Role, User
from tests.admin.conftest import page, post, refused
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a brand new secret"


def new_user(**fields):
    data = {"email": "new@example.org", "name": "New Person", "role": "analyst", "city_id": "",
            "region_id": "", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    data.update(fields)
    return data


def signed_in_client(app, email, password=TEST_PASSWORD):
    """Another browser, signed in through the real form."""
    other = app.test_client()
    response = other.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return other


def can_sign_in(app, email, password) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return response.status_code == 302


def is_signed_in(other) -> bool:
    return other.get("/methodology").get_data(as_text=True).count("Sign out") > 0


def test_create_an_official_for_a_city(app, client, admin, make, get_user, events) -> None:
    city = make.city(name="Kigali")
    response = post(client, "/admin/users/new", new_user(
        email=" Mukamana@Kigali.example.org ", role="official", city_id=city.id))
    assert response.status_code == 302
    user = get_user("mukamana@kigali.example.org")
    assert (user.role, user.city_id, user.region_id) == (Role.OFFICIAL, city.id, None)
    assert user.name == "New Person"
    assert user.password_hash != NEW_PASSWORD
    created, = events("admin.user.create")
    assert created.detail == {"user_id": user.id, "email": user.email, "role": "official",
                              "city_id": city.id}
    # The new account can sign in with the password the administrator typed.
    assert is_signed_in(signed_in_client(app, "mukamana@kigali.example.org", NEW_PASSWORD))


def test_a_regional_account_gets_its_region_and_no_city(client, admin, make, get_user) -> None:
    region = make.region(name="Africa")
    city = make.city()
    post(client, "/admin/users/new", new_user(role="regional", region_id=region.id, city_id=city.id))
    user = get_user("new@example.org")
    assert (user.region_id, user.city_id) == (region.id, None)


def test_an_official_needs_a_city_and_a_regional_office_a_region(client, admin, get_user) -> None:
    html = refused(client, "/admin/users/new", new_user(role="official"))
    assert "An official needs a city" in html
    assert 'value="new@example.org"' in html and 'value="New Person"' in html
    html = refused(client, "/admin/users/new", new_user(role="regional"))
    assert "A regional office account needs a region." in html
    assert get_user("new@example.org") is None


def test_unknown_city_region_or_role_is_refused(client, admin, get_user) -> None:
    html = refused(client, "/admin/users/new", new_user(role="official", city_id="999999"))
    assert "Choose a city from the list." in html
    html = refused(client, "/admin/users/new", new_user(role="regional", region_id="999999"))
    assert "Choose a region from the list." in html
    html = refused(client, "/admin/users/new", new_user(role="superuser"))
    assert "Choose a role from the list." in html
    assert get_user("new@example.org") is None


def test_passwords_must_match_be_long_enough_and_are_never_echoed(client, admin, get_user) -> None:
    html = refused(client, "/admin/users/new", new_user(password_confirm="something else"))
    assert "The two passwords are not the same." in html
    assert NEW_PASSWORD not in html and 'value="new@example.org"' in html
    html = refused(client, "/admin/users/new", new_user(password="short", password_confirm="short"))
    assert "at least 10 characters" in html
    assert get_user("new@example.org") is None


def test_duplicate_email_is_refused_with_input_kept(client, admin, make, save, events) -> None:
    make.user(Role.ANALYST, email="taken@example.org")
    save()
    html = refused(client, "/admin/users/new", new_user(email="TAKEN@example.org", name="Second"))
    assert "An account with the email taken@example.org already exists." in html
    assert 'value="Second"' in html
    assert events("admin.user.create") == []


def test_invalid_email_is_refused(client, admin) -> None:
    html = refused(client, "/admin/users/new", new_user(email="not-an-email"))
    assert "Enter a valid email address." in html


def test_edit_role_and_place(client, admin, make, db_session, events) -> None:
    region = make.region(name="Asia-Pacific")
    user = make.user(Role.OFFICIAL, email="moving@example.org")
    old_city = user.city_id
    response = post(client, f"/admin/users/{user.id}",
                    {"name": "Moved", "role": "regional", "city_id": old_city, "region_id": region.id})
    assert response.status_code == 302
    db_session.refresh(user)
    assert (user.role, user.city_id, user.region_id, user.name) == (Role.REGIONAL, None, region.id, "Moved")
    updated, = events("admin.user.update")
    assert updated.detail["changes"] == {
        "name": ["", "Moved"], "role": ["official", "regional"],
        "city_id": [old_city, None], "region_id": [None, region.id],
    }


def test_user_list_filters_and_never_shows_password_hashes(client, admin, make) -> None:
    africa, asia = make.region(name="Africa"), make.region(name="Asia")
    kigali = make.city(region=africa, name="Kigali")
    make.user(Role.OFFICIAL, city=kigali, email="official@kigali.example.org")
    make.user(Role.REGIONAL, region=africa, email="africa@regional.example.org")
    asian = make.user(Role.REGIONAL, region=asia, email="asia@regional.example.org")
    asian.name = "Findable Name"
    make.user(Role.ANALYST, email="analyst@example.org").active = False

    html = page(client, "/admin/users")
    for email in ("official@kigali", "africa@regional", "asia@regional", "analyst@example", "root@example"):
        assert email in html
    assert "pbkdf2" not in html and "scrypt" not in html

    table = page(client, "/admin/users", query_string={"region": africa.id}).split("<tbody>")[1]
    assert "official@kigali" in table and "africa@regional" in table and "asia@regional" not in table
    table = page(client, "/admin/users", query_string={"role": "regional"}).split("<tbody>")[1]
    assert "africa@regional" in table and "asia@regional" in table and "official@kigali" not in table
    table = page(client, "/admin/users", query_string={"q": "findable"}).split("<tbody>")[1]
    assert "asia@regional" in table and "africa@regional" not in table
    table = page(client, "/admin/users", query_string={"status": "inactive"}).split("<tbody>")[1]
    assert "analyst@example" in table and "root@example" not in table


def test_user_list_is_paginated(client, admin, make) -> None:
    for n in range(55):
        make.user(Role.ANALYST, email=f"analyst{n:02d}@example.org")
    assert "Showing 1–50 of 56" in page(client, "/admin/users")
    assert "Showing 51–56 of 56" in page(client, "/admin/users", query_string={"page": 2})


def test_account_page_never_shows_the_password_hash(client, admin, make) -> None:
    user = make.user(Role.ANALYST)
    html = page(client, f"/admin/users/{user.id}")
    assert user.password_hash not in html and user.password_hash.split("$")[-1] not in html


def test_deactivation_signs_the_user_out_everywhere(app, client, admin, make, db_session, save,
                                                    events) -> None:
    make.user(Role.ANALYST, email="leaving@example.org")
    save()
    browser = signed_in_client(app, "leaving@example.org")
    assert is_signed_in(browser)
    user = db_session.scalar(select(User).where(User.email == "leaving@example.org"))

    response = post(client, f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 302
    assert not user.active
    assert not is_signed_in(browser)
    assert browser.get("/exports").status_code == 302
    live = db_session.scalars(select(AuthSession).where(AuthSession.user_id == user.id,
                                                        AuthSession.revoked_at.is_(None)))
    assert live.all() == []
    deactivated, = events("admin.user.deactivate")
    assert deactivated.detail["sessions_ended"] == 1
    # And they cannot sign in again until reactivated.
    assert not can_sign_in(app, "leaving@example.org", TEST_PASSWORD)

    post(client, f"/admin/users/{user.id}/reactivate")
    assert user.active
    assert is_signed_in(signed_in_client(app, "leaving@example.org"))
    assert len(events("admin.user.reactivate")) == 1


def test_revoke_sessions_signs_the_user_out_but_keeps_the_account(app, client, admin, make, save,
                                                                  events) -> None:
    user = make.user(Role.ANALYST, email="busy@example.org")
    save()
    browsers = [signed_in_client(app, "busy@example.org") for _ in range(2)]
    assert "2 active sign-ins" in page(client, f"/admin/users/{user.id}")
    post(client, f"/admin/users/{user.id}/revoke-sessions")
    assert not any(is_signed_in(browser) for browser in browsers)
    assert user.active
    assert events("admin.user.revoke_sessions")[0].detail["sessions_ended"] == 2
    assert is_signed_in(signed_in_client(app, "busy@example.org"))


def test_set_a_new_password(app, client, admin, make, save, events) -> None:
    user = make.user(Role.ANALYST, email="forgetful@example.org")
    save()
    browser = signed_in_client(app, "forgetful@example.org")
    html = refused(client, f"/admin/users/{user.id}/password",
                {"password": NEW_PASSWORD, "password_confirm": "typo " + NEW_PASSWORD, "sign_out": "y"})
    assert "The two passwords are not the same." in html
    response = post(client, f"/admin/users/{user.id}/password",
                    {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, "sign_out": "y"})
    assert response.status_code == 302
    assert not is_signed_in(browser)
    assert not can_sign_in(app, "forgetful@example.org", TEST_PASSWORD)
    assert is_signed_in(signed_in_client(app, "forgetful@example.org", NEW_PASSWORD))
    event, = events("admin.user.password")
    assert NEW_PASSWORD not in json.dumps(event.detail)
    assert event.detail["sessions_ended"] == 1


def test_set_a_password_without_signing_out(app, client, admin, make, save) -> None:
    user = make.user(Role.ANALYST, email="stays@example.org")
    save()
    browser = signed_in_client(app, "stays@example.org")
    post(client, f"/admin/users/{user.id}/password",
         {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert is_signed_in(browser)


def test_no_password_ever_reaches_the_audit_log(client, admin, make, db_session) -> None:
    from assessment.audit.models import AuditEvent

    post(client, "/admin/users/new", new_user())
    user = db_session.scalar(select(User).where(User.email == "new@example.org"))
    post(client, f"/admin/users/{user.id}/password",
         {"password": "yet another secret", "password_confirm": "yet another secret"})
    details = json.dumps([e.detail for e in db_session.scalars(select(AuditEvent))])
    assert NEW_PASSWORD not in details and "yet another secret" not in details
    assert user.password_hash not in details


def test_an_administrator_cannot_deactivate_or_demote_themself(client, admin, db_session, events) -> None:
    html = page(client, f"/admin/users/{admin.id}")
    assert f"/admin/users/{admin.id}/deactivate" not in html
    response = post(client, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in page(client, response.headers["Location"])
    db_session.refresh(admin)
    assert admin.active

    html = refused(client, f"/admin/users/{admin.id}",
                {"name": "Me", "role": "analyst", "city_id": "", "region_id": ""})
    assert "You cannot take away your own administrator role." in html
    db_session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.name == ""
    assert events("admin.user.deactivate") == events("admin.user.update") == []
    # Still signed in, still an administrator.
    assert client.get("/admin").status_code == 200


def test_an_administrator_can_sign_out_their_other_sessions_but_stays_signed_in(app, client, admin) -> None:
    other_browser = signed_in_client(app, "root@example.org")
    post(client, f"/admin/users/{admin.id}/revoke-sessions")
    assert not is_signed_in(other_browser)
    assert client.get("/admin").status_code == 200


def test_another_administrator_can_be_demoted(client, admin, make, db_session) -> None:
    other = make.user(Role.ADMIN, email="other-admin@example.org")
    post(client, f"/admin/users/{other.id}", {"name": "", "role": "analyst", "city_id": "", "region_id": ""})
    db_session.refresh(other)
    assert other.role == Role.ANALYST

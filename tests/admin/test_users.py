"""Accounts: create, change, deactivate, new passwords, sign-outs and self-protection."""

import json

from sqlalchemy import func, select, text

from assessment.api import tokens
from assessment.assessments.models import Answer
from assessment.audit.models import AuditEvent
from assessment.auth.models import AuthSession, Role, User
from assessment.extensions import limiter
from tests.admin.conftest import page, post, refused
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a brand new secret"


def new_user(**fields):
    data = {"email": "new@example.org", "name": "New Person", "role": "analyst", "city": "",
            "region_id": "", "first_sign_in": "password", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD}
    data.update(fields)
    return data


def city_text(city) -> str:
    """A city as typed in the city box: "City (Country)"."""
    return f"{city.name} ({city.country.name})"


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
        email=" Mukamana@Kigali.example.org ", role="official", city=city_text(city)))
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
    post(client, "/admin/users/new", new_user(role="regional", region_id=region.id, city=city_text(city)))
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
    html = refused(client, "/admin/users/new", new_user(role="official", city="Atlantis (Nowhere)"))
    assert "No city is called “Atlantis (Nowhere)”." in html
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
                    {"name": "Moved", "role": "regional", "city": city_text(user.city),
                     "region_id": region.id})
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
                   {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
                    "password_confirm": "typo " + NEW_PASSWORD, "sign_out": "y"})
    assert "The two passwords are not the same." in html
    response = post(client, f"/admin/users/{user.id}/password",
                    {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
                     "password_confirm": NEW_PASSWORD, "sign_out": "y"})
    assert response.status_code == 302
    assert not is_signed_in(browser)
    assert not can_sign_in(app, "forgetful@example.org", TEST_PASSWORD)
    assert is_signed_in(signed_in_client(app, "forgetful@example.org", NEW_PASSWORD))
    event, = events("admin.user.password")
    assert NEW_PASSWORD not in json.dumps(event.detail)
    assert event.detail["sessions_ended"] == 1


def test_a_password_set_by_an_administrator_ends_a_pending_invitation(client, admin, make, save,
                                                                     db_session) -> None:
    from assessment.auth.invitations import invite

    user = make.user(Role.ANALYST, email="invited@example.org")
    invite(db_session, user, inviter=admin)
    save()
    assert user.invitation_pending
    post(client, f"/admin/users/{user.id}/password",
         {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    db_session.refresh(user)
    assert not user.invitation_pending
    assert "Resend invitation" not in page(client, f"/admin/users/{user.id}")


def test_set_a_password_without_signing_out(app, client, admin, make, save) -> None:
    user = make.user(Role.ANALYST, email="stays@example.org")
    save()
    browser = signed_in_client(app, "stays@example.org")
    post(client, f"/admin/users/{user.id}/password",
         {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert is_signed_in(browser)


def test_no_password_ever_reaches_the_audit_log(client, admin, make, db_session) -> None:
    post(client, "/admin/users/new", new_user())
    user = db_session.scalar(select(User).where(User.email == "new@example.org"))
    post(client, f"/admin/users/{user.id}/password",
         {"current_password": TEST_PASSWORD, "password": "yet another secret",
          "password_confirm": "yet another secret"})
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
                {"name": "Me", "role": "analyst", "city": "", "region_id": ""})
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
    post(client, f"/admin/users/{other.id}", {"name": "", "role": "analyst", "city": "", "region_id": ""})
    db_session.refresh(other)
    assert other.role == Role.ANALYST


# --- the administrator's own password --------------------------------------------------


def test_setting_a_password_asks_for_the_administrators_own_password(app, client, admin, make, save,
                                                                      events) -> None:
    user = make.user(Role.ANALYST, email="target@example.org")
    save()
    browser = signed_in_client(app, "target@example.org")
    assert 'autocomplete="current-password"' in page(client, f"/admin/users/{user.id}/password")
    typed = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, "sign_out": "y"}

    html = refused(client, f"/admin/users/{user.id}/password", typed)
    assert "Enter your own password." in html
    html = refused(client, f"/admin/users/{user.id}/password",
                   {**typed, "current_password": "not my password"})
    assert "That is not your password. Nothing was changed." in html
    assert NEW_PASSWORD not in html and "not my password" not in html

    assert events("admin.user.password") == []
    assert is_signed_in(browser)
    assert can_sign_in(app, "target@example.org", TEST_PASSWORD)
    assert not can_sign_in(app, "target@example.org", NEW_PASSWORD)
    # The administrator is still signed in and can try again with the right password.
    response = post(client, f"/admin/users/{user.id}/password",
                    {**typed, "current_password": TEST_PASSWORD})
    assert response.status_code == 302
    assert can_sign_in(app, "target@example.org", NEW_PASSWORD)


def test_wrong_own_passwords_are_rate_limited(app, client, admin, make, save, monkeypatch) -> None:
    user = make.user(Role.ANALYST)
    save()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    limiter.reset()
    data = {"current_password": "guess", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    codes = [post(client, f"/admin/users/{user.id}/password", data).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # Blocked for a while even with the right password: guessing gains nothing.
    right = post(client, f"/admin/users/{user.id}/password", {**data, "current_password": TEST_PASSWORD})
    assert right.status_code == 429
    assert can_sign_in(app, user.email, TEST_PASSWORD)
    limiter.reset()


# --- departed users ----------------------------------------------------------------------


def _everything_stored(db_session) -> str:
    """Every row of the tables that hold people's details, as text."""
    rows = []
    for table in ("users", "audit_events", "api_tokens"):
        rows += [str(tuple(row)) for row in db_session.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(rows).lower()


def test_anonymise_a_departed_official(app, client, admin, make, db_session, save, events,
                                       monkeypatch) -> None:
    monkeypatch.setitem(app.config, "API_AUTH_FAILURE_LIMIT", "1000 per minute")
    city = make.city(name="Kigali")
    regional = make.user(Role.REGIONAL, region=city.country.region, email="office@africa.example.org")
    save()
    # The account is created and renamed through the admin pages (both events hold personal data).
    post(client, "/admin/users/new", new_user(email="aline@kigali.example.org", name="Aline M.",
                                              role="official", city=city_text(city)))
    official = db_session.scalar(select(User).where(User.email == "aline@kigali.example.org"))
    post(client, f"/admin/users/{official.id}",
         {"name": "Aline Mukamana", "role": "official", "city": city_text(city), "region_id": ""})
    # She answers and submits; the regional office reopens, naming her in its reason.
    assessment = make.answer(make.assessment(city=city), 2.0, submit=True, user=official)
    save()
    office = signed_in_client(app, regional.email)
    assert office.post(f"/assessments/{assessment.id}/reopen",
                       data={"reason": "Aline@kigali.example.org asked for it"}).status_code == 302
    browser = signed_in_client(app, "aline@kigali.example.org", NEW_PASSWORD)
    secret = tokens.create_token(db_session, official, "Aline Mukamana laptop", actor=official).secret
    save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    answers_before = db_session.scalar(select(func.count()).select_from(Answer).where(
        Answer.assessment_id == assessment.id, Answer.updated_by_id == official.id))
    events_before = {e.id: e.action for e in db_session.scalars(select(AuditEvent))}
    assert answers_before > 0 and "aline@kigali.example.org" in _everything_stored(db_session)

    edit = page(client, f"/admin/users/{official.id}")
    assert f"/admin/users/{official.id}/anonymise" in edit
    confirm = page(client, f"/admin/users/{official.id}/anonymise")
    assert "Anonymising is final" in confirm and "cannot be brought back" in confirm
    # Without the box ticked nothing happens.
    assert "Tick the box" in refused(client, f"/admin/users/{official.id}/anonymise", {})
    assert official.email == "aline@kigali.example.org" and events("admin.user.anonymise") == []

    response = post(client, f"/admin/users/{official.id}/anonymise", {"confirm": "y"})
    assert response.status_code == 302
    done = page(client, response.headers["Location"])
    assert f"Former user #{official.id}" in done and "can never be used again" in done
    assert "1 sign-in was ended." in done and "1 access token was revoked." in done
    assert "Anonymised: cannot be used again" in done

    db_session.refresh(official)
    placeholder = f"former-user-{official.id}@invalid"
    assert (official.email, official.name) == (placeholder, f"Former user #{official.id}")
    assert not official.active and official.city_id == city.id and official.role == Role.OFFICIAL
    # Nobody gets in: not with the old address, not with the new one, not with the token.
    assert not is_signed_in(browser)
    assert not can_sign_in(app, "aline@kigali.example.org", NEW_PASSWORD)
    assert not can_sign_in(app, placeholder, NEW_PASSWORD)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    # The city's answers and every audit event are kept, still pointing to the row.
    assert db_session.scalar(select(func.count()).select_from(Answer).where(
        Answer.assessment_id == assessment.id, Answer.updated_by_id == official.id)) == answers_before
    events_after = {e.id: e.action for e in db_session.scalars(select(AuditEvent))}
    assert events_before.items() <= events_after.items()
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.user_id == official.id)) >= 1
    anonymised, = events("admin.user.anonymise")
    assert anonymised.detail == {"user_id": official.id} and anonymised.user_id == admin.id
    created, = events("admin.user.create")
    assert created.detail["email"] == placeholder
    renamed, = events("admin.user.update")
    assert renamed.detail["changes"]["name"] == ["Former user #" + str(official.id)] * 2
    reopened, = events("reopen")
    assert reopened.detail["reason"] == f"{placeholder} asked for it"
    # No trace of her address or names in the accounts, the audit trail or the token list.
    stored = _everything_stored(db_session)
    for personal in ("aline@kigali.example.org", "aline mukamana", "aline m."):
        assert personal not in stored
    log = page(client, "/admin/audit")
    assert "Account anonymised" in log and placeholder in log and "aline@kigali" not in log.lower()


def test_anonymising_is_final(app, client, admin, make, save, db_session, events) -> None:
    user = make.user(Role.ANALYST, email="gone@example.org")
    save()
    post(client, f"/admin/users/{user.id}/anonymise", {"confirm": "y"})
    assert not user.active
    response = post(client, f"/admin/users/{user.id}/reactivate")
    assert "This account is anonymised" in page(client, response.headers["Location"])
    db_session.refresh(user)
    assert not user.active and events("admin.user.reactivate") == []
    html = refused(client, f"/admin/users/{user.id}/password",
                   {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
                    "password_confirm": NEW_PASSWORD})
    assert "This account is anonymised" in html
    assert not can_sign_in(app, user.email, NEW_PASSWORD)
    edit = page(client, f"/admin/users/{user.id}")
    assert f"/admin/users/{user.id}/anonymise" not in edit and 'name="role"' not in edit
    again = client.get(f"/admin/users/{user.id}/anonymise", follow_redirects=True)
    assert "already anonymised" in again.get_data(as_text=True)
    assert len(events("admin.user.anonymise")) == 1


def test_an_administrator_cannot_anonymise_themself(client, admin, db_session, events) -> None:
    assert f"/admin/users/{admin.id}/anonymise" not in page(client, f"/admin/users/{admin.id}")
    html = refused(client, f"/admin/users/{admin.id}/anonymise", {"confirm": "y"})
    assert "You cannot anonymise your own account." in html
    db_session.refresh(admin)
    assert admin.active and admin.email == "root@example.org"
    assert events("admin.user.anonymise") == []
    assert client.get("/admin").status_code == 200

"""Changing one's own password on the account page: checks, other sign-ins, limits, audit."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from assessment.audit.models import AuditEvent
from assessment.auth.models import Role, User
from assessment.extensions import limiter
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a fresh passphrase"
EMAIL = "ana@example.org"


@pytest.fixture()
def me(make, login, db_session) -> User:
    """A signed-in analyst; committed (to the test's savepoint) so a refused change that rolls
    back keeps it."""
    user = login(make.user(Role.ANALYST, email=EMAIL))
    db_session.commit()
    return user


def change(client, current=TEST_PASSWORD, new=NEW_PASSWORD, again=None, sign_out_others=True):
    data = {"current_password": current, "new_password": new,
            "new_password_confirm": new if again is None else again}
    if sign_out_others:
        data["sign_out_others"] = "y"
    return client.post("/account/password", data=data)


def other_browser(app, password=TEST_PASSWORD):
    """Another browser, signed in through the real form."""
    browser = app.test_client()
    assert browser.post("/sign-in", data={"email": EMAIL, "password": password}).status_code == 302
    return browser


def can_sign_in(app, password) -> bool:
    return app.test_client().post("/sign-in", data={"email": EMAIL, "password": password}).status_code == 302


def is_signed_in(browser) -> bool:
    return browser.get("/account").status_code == 200


def input_tag(html: str, field_id: str) -> str:
    found = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    assert found, field_id
    return found.group(0)


def actions(db_session, user) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(
        AuditEvent.user_id == user.id, AuditEvent.action.startswith("account."))
        .order_by(AuditEvent.id)))


def test_the_account_page_offers_the_change_with_sign_out_ticked(client, me) -> None:
    html = client.get("/account").get_data(as_text=True)
    assert 'action="/account/password"' in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert "checked" in input_tag(html, "sign_out_others")
    assert "Sign out my other sessions" in html


def test_change_password_and_sign_out_the_other_sessions(app, client, me, db_session) -> None:
    browsers = [other_browser(app), other_browser(app)]
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "Your password is changed. 2 other sign-ins were ended." in page
    # This browser stays signed in; the others are signed out.
    assert is_signed_in(client)
    assert not any(is_signed_in(browser) for browser in browsers)
    assert not can_sign_in(app, TEST_PASSWORD)
    assert can_sign_in(app, NEW_PASSWORD)

    changed, ended = actions(db_session, me)
    assert (changed.action, changed.detail) == ("account.password", {"user_id": me.id})
    assert (ended.action, ended.detail) == ("account.sessions_ended", {"user_id": me.id, "count": 2})
    details = json.dumps([e.detail for e in db_session.scalars(select(AuditEvent))])
    assert NEW_PASSWORD not in details and TEST_PASSWORD not in details


def test_unticked_box_keeps_the_other_sessions(app, client, me, db_session) -> None:
    browser = other_browser(app)
    assert change(client, sign_out_others=False).status_code == 302
    assert "Your other sign-ins stay signed in." in client.get("/account").get_data(as_text=True)
    assert is_signed_in(browser) and is_signed_in(client)
    assert can_sign_in(app, NEW_PASSWORD)
    assert [e.action for e in actions(db_session, me)] == ["account.password"]


def test_a_wrong_current_password_changes_nothing_and_shows_nothing_typed(app, client, me,
                                                                          db_session) -> None:
    browser = other_browser(app)
    response = change(client, current="my old guess")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "That is not your current password. Nothing was changed." in html
    assert 'aria-invalid="true"' in input_tag(html, "current_password")
    assert 'value=""' in input_tag(html, "current_password")
    assert 'value=""' in input_tag(html, "new_password")
    for typed in ("my old guess", NEW_PASSWORD, TEST_PASSWORD):
        assert typed not in html
    assert can_sign_in(app, TEST_PASSWORD) and not can_sign_in(app, NEW_PASSWORD)
    assert is_signed_in(browser) and is_signed_in(client)
    assert actions(db_session, me) == []


@pytest.mark.parametrize(("new", "again", "message"), [
    (NEW_PASSWORD, "something else entirely", "The two passwords are not the same."),
    ("short", "short", "at least 10 characters"),
    ("", "", "Enter a new password."),
    (TEST_PASSWORD, TEST_PASSWORD, "differs from the current one"),
])
def test_the_new_password_is_checked(app, client, me, db_session, new, again, message) -> None:
    response = change(client, new=new, again=again)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert TEST_PASSWORD not in html and NEW_PASSWORD not in html
    assert can_sign_in(app, TEST_PASSWORD)
    assert actions(db_session, me) == []


def test_an_empty_current_password_is_a_field_error(client, me) -> None:
    response = change(client, current="")
    assert response.status_code == 400
    assert "Enter your current password." in response.get_data(as_text=True)


def test_wrong_current_passwords_are_rate_limited_per_account(app, client, me, make, login, db_session,
                                                              monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        codes = [change(client, current=f"guess {n}").status_code for n in range(4)]
        assert codes == [400, 400, 400, 429]
        blocked = change(client, current="guess 5")
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        assert "Too many wrong passwords" in blocked.get_data(as_text=True)
        # Blocked for a while even with the right password: guessing gains nothing.
        assert change(client).status_code == 429
        assert can_sign_in(app, TEST_PASSWORD)
        # Another account, from the same address, is not affected.
        login(make.user(Role.ANALYST, email="bo@example.org"))
        db_session.commit()
        assert change(client).status_code == 302
    finally:
        limiter.reset()


def test_successful_changes_are_not_counted_as_attempts(app, client, me, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    limiter.reset()
    try:
        assert change(client, sign_out_others=False).status_code == 302
        assert change(client, current=NEW_PASSWORD, new="and yet another one",
                      sign_out_others=False).status_code == 302
    finally:
        limiter.reset()


def test_changing_the_password_needs_a_signed_in_user_and_a_csrf_token(app, client, me,
                                                                       monkeypatch) -> None:
    anonymous = app.test_client()
    response = anonymous.post("/account/password", data={"current_password": TEST_PASSWORD})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    with monkeypatch.context() as patched:
        patched.setitem(app.config, "WTF_CSRF_ENABLED", True)
        assert change(client).status_code == 400
    assert can_sign_in(app, TEST_PASSWORD)

"""Password resets: asked for from the sign-in page, answered the same for any address, limited
per client and per address, a link that works once and for a while, a new password that ends
every other sign-in."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from assessment.audit.models import AuditEvent
from assessment.auth import tokens
from assessment.auth.models import Role, User
from assessment.extensions import limiter
from assessment.mail.models import OutgoingMail
from tests.conftest import TEST_PASSWORD
from tests.mailbox import check_no_remote_content, link, parts, read, sent

NEW_PASSWORD = "a password I will remember"


@pytest.fixture(autouse=True)
def fresh_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "1000 per hour")
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture()
def person(make: Any, db_session: Any) -> User:
    user = make.user(Role.OFFICIAL, email="amina@nairobi.example.org")
    user.name = "Amina Otieno"
    db_session.commit()
    return user


def ask(client: Any, email: str, **kwargs: Any) -> Any:
    return client.post("/reset", data={"email": email}, **kwargs)


def page_text(response: Any) -> str:
    """The page as every visitor gets it (each browser has its own CSRF token)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def signed_in_client(app: Flask, email: str, password: str = TEST_PASSWORD) -> Any:
    other = app.test_client()
    assert other.post("/sign-in", data={"email": email, "password": password}).status_code == 302
    return other


def is_signed_in(client: Any) -> bool:
    return "Sign out" in client.get("/methodology").get_data(as_text=True)


def events(session: Any, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def mail_count(session: Any) -> int:
    return session.scalar(select(func.count(OutgoingMail.id))) or 0


def test_the_sign_in_page_offers_a_reset(client) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/reset"' in page and "Forgot your password?" in page
    assert "ask them to set a new one" not in page
    form = client.get("/reset").get_data(as_text=True)
    assert 'name="email"' in form and "Send me a link" in form


def test_a_reset_link_sets_a_new_password_and_ends_every_other_sign_in(app, person, db_session) -> None:
    elsewhere = signed_in_client(app, person.email)
    answer = ask(app.test_client(), " Amina@Nairobi.example.org ")
    assert answer.status_code == 200
    assert "If an account exists for that address, we have sent a link" in answer.text
    requested, = events(db_session, "auth.password_reset_requested")
    assert requested.user_id is None and requested.detail["user_id"] == person.id

    message = read(sent(db_session, "password_reset", to=person.email)[0])
    text, html = parts(message)
    assert "Amina Otieno" in text and person.email in html
    check_no_remote_content(app, html)
    path = link(app, message, "/reset/")

    browser = app.test_client()
    page = browser.get(path).get_data(as_text=True)
    assert person.email in page and "Choose a new password" in page
    mismatch = browser.post(path, data={"new_password": NEW_PASSWORD, "new_password_confirm": "no"})
    assert mismatch.status_code == 200 and "The two passwords are not the same." in mismatch.text
    done = browser.post(path, data={"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert is_signed_in(browser)
    assert not is_signed_in(elsewhere)  # the other sign-in ended
    assert app.test_client().post("/sign-in", data={"email": person.email,
                                                     "password": TEST_PASSWORD}).status_code == 200
    signed_in_client(app, person.email, NEW_PASSWORD)
    reset, = events(db_session, "auth.password_reset")
    assert reset.user_id == person.id and reset.detail["sessions_ended"] == 1

    used = app.test_client().get(path)
    assert used.status_code == 410 and "This link has already been used" in used.text
    assert 'href="/reset"' in used.text


def test_an_unknown_or_deactivated_address_gets_the_same_answer_and_no_mail(app, person, make,
                                                                          db_session) -> None:
    known = ask(app.test_client(), person.email)
    sent_before = mail_count(db_session)
    unknown = ask(app.test_client(), "nobody@nowhere.example.org")
    gone = make.user(Role.ANALYST, email="left@example.org")
    gone.active = False
    db_session.commit()
    deactivated = ask(app.test_client(), "left@example.org")
    malformed = ask(app.test_client(), "not an address")
    for other in (unknown, deactivated, malformed):
        assert other.status_code == known.status_code == 200
        assert page_text(other) == page_text(known)
    assert mail_count(db_session) == sent_before == 1
    assert len(events(db_session, "auth.password_reset_requested")) == 1  # the known one only


def test_reset_requests_are_limited_per_address_and_per_client(app, person, monkeypatch,
                                                              db_session) -> None:
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "2 per hour")
    # One address, asked for from three networks: the third is answered alike and sends nothing.
    answers = [ask(app.test_client(), person.email,
                   environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}) for n in (1, 2, 3)]
    assert {a.status_code for a in answers} == {200}
    assert len({page_text(a) for a in answers}) == 1
    assert len(sent(db_session, "password_reset")) == 2

    # One network asking for many addresses is limited too.
    other = User(email="wanjiru@nairobi.example.org", name="", password_hash="!x", role=Role.ANALYST)
    db_session.add(other)
    db_session.commit()
    client = app.test_client()
    for address in ("a@example.org", "b@example.org", other.email):
        assert ask(client, address, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200
    assert sent(db_session, "password_reset", to=other.email) == []


def test_an_expired_reset_link_offers_to_ask_again(app, person, monkeypatch, db_session) -> None:
    make = tokens.make
    then = int(time.time() - (app.config["RESET_HOURS"] * 3600 + 60))

    def made_earlier(user: User, purpose: tokens.Purpose) -> str:
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: then)
            return make(user, purpose)

    monkeypatch.setattr(tokens, "make", made_earlier)
    ask(app.test_client(), person.email)
    path = link(app, read(sent(db_session, "password_reset")[0]), "/reset/")
    page = app.test_client().get(path)
    assert page.status_code == 410 and "This link has expired" in page.text
    assert 'href="/reset"' in page.text
    refused = app.test_client().post(path, data={"new_password": NEW_PASSWORD,
                                                 "new_password_confirm": NEW_PASSWORD})
    assert refused.status_code == 410
    signed_in_client(app, person.email)  # the old password still works


def test_a_reset_accepts_a_pending_invitation(app, make, db_session) -> None:
    from assessment.auth.invitations import invite

    user = make.user(Role.ANALYST, email="invited@example.org")
    with app.test_request_context():
        invite(db_session, user, inviter=None)
    db_session.commit()
    ask(app.test_client(), user.email)
    path = link(app, read(sent(db_session, "password_reset")[0]), "/reset/")
    app.test_client().post(path, data={"new_password": NEW_PASSWORD,
                                       "new_password_confirm": NEW_PASSWORD})
    db_session.refresh(user)
    assert user.accepted_at is not None and not user.invitation_pending

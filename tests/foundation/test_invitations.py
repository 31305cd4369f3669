"""Invitations, as the people concerned live them: an administrator adds an account, the message
arrives (text and HTML, in the recipient's language, nothing remote), the link sets a password
and signs in once; used, outdated and expired links say so, and an expired one offers a new
invitation, sent to the address on file and rate-limited. One test sends through a real SMTP
server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from assessment.audit.models import AuditEvent
from assessment.auth import tokens
from assessment.auth.models import Role, User
from assessment.extensions import limiter
from assessment.mail.models import MailStatus
from tests.mailbox import check_no_remote_content, link, parts, read, sent

NEW_PASSWORD = "my own new password"


@pytest.fixture(autouse=True)
def fresh_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rate-limit counters outlive a test's rolled-back rows: start and end with none."""
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "1000 per hour")
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture()
def admin(make: Any, login: Any, db_session: Any) -> User:
    user = login(make.user(Role.ADMIN, email="root@example.org"))
    user.name = "Rosa Admin"
    db_session.commit()
    return user


def add_by_invitation(client: Any, city: Any, **fields: Any) -> Any:
    data = {"email": "aline@kigali.example.org", "name": "Aline Uwase", "role": "official",
            "city": f"{city.name} ({city.country.name})", "region_id": "", "language": "",
            "first_sign_in": "invite", "password": "", "password_confirm": ""}
    data.update(fields)
    return client.post("/admin/users/new", data=data)


def events(session: Any, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def is_signed_in(client: Any) -> bool:
    return "Sign out" in client.get("/methodology").get_data(as_text=True)


def sign_in(app: Flask, email: str, password: str) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return response.status_code == 302


@pytest.fixture()
def kigali(make: Any) -> Any:
    africa = make.region("Africa")
    return make.city(country=make.country(region=africa, name="Rwanda"), name="Kigali")


def test_an_invited_official_sets_a_password_and_is_signed_in(app, client, admin, kigali, get_user,
                                                             db_session) -> None:
    response = add_by_invitation(client, kigali)
    assert response.status_code == 302
    user = get_user("aline@kigali.example.org")
    assert user.city_id == kigali.id and user.invitation_pending and user.invited_by_id == admin.id
    assert user.password_hash.startswith("!")  # no password works until they choose one
    assert not sign_in(app, user.email, "")

    row, = sent(db_session, "invitation", to=user.email)
    message = read(row)
    assert message["To"] == user.email
    assert message["Subject"] == "Your account for the City Innovation Self-Assessment"
    text, html = parts(message)
    assert "Aline Uwase" in text and "Rosa Admin" in text and "Kigali" in text
    assert "Aline Uwase" in html and "Rosa Admin" in html
    check_no_remote_content(app, html)
    path = link(app, message, "/invitation/")
    sent_event, = events(db_session, "auth.invitation_sent")
    assert sent_event.user_id == admin.id and sent_event.detail["user_id"] == user.id
    assert sent_event.detail["city_id"] == kigali.id

    invitee = app.test_client()
    page = invitee.get(path).get_data(as_text=True)
    assert "Aline Uwase" in page and "aline@kigali.example.org" in page
    refused = invitee.post(path, data={"new_password": NEW_PASSWORD, "new_password_confirm": "other"})
    assert refused.status_code == 200 and "The two passwords are not the same." in refused.text
    short = invitee.post(path, data={"new_password": "short", "new_password_confirm": "short"})
    assert "at least 10 characters" in short.text
    assert get_user(user.email).accepted_at is None

    done = invitee.post(path, data={"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert is_signed_in(invitee)
    db_session.refresh(user)
    assert user.accepted_at is not None and not user.invitation_pending
    assert user.language == "en"  # the language the invitation page was read in
    assert sign_in(app, user.email, NEW_PASSWORD)
    accepted, = events(db_session, "auth.invitation_accepted")
    assert accepted.user_id == user.id
    assert events(db_session, "auth.sign_in")[0].user_id == user.id


def test_a_used_invitation_link_is_refused(app, client, admin, kigali, db_session) -> None:
    add_by_invitation(client, kigali)
    path = link(app, read(sent(db_session, "invitation")[0]), "/invitation/")
    invitee = app.test_client()
    invitee.post(path, data={"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.text
    assert 'href="/sign-in"' in again.text and 'href="/reset"' in again.text
    assert "Send me a new invitation" not in again.text
    # Posting a password to it changes nothing either.
    other = app.test_client().post(path, data={"new_password": "an attacker's password",
                                               "new_password_confirm": "an attacker's password"})
    assert other.status_code == 410
    assert sign_in(app, "aline@kigali.example.org", NEW_PASSWORD)


def test_a_tampered_or_foreign_link_does_not_work(app, client, admin, kigali, db_session,
                                                  get_user) -> None:
    add_by_invitation(client, kigali)
    path = link(app, read(sent(db_session, "invitation")[0]), "/invitation/")
    token = path.removeprefix("/invitation/")
    assert app.test_client().get(path[:-2] + ("AA" if path[-2:] != "AA" else "BB")).status_code == 404
    # An invitation token is no reset token (another salt), and the other way round.
    assert app.test_client().get("/reset/" + token).status_code == 404
    with app.test_request_context():
        reset_token = tokens.make(get_user("aline@kigali.example.org"), tokens.Purpose.RESET)
    assert app.test_client().get("/invitation/" + reset_token).status_code == 404


@pytest.fixture()
def next_link_made_hours_ago(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The next link made is signed as if ``hours`` ago (itsdangerous reads the clock when
    signing); later links, and the clock of everything else (session cookies), are left alone."""

    def move(hours: float) -> None:
        make = tokens.make
        then = int(time.time() - hours * 3600)

        def made_earlier(user: User, purpose: tokens.Purpose) -> str:
            monkeypatch.setattr(tokens, "make", make)
            with monkeypatch.context() as patch:
                patch.setattr(TimestampSigner, "get_timestamp", lambda self: then)
                return make(user, purpose)

        monkeypatch.setattr(tokens, "make", made_earlier)

    return move


def test_an_expired_invitation_offers_a_new_one_sent_to_the_address_on_file(
        app, client, admin, kigali, db_session, next_link_made_hours_ago, get_user) -> None:
    next_link_made_hours_ago(app.config["INVITATION_HOURS"] + 1)
    add_by_invitation(client, kigali)
    expired = link(app, read(sent(db_session, "invitation")[0]), "/invitation/")

    invitee = app.test_client()
    page = invitee.get(expired)
    assert page.status_code == 410
    assert "This invitation has expired" in page.text and "Send me a new invitation" in page.text
    assert "aline@kigali.example.org" not in page.text  # a stale link says nothing of the account
    # Nothing typed in the form can redirect the new message elsewhere.
    renewed = invitee.post(expired + "/renew", data={"email": "attacker@example.net"})
    assert renewed.status_code == 200 and "A new invitation is on its way" in renewed.text
    first, second = sent(db_session, "invitation")
    assert second.to_address == first.to_address == "aline@kigali.example.org"
    assert [e.detail["renewed"] for e in events(db_session, "auth.invitation_sent")] == [False, True]
    assert get_user("aline@kigali.example.org").invited_by_id == admin.id

    # The expired link is now outdated; the new one works.
    outdated = app.test_client().get(expired)
    assert outdated.status_code == 410 and "A newer invitation was sent" in outdated.text
    fresh = link(app, read(second), "/invitation/")
    assert invitee.post(fresh, data={"new_password": NEW_PASSWORD,
                                     "new_password_confirm": NEW_PASSWORD}).status_code == 302


def test_asking_for_new_invitations_is_rate_limited(app, client, admin, kigali, db_session,
                                                    next_link_made_hours_ago, monkeypatch) -> None:
    next_link_made_hours_ago(app.config["INVITATION_HOURS"] + 1)
    add_by_invitation(client, kigali)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "1 per hour")
    expired = link(app, read(sent(db_session, "invitation")[0]), "/invitation/")
    assert client.post(expired + "/renew").status_code == 200
    # The old link is outdated now, and may still ask; the limit says no.
    again = client.post(expired + "/renew")
    assert again.status_code == 429 and "Too many new invitations" in again.text
    assert len(sent(db_session, "invitation")) == 2
    # A valid link cannot be used to ask for more mail.
    fresh = link(app, read(sent(db_session, "invitation")[1]), "/invitation/")
    assert client.post(fresh + "/renew").headers["Location"] == fresh
    assert len(sent(db_session, "invitation")) == 2


def test_a_french_speaking_official_gets_the_invitation_in_french(app, client, admin, kigali,
                                                                 db_session) -> None:
    add_by_invitation(client, kigali, email="marie@kigali.example.org", language="fr")
    message = read(sent(db_session, "invitation", to="marie@kigali.example.org")[0])
    assert message["Content-Language"] == "fr"
    _text, html = parts(message)
    assert '<html lang="fr"' in html
    assert "Autoévaluation de l'innovation urbaine" in html
    check_no_remote_content(app, html)


def test_resending_an_invitation_replaces_the_link(app, client, admin, kigali, db_session,
                                                   get_user) -> None:
    add_by_invitation(client, kigali)
    user = get_user("aline@kigali.example.org")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Invited on" in listing and "not accepted yet" in listing
    assert f'action="/admin/users/{user.id}/invite"' in listing and "Never signed in" in listing
    first = link(app, read(sent(db_session, "invitation")[0]), "/invitation/")

    response = client.post(f"/admin/users/{user.id}/invite", data={"next": "/admin/users?q=aline"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users?q=aline"
    second = link(app, read(sent(db_session, "invitation")[1]), "/invitation/")
    assert first != second
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200

    app.test_client().post(second, data={"new_password": NEW_PASSWORD,
                                         "new_password_confirm": NEW_PASSWORD})
    listing = client.get("/admin/users", query_string={"q": "aline"}).get_data(as_text=True)
    assert "accepted on" in listing and f'action="/admin/users/{user.id}/invite"' not in listing
    # Once the account is in use, an invitation would take its password away: refused.
    client.post(f"/admin/users/{user.id}/invite")
    assert len(sent(db_session, "invitation")) == 2
    assert sign_in(app, user.email, NEW_PASSWORD)


def test_a_deactivated_account_gets_no_invitation(app, client, admin, kigali, db_session,
                                                  get_user) -> None:
    add_by_invitation(client, kigali)
    user = get_user("aline@kigali.example.org")
    path = link(app, read(sent(db_session, "invitation")[0]), "/invitation/")
    client.post(f"/admin/users/{user.id}/deactivate")
    assert app.test_client().get(path).status_code == 404
    page = client.post(f"/admin/users/{user.id}/invite", follow_redirects=True)
    assert "is deactivated" in page.get_data(as_text=True)
    assert len(sent(db_session, "invitation")) == 1


def test_an_invitation_queued_then_outdated_is_not_sent(app, db_session, make) -> None:
    from assessment import jobs
    from assessment.auth.invitations import invite

    user = make.user(Role.ANALYST, email="late@example.org")
    with app.test_request_context():
        invite(db_session, user, inviter=None)
        invite(db_session, user, inviter=None)
        db_session.commit()
        jobs.run_ready(db_session)
    first, second = sent(db_session, "invitation")
    assert (first.status, second.status) == (MailStatus.CANCELLED, MailStatus.SENT)


# --- through a real SMTP server on loopback ------------------------------------------------------


def test_an_invitation_sent_over_smtp_is_accepted(app, client, admin, kigali, smtp, db_session,
                                                  get_user) -> None:
    add_by_invitation(client, kigali)
    row, = sent(db_session, "invitation")
    assert row.status == MailStatus.SENT
    message, = smtp.messages
    assert message["To"] == "aline@kigali.example.org"
    text, html = parts(message)
    check_no_remote_content(app, html)
    public = app.config["PUBLIC_URL"]
    path = next(word for word in text.split() if word.startswith(public + "/invitation/"))
    invitee = app.test_client()
    response = invitee.post(path.removeprefix(public),
                            data={"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and is_signed_in(invitee)
    assert get_user("aline@kigali.example.org").accepted_at is not None

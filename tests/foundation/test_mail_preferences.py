"""Mail choices on the account page: one box per optional kind of message (whatever the features
declared), essential ones listed as always sent; what is turned off is not queued."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from assessment import mail
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.mail import Kind


def box(page: str, kind: str) -> str:
    """The checkbox of ``kind`` on the account page, as one tag."""
    match = re.search(rf'<input[^>]*id="mail_{kind}"[^>]*>', page)
    assert match, kind
    return match.group(0)


@pytest.fixture()
def kinds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two optional kinds besides any the app declares (for example reminders)."""
    def context(session: Any, params: dict[str, Any]) -> dict[str, Any]:
        return {"subject": "Test"}

    for name, label in (("test_digest", "Weekly digest (test)"), ("test_news", "News (test)")):
        monkeypatch.setitem(mail.KINDS, name, Kind(name, label, False, context))
    return [item.name for item in mail.optional_kinds()]


def test_the_account_page_lists_every_optional_kind_ticked(client, login, make, kinds) -> None:
    login(make.user(Role.OFFICIAL))
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/mail"' in page
    for name in kinds:
        assert "checked" in box(page, name)
    assert "Weekly digest (test)" in page and "News (test)" in page
    assert "Always sent" in page
    assert "Invitations to set up your account" in page and "Password reset links" in page
    assert 'href="/account/password"' not in page  # the password form is on the page itself
    assert 'action="/account/password"' in page


def test_preferences_are_saved_and_respected(app, client, login, make, kinds, db_session) -> None:
    user = login(make.user(Role.OFFICIAL))
    user.mail_opt_outs = "retired_kind"  # a kind no longer offered keeps its choice
    db_session.commit()
    ticked = {f"mail_{name}": "y" for name in kinds if name != "test_digest"}
    response = client.post("/account/mail", data=ticked)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#mail-heading")
    db_session.refresh(user)
    assert set(user.mail_opt_outs.split(",")) == {"retired_kind", "test_digest"}
    assert not user.wants_mail("test_digest") and user.wants_mail("test_news")
    event, = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "account.mail_preferences"))
    assert event.detail["turned_off"] == ["test_digest"] and event.user_id == user.id

    page = client.get("/account").get_data(as_text=True)
    assert "checked" not in box(page, "test_digest") and "checked" in box(page, "test_news")

    with app.test_request_context():
        assert mail.queue(db_session, "test_digest", user) is None
        assert mail.queue(db_session, "test_news", user) is not None

    # Ticking it again turns it back on.
    client.post("/account/mail", data={f"mail_{name}": "y" for name in kinds})
    db_session.refresh(user)
    assert user.mail_opt_outs == "retired_kind"

"""Fixtures for the admin pages: a signed-in administrator and helpers to read pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.audit.models import AuditEvent
from assessment.auth.models import Role, User
from assessment.questionnaire import Questionnaire, parse_questionnaire


@pytest.fixture()
def admin(make: Any, login: Callable[[User], User], db_session: Session) -> User:
    """A signed-in administrator. The setup is committed (to the test's savepoint) so that a
    request which rolls back after a failed write cannot take it away."""
    user = login(make.user(Role.ADMIN, email="root@example.org"))
    db_session.commit()
    return user


@pytest.fixture()
def save(db_session: Session) -> Callable[[], None]:
    """Keep what a test built before a request that may roll back (see ``admin``)."""
    return db_session.commit


@pytest.fixture()
def events(db_session: Session) -> Callable[[str], list[AuditEvent]]:
    def find(action: str) -> list[AuditEvent]:
        return list(db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))

    return find


def page(client: FlaskClient, url: str, **kwargs: Any) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=data or {})


def older_questionnaire(current: Questionnaire) -> Questionnaire:
    """The current questionnaire as it read before an edit: another label and another title."""
    first = current.elements[0]
    text = current.source_text.replace(f'version: "{current.version}"', 'version: "2025.9"').replace(
        f"en: {first.title}\n", f"en: {first.title} (old wording)\n", 1)
    older = parse_questionnaire(text, source="older questionnaire")
    assert older.version == "2025.9" and older.elements[0].title.endswith("(old wording)")
    return older


def refused(client: FlaskClient, url: str, data: dict[str, Any]) -> str:
    """Post a form that should come back (200) with messages rather than redirect."""
    response = client.post(url, data=data)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)

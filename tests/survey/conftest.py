"""Survey fixtures: a second browser, and signing in on any client. The helpers that fill in
forms the way a browser would live in ``tests/forms.py`` (imported here for the survey tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.auth.models import User


@pytest.fixture()
def second_client(app: Flask, db_session) -> FlaskClient:
    """Another browser: a colleague working at the same time."""
    return app.test_client()


@pytest.fixture()
def login_on(app: Flask, db_session) -> Callable[[FlaskClient, User], User]:
    """Sign ``user`` in on any client (the shared ``login`` fixture only knows ``client``)."""
    from assessment.auth import services as auth_services

    def sign_in(client: FlaskClient, user: User) -> User:
        token = auth_services.start_session(db_session, user, app.config["SESSION_HOURS"])
        db_session.flush()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = token
        return user

    return sign_in

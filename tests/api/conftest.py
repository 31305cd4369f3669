from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assessment.api import tokens
from assessment.auth.models import User
from assessment.extensions import limiter
from tests.conftest import ExportWorld as World
from tests.conftest import build_export_world as build_world


@pytest.fixture(autouse=True)
def _generous_failure_limit(app, monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Many tests send wrong tokens on purpose; only the rate-limit test tightens the limit."""
    monkeypatch.setitem(app.config, "API_AUTH_FAILURE_LIMIT", "100000 per minute")
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture()
def world(make) -> World:  # type: ignore[no-untyped-def]
    return build_world(make)


@pytest.fixture()
def token_for(db_session) -> Callable[[User], str]:  # type: ignore[no-untyped-def]
    def create(user: User, name: str = "test") -> str:
        return tokens.create_token(db_session, user, name).secret

    return create


@pytest.fixture()
def api(client, token_for) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """GET an API path as ``user`` (a bearer token is made for them); returns the response."""

    def get(path: str, user: User | None = None, *, token: str | None = None, **params: Any) -> Any:
        headers = {}
        if user is not None or token is not None:
            headers["Authorization"] = f"Bearer {token or token_for(user)}"  # type: ignore[arg-type]
        return client.get(f"/api/v1{path}", headers=headers, query_string=params or None)

    return get

"""Personal access tokens: created, used and revoked on the account page, by an admin and from the CLI."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from assessment.api.models import ApiToken
from assessment.audit.models import AuditEvent
from assessment.extensions import limiter

TOKEN = re.compile(r"cisa_[A-Za-z0-9_-]{43}")


def _create_on_page(client, path: str = "/account", name: str = "Laptop R script") -> str:  # type: ignore[no-untyped-def]
    response = client.post(path, data={"name": name})
    assert response.status_code == 201, response.get_data(as_text=True)[:400]
    assert response.headers["Cache-Control"] == "no-store"
    found = TOKEN.findall(response.get_data(as_text=True))
    assert len(found) == 1
    return found[0]


def test_a_user_creates_uses_and_revokes_a_token_on_the_account_page(client, login, api, world,
                                                                     db_session) -> None:
    login(world.analyst)
    assert "No tokens yet" in client.get("/account").get_data(as_text=True)
    secret = _create_on_page(client)
    stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == world.analyst.id))
    # Only the hash is kept; the page shows the token once.
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.token_hash, stored.prefix} and secret.startswith(stored.prefix)
    page = client.get("/account").get_data(as_text=True)
    assert secret not in page and stored.prefix in page and "Laptop R script" in page
    assert stored.last_used_at is None

    assert api("/me", token=secret).status_code == 200
    db_session.refresh(stored)
    assert stored.last_used_at is not None
    assert "never" not in client.get("/account").get_data(as_text=True).split("Laptop R script")[1][:400]

    response = client.post(f"/account/tokens/revoke/{stored.id}", follow_redirects=True)
    assert "no longer works" in response.get_data(as_text=True)
    refused = api("/me", token=secret)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refused.get_json()["error"] == "Unauthorized"
    actions = [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert [a for a in actions if a.startswith("token_")][-2:] == ["token_create", "token_revoke"]
    assert "api.read" in actions  # the read with the token is in the trail too


def test_token_names_are_required_and_short(client, login, world) -> None:
    login(world.official)
    assert client.post("/account", data={"name": ""}).status_code == 400
    response = client.post("/account", data={"name": "x" * 81})
    assert response.status_code == 400 and not TOKEN.search(response.get_data(as_text=True))


def test_nobody_revokes_someone_elses_token(client, login, world, token_for, db_session, api) -> None:
    secret = token_for(world.analyst)
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == world.analyst.id))
    login(world.regional)
    assert client.post(f"/account/tokens/revoke/{token.id}").status_code == 404
    assert client.get(f"/account/tokens/{world.analyst.id}").status_code == 403
    assert api("/me", token=secret).status_code == 200


def test_an_admin_manages_any_accounts_tokens(client, login, world, db_session, api) -> None:
    login(world.admin)
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/tokens"' in page  # find another account
    response = client.get("/account/tokens", query_string={"email": world.regional.email})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/account/tokens/{world.regional.id}")
    secret = _create_on_page(client, f"/account/tokens/{world.regional.id}", "Dashboard sync")
    me = api("/me", token=secret).get_json()
    assert me["email"] == world.regional.email and me["region"]["name"] == "Africa"
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == world.regional.id))
    response = client.post(f"/account/tokens/revoke/{token.id}")
    assert response.headers["Location"].endswith(f"/account/tokens/{world.regional.id}")
    assert api("/me", token=secret).status_code == 401
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "token_create"))
    assert event.user_id == world.admin.id and event.detail["owner_id"] == world.regional.id
    assert client.get("/account/tokens/999999").status_code == 404
    missing = client.get("/account/tokens", query_string={"email": "nobody@example.org"},
                         follow_redirects=True)
    assert "No account matches “nobody@example.org”." in missing.get_data(as_text=True)
    # A part of a name or an address is enough when one account has it; several go to the list.
    world.regional.name = "Grace Mutoni"
    db_session.commit()
    one = client.get("/account/tokens", query_string={"email": "mutoni"})
    assert one.headers["Location"].endswith(f"/account/tokens/{world.regional.id}")
    several = client.get("/account/tokens", query_string={"email": "example.org"})
    assert several.headers["Location"] == "/admin/users?q=example.org"


def test_account_page_needs_csrf_for_changes(client, login, world, app, monkeypatch) -> None:
    login(world.analyst)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/account", data={"name": "x"}).status_code == 400


def test_cli_creates_lists_and_revokes_tokens(runner, world, api, db_session) -> None:
    result = runner.invoke(args=["tokens", "create", "--email", world.analyst.email, "--name", "cron"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert TOKEN.fullmatch(secret), "standard output holds the token alone"
    assert "shown only this once" in result.stderr
    assert api("/me", token=secret).get_json()["email"] == world.analyst.email

    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0 and secret not in listed.output
    fields = listed.stdout.strip().split("\t")
    assert fields[1:4] == [world.analyst.email, "cron", secret[:12] + "…"] and fields[-1] == "active"

    token_id = fields[0]
    assert runner.invoke(args=["tokens", "revoke", token_id]).exit_code == 0
    assert api("/me", token=secret).status_code == 401
    assert runner.invoke(args=["tokens", "list"]).stdout == ""
    assert "revoked" in runner.invoke(args=["tokens", "list", "--all"]).stdout


def test_cli_revokes_every_token_of_an_account(runner, world, token_for, api) -> None:
    first, second = token_for(world.official), token_for(world.official)
    result = runner.invoke(args=["tokens", "revoke", "--email", world.official.email])
    assert result.exit_code == 0 and "Revoked 2 tokens." in result.output
    assert api("/me", token=first).status_code == 401 and api("/me", token=second).status_code == 401
    assert runner.invoke(args=["tokens", "revoke", "424242"]).exit_code == 1
    assert runner.invoke(args=["tokens", "create", "--email", "nobody@example.org"]).exit_code == 1


def test_missing_malformed_and_unknown_tokens_get_401(api, client, world) -> None:
    missing = api("/me")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="City Innovation Self-Assessment API"'
    basic = client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and 'error="invalid_request"' in basic.headers["WWW-Authenticate"]
    unknown = api("/me", token="cisa_" + "x" * 43)
    assert unknown.status_code == 401 and unknown.is_json


def test_tokens_of_deactivated_accounts_stop_working(api, world, token_for, db_session) -> None:
    secret = token_for(world.analyst)
    world.analyst.active = False
    db_session.flush()
    assert api("/me", token=secret).status_code == 401


def test_failed_token_checks_are_rate_limited(api, world, token_for, app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "API_AUTH_FAILURE_LIMIT", "3 per minute")
    limiter.reset()
    for _ in range(3):
        assert api("/me", token="cisa_wrong").status_code == 401
    blocked = api("/me", token="cisa_wrong")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "60"
    # The address is blocked for a while, even with a good token: guessing gains nothing.
    assert api("/me", world.analyst).status_code == 429


def test_an_account_has_at_most_twenty_active_tokens(client, login, world, token_for) -> None:
    for n in range(20):
        token_for(world.official, f"token {n}")
    login(world.official)
    response = client.post("/account", data={"name": "one more"})
    assert response.status_code == 400 and "at most 20 active tokens" in response.get_data(as_text=True)
    revoke = re.search(r'action="(/account/tokens/revoke/\d+)"', response.get_data(as_text=True))
    client.post(revoke.group(1))
    assert client.post("/account", data={"name": "one more"}).status_code == 201

"""Tokens an organisation can govern: an expiry (TOKEN_DAYS by default, at most TOKEN_MAX_DAYS),
read scopes by table and region, the last use, and a notice before they expire."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from assessment import jobs
from assessment.api import notices, tokens
from assessment.api.models import ApiToken
from assessment.config import ConfigError, load_settings
from assessment.database import utcnow
from tests.mailbox import parts, sent
from tests.mailbox import read as read_mail


def _token(db_session, prefix: str) -> ApiToken:  # type: ignore[no-untyped-def]
    return db_session.scalars(select(ApiToken).where(ApiToken.prefix == prefix[:12])).one()


def test_a_token_works_for_token_days_by_default(app, db_session, world, token_for, api) -> None:
    secret = token_for(world.analyst)
    token = _token(db_session, secret)
    assert token.expires_at - token.created_at == timedelta(days=app.config["TOKEN_DAYS"]) \
        == timedelta(days=90)
    body = api("/me", token=secret).get_json()["token"]
    assert body["expires_at"] == token.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["tables"] is None and body["regions"] is None


def test_an_expired_token_is_refused(api, world, db_session, token_for) -> None:
    secret = token_for(world.analyst)
    assert api("/tables/scores", token=secret).status_code == 200
    _token(db_session, secret).expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    response = api("/tables/scores", token=secret)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "expired" in response.get_json()["detail"]
    assert tokens.active_tokens(db_session, world.analyst) == []


def test_a_token_reads_only_its_tables(api, world, db_session) -> None:
    secret = tokens.create_token(db_session, world.analyst, "scores only",
                                 tables=["scores", "codebook"]).secret
    assert api("/tables/scores", token=secret).status_code == 200
    assert api("/tables/codebook", token=secret).status_code == 200
    for table in ("long", "wide", "choices", "actions"):
        refused = api(f"/tables/{table}", token=secret)
        assert refused.status_code == 403, table
        assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
        assert "codebook, scores" in refused.get_json()["detail"]
    assert api("/me", token=secret).get_json()["token"]["tables"] == ["codebook", "scores"]


def test_a_token_reads_only_its_regions_within_its_account(api, world, db_session) -> None:
    africa = tokens.create_token(db_session, world.analyst, "Africa",
                                 region_ids=[world.africa.id]).secret
    for table in ("long", "wide", "scores"):
        rows = api(f"/tables/{table}", token=africa, per_page=1000).get_json()["data"]
        assert {r["region"] for r in rows} == {"Africa"}, table
    cities = api("/cities", token=africa, per_page=100).get_json()["data"]
    assert {c["name"] for c in cities} == {"Kigali", "Nairobi"}
    assert [r["name"] for r in api("/regions", token=africa).get_json()["data"]] == ["Africa"]
    assert api("/me", token=africa).get_json()["token"]["regions"] == [
        {"id": world.africa.id, "name": "Africa"}]
    # A region outside the account's own sees nothing: a token never widens its account.
    regional = tokens.create_token(db_session, world.regional, "Asia",
                                   region_ids=[world.asia.id]).secret
    assert api("/tables/wide", token=regional).get_json()["data"] == []


def test_the_account_page_creates_a_limited_token_with_an_expiry(client, login, world, db_session,
                                                                 api) -> None:
    login(world.analyst)
    page = client.get("/account").get_data(as_text=True)
    assert 'name="days"' in page and 'value="90"' in page
    assert 'name="tables" type="checkbox" value="choices"' in page or 'value="choices"' in page
    response = client.post("/account", data={"name": "Stata do-file", "days": "30",
                                             "tables": ["wide", "codebook"],
                                             "regions": [str(world.asia.id)]})
    assert response.status_code == 201
    secret = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert secret is not None
    token = _token(db_session, secret.group(1))
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert token.tables == ["codebook", "wide"] and token.region_ids == [world.asia.id]
    rows = api("/tables/wide", token=secret.group(1)).get_json()["data"]
    assert {r["city"] for r in rows} == {"Bandung"}
    page = client.get("/account").get_data(as_text=True)
    assert "Codebook, Answers (wide); Asia-Pacific" in page or (
        "Answers (wide)" in page and "Asia-Pacific" in page)
    # Longer than TOKEN_MAX_DAYS is refused with the reason.
    refused = client.post("/account", data={"name": "forever", "days": "5000"})
    assert refused.status_code == 400
    assert "1 to 365 days" in refused.get_data(as_text=True)


def test_the_last_use_is_recorded_and_shown(client, login, world, db_session, token_for,
                                            api) -> None:
    secret = token_for(world.analyst, "nightly")
    token = _token(db_session, secret)
    assert token.last_used_at is None
    api("/me", token=secret)
    db_session.refresh(token)
    assert token.last_used_at is not None
    login(world.analyst)
    page = client.get("/account").get_data(as_text=True)
    row = page.split("nightly")[1].split("</tr>")[0]
    assert "never" not in row.split("Expires")[0]


def test_the_owner_is_told_once_before_a_token_expires(app, client, login, world, db_session,
                                                       token_for) -> None:
    soon = _token(db_session, token_for(world.analyst, "soon"))
    later = _token(db_session, token_for(world.analyst, "later"))
    soon.expires_at = utcnow() + timedelta(days=3)
    # The hourly job, as the worker runs it, then the mail it queued.
    jobs.enqueue(db_session, "api.token_notices")
    db_session.commit()
    jobs.run_ready(db_session)
    db_session.refresh(soon)
    db_session.refresh(later)
    assert soon.expiry_notice_at is not None and later.expiry_notice_at is None
    assert notices.send_notices(db_session) == 0  # once
    messages = sent(db_session, notices.MAIL_KIND, world.analyst.email)
    assert len(messages) == 1
    text, html = parts(read_mail(messages[0]))
    assert "“soon”" in text and soon.prefix in text and "/account" in html
    login(world.analyst)
    page = client.get("/account").get_data(as_text=True)
    assert page.count("Expires soon") == 1


def test_the_token_settings_are_checked_when_the_app_starts() -> None:
    settings = load_settings({})
    assert (settings.token_days, settings.token_max_days, settings.token_notice_days) == (90, 365, 7)
    assert load_settings({"TOKEN_DAYS": "30", "TOKEN_MAX_DAYS": "60"}).as_flask_config()[
        "TOKEN_DAYS"] == 30
    with pytest.raises(ConfigError, match=r"TOKEN_DAYS \(400\) cannot be more than TOKEN_MAX_DAYS"):
        load_settings({"TOKEN_DAYS": "400"})
    with pytest.raises(ConfigError, match="TOKEN_NOTICE_DAYS must be at least 1"):
        load_settings({"TOKEN_NOTICE_DAYS": "0"})

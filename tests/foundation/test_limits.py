"""Abuse limits: sign-in per address and per account (without locking the owner out), API
requests and export downloads per user, and client addresses taken from trusted proxies only."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from assessment import create_app
from assessment.api import tokens
from assessment.auth.models import Role
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).parents[2]


def sign_in(client, email, password=TEST_PASSWORD, **kwargs):  # type: ignore[no-untyped-def]
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


@pytest.fixture()
def account(make):  # type: ignore[no-untyped-def]
    # Counters outlive a test's rolled-back rows: a fresh address each time.
    return make.user(Role.ANALYST, email=f"ana-{uuid.uuid4().hex[:8]}@example.org")


def test_failed_sign_ins_to_one_account_are_limited_from_any_address(app, monkeypatch, account) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    codes = []
    for n in range(4):  # four addresses, one account
        attacker = app.test_client()
        codes.append(sign_in(attacker, account.email, "wrong password",
                             environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"}).status_code)
    assert codes == [200, 200, 200, 429]
    refused = sign_in(app.test_client(), account.email)  # even the right password, from a new browser
    assert refused.status_code == 429
    assert "browser you used before" in refused.get_data(as_text=True)


def test_the_owner_signs_in_from_a_known_browser_while_others_are_refused(app, monkeypatch, account) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    owner = app.test_client()
    assert sign_in(owner, account.email).status_code == 302
    owner.post("/sign-out")
    for _ in range(5):
        sign_in(app.test_client(), account.email, "guess")
    assert sign_in(owner, account.email).status_code == 302


def test_successful_sign_ins_do_not_count_against_the_account(app, monkeypatch, account) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "2 per minute")
    assert [sign_in(app.test_client(), account.email).status_code for _ in range(4)] == [302] * 4


def test_a_forged_known_device_cookie_is_not_honoured(app, monkeypatch, account) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "1 per minute")
    sign_in(app.test_client(), account.email, "guess")
    forger = app.test_client()
    forger.set_cookie("known_device", "WyJhYmMiXQ.forged.signature")
    assert sign_in(forger, account.email).status_code == 429


def test_api_requests_are_limited_per_user_with_retry_after(app, client, monkeypatch, db_session,
                                                            make) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    user = make.user(Role.ANALYST, email=f"api-{uuid.uuid4().hex[:8]}@example.org")
    secret = tokens.create_token(db_session, user, "limits").secret
    headers = {"Authorization": f"Bearer {secret}"}
    codes = [client.get("/api/v1/regions", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/regions", headers=headers)
    assert limited.is_json and 0 < int(limited.headers["Retry-After"]) <= 60
    other = tokens.create_token(db_session, make.user(Role.ANALYST), "other").secret
    assert client.get("/api/v1/regions", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_export_downloads_are_limited_per_user_with_retry_after(app, client, login, monkeypatch,
                                                               make) -> None:
    monkeypatch.setitem(app.config, "EXPORT_RATE_LIMIT", "2 per minute")
    login(make.user(Role.ANALYST, email=f"exp-{uuid.uuid4().hex[:8]}@example.org"))
    url = "/exports/download?table=codebook&format=csv"
    codes = [client.get(url).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get(url)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "Wait" in limited.get_data(as_text=True)


# --- client addresses behind a proxy ---------------------------------------------------------------


@pytest.fixture()
def proxied_app(database_url, shared_database_back):  # type: ignore[no-untyped-def]
    return create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url,
                       "WTF_CSRF_ENABLED": False, "PROXY_COUNT": 1, "TRUSTED_PROXIES": ("10.0.0.1",),
                       "LOGIN_RATE_LIMIT": "2 per minute"})


def test_x_forwarded_for_from_the_trusted_proxy_names_the_client(proxied_app) -> None:
    client = proxied_app.test_client()
    prefix = uuid.uuid4().int % 200
    codes = [sign_in(client, "nobody@example.org", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                     headers={"X-Forwarded-For": f"203.0.113.{prefix}, 192.0.2.{n}"}).status_code
             for n in range(4)]
    assert codes == [200, 200, 200, 200]  # four clients behind the proxy, each within its limit


def test_x_forwarded_for_from_anyone_else_is_ignored(proxied_app) -> None:
    client = proxied_app.test_client()
    peer = f"198.51.100.{uuid.uuid4().int % 200}"
    codes = [sign_in(client, "nobody@example.org", environ_base={"REMOTE_ADDR": peer},
                     headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]  # a forged header does not make a new client


# --- several workers -----------------------------------------------------------------------------------


def test_gunicorn_warns_when_several_workers_have_no_shared_limit_store(database_url) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=database_url, SECRET_KEY="x", APP_ENV="testing")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2", "--bind", "127.0.0.1:0",
         "assessment:create_app()"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("REDIS_URL" in line for line in seen):
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stderr.close()
    assert any("2 workers and no REDIS_URL" in line for line in seen), "".join(seen)

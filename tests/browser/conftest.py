"""Browser fixtures: one live server with the demo world, one Chromium, fresh contexts per test.

The server is the real app served by gunicorn in a subprocess, on a throwaway database
(SQLite in a temporary folder, or a new PostgreSQL database next to TEST_DATABASE_URL)
that is migrated and seeded through the command line, as an operator would do it.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import create_postgres_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "tests" / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 640}
# Generous timeouts for a loaded two-core CI machine; a healthy page takes well under one second.
TIMEOUT_MS = 15_000

# Accounts the tests create, one city each, so journeys never step on each other's data.
PASSWORD = "browser-tests-password"

# Page weights measured by the tests, written to tests/artifacts/page-weight.json at the end.
PAGE_WEIGHTS: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True)
class Account:
    email: str
    password: str


DEMO = {
    "official": Account("official@kigali.example.org", "demo-official-2026"),
    "regional": Account("africa@regional.example.org", "demo-regional-2026"),
    "analyst": Account("analyst@example.org", "demo-analyst-2026"),
    "admin": Account("admin@example.org", "demo-admin-2026"),
}


# --- the live server -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _throwaway_database(tmp: Path) -> tuple[str, Callable[[], None]]:
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base.startswith("postgresql"):
        return f"sqlite:///{tmp / 'browser.db'}", lambda: None
    return create_postgres_database(base, prefix="assessment_browser")


@dataclass
class LiveServer:
    url: str
    database_url: str
    env: dict[str, str]
    log: Path
    accounts: dict[str, Account] = field(default_factory=dict)
    engine: Engine | None = None

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run ``flask --app assessment ARGS`` against the server's database."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "assessment", *args],
            cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True, timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def session(self) -> Session:
        """A plain database session, to look up the ids the demo seed gave its rows."""
        if self.engine is None:
            self.engine = create_engine(self.database_url)
        return Session(self.engine)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _draft_cities(server: LiveServer) -> list[str]:
    """Cities with a draft in 2026, outside Africa first.

    Kigali is left out (the demo accounts and screenshots use it), and the journeys that
    submit do so outside Africa, so the Africa dashboard looks the same whatever ran before.
    """
    from assessment.assessments.models import Assessment, AssessmentStatus, Round
    from assessment.places.models import City, Country, Region

    with server.session() as session:
        names = session.scalars(
            select(City.name).join(Assessment, Assessment.city_id == City.id)
            .join(Round, Round.id == Assessment.round_id)
            .join(Country, Country.id == City.country_id).join(Region, Region.id == Country.region_id)
            .where(Round.name == "2026", Assessment.status == AssessmentStatus.DRAFT,
                   City.name != "Kigali")
            .order_by(Region.name == "Africa", City.name)
        ).all()
    return list(names)


def _unstarted_cities(server: LiveServer) -> list[str]:
    """Cities outside Africa that have not started the 2026 round, by name."""
    from assessment.assessments.models import Assessment, Round
    from assessment.places.models import City, Country, Region

    with server.session() as session:
        started = (select(Assessment.city_id).join(Round, Round.id == Assessment.round_id)
                   .where(Round.name == "2026"))
        names = session.scalars(
            select(City.name).join(Country, Country.id == City.country_id)
            .join(Region, Region.id == Country.region_id)
            .where(Region.name != "Africa", City.id.not_in(started))
            .order_by(City.name)
        ).all()
    return list(names)


def _create_officials(server: LiveServer, cities: dict[str, str]) -> None:
    """Official accounts for the journeys (the CLI's ``users create``, without a process each)."""
    from werkzeug.security import generate_password_hash

    from assessment.auth.models import Role
    from assessment.auth.services import create_user
    from assessment.places.models import City

    fast_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with server.session() as session:
        for key, city in cities.items():
            email = f"{key.replace('_', '-')}@browser.example.org"
            create_user(session, email=email, password=PASSWORD, role=Role.OFFICIAL,
                        city=session.scalars(select(City).where(City.name == city)).one(),
                        name=f"Browser {key.replace('_', ' ')}", password_hash=fast_hash)
            server.accounts[key] = Account(email, PASSWORD)
        session.commit()


# One server and one Chromium per test run, even when a test module elsewhere imports these
# fixtures (which makes pytest set them up once more): Playwright's sync API cannot run twice.
_RUNNING: dict[str, Any] = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (make browser)")
    if "server" in _RUNNING:
        yield _RUNNING["server"]
        return
    tmp = tmp_path_factory.mktemp("live")
    database_url, drop_database = _throwaway_database(tmp)
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        # Plain HTTP on the loopback: cookies must not require HTTPS here.
        "SECURE_COOKIES": "false",
        "DATABASE_URL": database_url,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOG_LEVEL": "WARNING",
        # Prepared export files go to the test's folder, not the project's instance folder.
        "EXPORT_FOLDER": str(tmp / "exports"),
    }
    env.pop("REDIS_URL", None)
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, env, tmp / "server.log")
    server.cli("db", "upgrade")
    server.cli("seed-demo")
    server.accounts.update(DEMO)
    cities = _draft_cities(server)
    unstarted = _unstarted_cities(server)
    assert unstarted, "the demo seed should leave a city outside Africa without a 2026 assessment"
    assert len(cities) >= 6, f"the demo seed should leave at least six 2026 drafts, got {cities}"
    _create_officials(server, {"journey": cities[0], "nojs": cities[1],
                               "conflict_a": cities[2], "conflict_b": cities[2],
                               "one_page_js": cities[3], "one_page": unstarted[0],
                               "arabic": cities[4], "chinese": cities[5]})

    with server.log.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2", "assessment:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the live server did not start:\n{server.log_tail()}")
            time.sleep(0.2)
        _RUNNING["server"] = server
        yield server
    finally:
        _RUNNING.pop("server", None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if server.engine is not None:
            server.engine.dispose()
        drop_database()


# --- the browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if "browser" in _RUNNING:
        yield _RUNNING["browser"]
        return
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _RUNNING["browser"] = chromium
        try:
            yield chromium
        finally:
            _RUNNING.pop("browser", None)
            chromium.close()


class Watch:
    """Everything a page did: console errors, script errors, requests, document responses."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.documents: list[Any] = []
        self.server_errors: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} ({where})")

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.documents.append(response)
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")


@dataclass
class Browsing:
    """Opens contexts on the live server, signed in as one of its accounts, and tidies up."""

    server: LiveServer
    browser: Any
    states: dict[str, Any]
    contexts: list[Any] = field(default_factory=list)
    watches: list[Watch] = field(default_factory=list)

    def context(self, account: str | None = None, **options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        if account is not None:
            options["storage_state"] = self.state(account)
        context = self.browser.new_context(base_url=self.server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context

    def page(self, context: Any) -> tuple[Any, Watch]:
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        self.watches.append(watch)
        return page, watch

    def open(self, account: str | None = None, **options: Any) -> tuple[Any, Watch]:
        return self.page(self.context(account, **options))

    def state(self, account: str) -> Any:
        """Sign in once per account through the form, then reuse the cookie."""
        if account not in self.states:
            context = self.browser.new_context(base_url=self.server.url, viewport=DESKTOP)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            sign_in(page, self.server.accounts[account])
            self.states[account] = context.storage_state()
            context.close()
        return self.states[account]

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def sign_in(page: Any, account: Account) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, f"{account.email} could not sign in: {page.url}"


@pytest.fixture(scope="session")
def _signed_in_states() -> dict[str, Any]:
    return {}


@pytest.fixture()
def browsing(live_server: LiveServer, browser: Any,
             _signed_in_states: dict[str, Any]) -> Iterator[Browsing]:
    helper = Browsing(live_server, browser, _signed_in_states)
    yield helper
    helper.close()
    server_errors = [e for watch in helper.watches for e in watch.server_errors]
    assert not server_errors, (
        "the server answered with an error:\n" + "\n".join(server_errors)
        + f"\n--- server log ---\n{live_server.log_tail()}"
    )
    # Whatever a test does, no script may fail and no policy may be violated. (Chromium
    # also logs every 4xx response as a console error; tests that expect one check it.)
    script_errors = [e for watch in helper.watches for e in watch.page_errors]
    assert not script_errors, "script errors:\n" + "\n".join(script_errors)
    console = [e for watch in helper.watches for e in watch.console_errors
               if not e.startswith("Failed to load resource: the server responded with a status")]
    assert not console, "console errors:\n" + "\n".join(console)


# --- what the pages are --------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Ids of the demo rows the tests visit."""

    round_2026: int
    version_2026: int
    kigali: int
    official_user: int
    kigali_draft: int
    kigali_submitted: int
    elements: tuple[str, ...]
    questions: dict[str, tuple[str, ...]]


@pytest.fixture(scope="session")
def world(live_server: LiveServer) -> World:
    from assessment.assessments.models import Assessment, Round
    from assessment.auth.models import User
    from assessment.config import load_settings
    from assessment.places.models import City
    from assessment.questionnaire import load_questionnaire

    questionnaire = load_questionnaire(load_settings({}).questionnaire_path)
    with live_server.session() as session:
        def kigali(round_name: str) -> int:
            return int(session.scalars(
                select(Assessment.id).join(City, City.id == Assessment.city_id)
                .join(Round, Round.id == Assessment.round_id)
                .where(City.name == "Kigali", Round.name == round_name)
            ).one())

        round_2026 = session.scalars(select(Round).where(Round.name == "2026")).one()
        official = session.scalars(
            select(User.id).where(User.email == live_server.accounts["official"].email)).one()
        return World(
            round_2026=round_2026.id,
            version_2026=round_2026.questionnaire_version_id,
            kigali=int(session.scalars(select(City.id).where(City.name == "Kigali")).one()),
            official_user=int(official),
            kigali_draft=kigali("2026"),
            kigali_submitted=kigali("2025"),
            elements=tuple(e.id for e in questionnaire.elements),
            questions={e.id: tuple(q.id for q in e.questions) for e in questionnaire.elements},
        )


def assessment_id_for(server: LiveServer, account: str, round_name: str = "2026") -> int:
    """The assessment of the city an account belongs to, in a round."""
    from assessment.assessments.models import Assessment, Round
    from assessment.auth.models import User

    with server.session() as session:
        user = session.scalars(select(User).where(User.email == server.accounts[account].email)).one()
        return int(session.scalars(
            select(Assessment.id).join(Round, Round.id == Assessment.round_id)
            .where(Assessment.city_id == user.city_id, Round.name == round_name)
        ).one())


# --- accessibility -------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its WCAG 2.2 A/AA violations.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern,
    so the page keeps its real policy and no inline script has to be allowed. (It needs a
    context with JavaScript enabled: with it disabled, evaluating never returns.)
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci --prefix tests/browser` (make test does)")
    return list(axe_run(page)["violations"])


def axe_run(page: Any) -> dict[str, Any]:
    """axe-core's whole answer for the page: violations, and the rules that passed or did not apply."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return page.evaluate(  # type: ignore[no-any-return]
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
                     f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found WCAG 2.2 AA problems on {what} ({page.url}):\n" + (
        describe_violations(violations))


# --- page weight ---------------------------------------------------------------------


class NetworkMeter:
    """Counts requests and bytes on the wire (headers included) through the DevTools protocol."""

    def __init__(self, context: Any, page: Any) -> None:
        self.cdp = context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.cached: set[str] = set()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestServedFromCache", self._cached)
        self.cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if not url.startswith("data:"):
            self.urls[event["requestId"]] = url

    def _finished(self, event: dict[str, Any]) -> None:
        self.sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def _cached(self, event: dict[str, Any]) -> None:
        self.cached.add(event["requestId"])

    def reset(self) -> None:
        self.urls.clear()
        self.sizes.clear()
        self.cached.clear()

    def measure(self) -> dict[str, Any]:
        files = {}
        for request_id, url in self.urls.items():
            path = urlsplit(url).path
            cached = request_id in self.cached or self.sizes.get(request_id, 0) == 0
            files[path] = {"bytes": self.sizes.get(request_id, 0), "cached": cached}
        return {
            "requests": len(self.urls),
            "from_cache": sum(1 for f in files.values() if f["cached"]),
            "bytes": sum(f["bytes"] for f in files.values()),
            "files": files,
        }


def measure_visits(browsing: Browsing, name: str, account: str | None, url: str,
                   ready: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """Load ``url`` in a fresh context (empty cache), then again in the same context."""
    context = browsing.context(account)
    page, _watch = browsing.page(context)
    meter = NetworkMeter(context, page)
    visits = {}
    for visit in ("first", "repeat"):
        meter.reset()
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        if ready is not None:
            ready(page)
        page.wait_for_timeout(200)  # let the last protocol events arrive
        visits[visit] = meter.measure()
    PAGE_WEIGHTS[name] = {"url": url, **visits}
    return visits


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def weight_table() -> list[str]:
    lines = ["| Page | First visit | Requests | Repeat visit | Requests (from cache) |",
             "|---|---:|---:|---:|---:|"]
    for name, row in PAGE_WEIGHTS.items():
        first, repeat = row["first"], row["repeat"]
        lines.append(f"| {name} | {_kb(first['bytes'])} | {first['requests']} | "
                     f"{_kb(repeat['bytes'])} | {repeat['requests']} ({repeat['from_cache']}) |")
    return lines


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if PAGE_WEIGHTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "page-weight.json").write_text(json.dumps(PAGE_WEIGHTS, indent=2) + "\n")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if PAGE_WEIGHTS:
        terminalreporter.section("page weight (bytes on the wire, headers included)")
        for line in weight_table():
            terminalreporter.write_line(line)


# --- screenshots ---------------------------------------------------------------------


def screenshot(page: Any, name: str, max_height: int = 1800) -> Path:
    """Save a PNG of the page for the README, cut at ``max_height`` pixels."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # The test server's random port would change the picture at every run.
    page.evaluate(
        """(origin) => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                node.nodeValue = node.nodeValue.split(origin).join('https://assessment.example.org');
            }
        }""",
        urlsplit(page.url)._replace(path="", query="", fragment="").geturl(),
    )
    size = page.viewport_size
    height = min(max_height, page.evaluate("() => document.documentElement.scrollHeight"))
    page.screenshot(path=str(path), full_page=True,
                    clip={"x": 0, "y": 0, "width": size["width"], "height": height},
                    animations="disabled", caret="hide")
    return path

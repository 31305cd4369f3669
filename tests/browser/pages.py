"""Every kind of page the app serves, with who sees it and where it lives.

The page tests (accessibility, security headers and console, phone width, page weight)
visit each of these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.browser.conftest import World


@dataclass(frozen=True)
class PageType:
    name: str
    account: str | None
    path: Callable[[World], str]
    status: int = 200
    weigh: bool = False  # measured by the page-weight tests
    chart: bool = False  # has charts, drawn on the server as SVG


PAGE_TYPES = (
    PageType("home", None, lambda w: "/", weigh=True),
    PageType("sign-in", None, lambda w: "/sign-in", weigh=True),
    PageType("password reset request", None, lambda w: "/reset"),
    PageType("methodology", None, lambda w: "/methodology"),
    PageType("error", None, lambda w: "/no-such-page", status=404),
    # Kigali's official sees two rounds: 2025 submitted (its report) and 2026 to continue.
    PageType("official home", "official", lambda w: "/assessments", weigh=True),
    PageType("questionnaire overview", "official", lambda w: f"/assessments/{w.kigali_draft}",
             weigh=True),
    PageType("element page", "official",
             lambda w: f"/assessments/{w.kigali_draft}/elements/{w.elements[0]}", weigh=True),
    PageType("all questions", "official", lambda w: f"/assessments/{w.kigali_draft}/answers", weigh=True),
    PageType("all answers, read-only", "official", lambda w: f"/assessments/{w.kigali_submitted}/answers"),
    PageType("submit confirmation", "official", lambda w: f"/assessments/{w.kigali_draft}/submit",
             weigh=True),
    PageType("report", "official", lambda w: f"/assessments/{w.kigali_submitted}/report",
             weigh=True, chart=True),
    PageType("what-if", "official", lambda w: f"/assessments/{w.kigali_submitted}/what-if"),
    PageType("action plan", "official", lambda w: f"/assessments/{w.kigali_draft}/actions"),
    PageType("new action", "official", lambda w: f"/assessments/{w.kigali_draft}/actions/new"),
    PageType("reports list", "regional", lambda w: "/reports"),
    PageType("dashboard", "regional", lambda w: "/dashboard", weigh=True, chart=True),
    PageType("dashboard trends", "regional", lambda w: f"/dashboard/trends?city={w.kigali}",
             chart=True),
    PageType("compare cities", "regional",
             lambda w: "/dashboard/compare?city=Kigali%20(Rwanda)&city=Nairobi%20(Kenya)", chart=True),
    PageType("open data", None, lambda w: "/open-data", weigh=True),
    PageType("open data consent", "official", lambda w: "/open-data/consent"),
    PageType("remind now", "regional", lambda w: f"/dashboard/remind?round={w.round_2026}"),
    PageType("reopen", "regional", lambda w: f"/assessments/{w.kigali_submitted}/reopen"),
    PageType("city deadline", "regional",
             lambda w: f"/rounds/{w.round_2026}/cities/{w.kigali}/deadline"),
    PageType("people", "regional", lambda w: "/people"),
    PageType("city contacts", "regional", lambda w: f"/people/cities/{w.kigali}"),
    PageType("invite someone", "regional", lambda w: "/people/invite"),
    PageType("exports", "analyst", lambda w: "/exports", weigh=True),
    PageType("account and tokens", "analyst", lambda w: "/account"),
    PageType("admin", "admin", lambda w: "/admin", weigh=True),
    PageType("admin regions", "admin", lambda w: "/admin/regions"),
    PageType("admin region form", "admin", lambda w: "/admin/regions/new"),
    PageType("admin countries", "admin", lambda w: "/admin/countries"),
    PageType("admin country form", "admin", lambda w: "/admin/countries/new"),
    PageType("admin cities", "admin", lambda w: "/admin/cities"),
    PageType("admin city form", "admin", lambda w: f"/admin/cities/{w.kigali}"),
    PageType("admin cities import", "admin", lambda w: "/admin/cities/import"),
    PageType("admin peer groups", "admin", lambda w: "/admin/peer-groups"),
    PageType("admin peer group form", "admin", lambda w: "/admin/peer-groups/new"),
    PageType("admin users", "admin", lambda w: "/admin/users"),
    PageType("admin user form", "admin", lambda w: f"/admin/users/{w.official_user}"),
    PageType("admin user password", "admin", lambda w: f"/admin/users/{w.official_user}/password"),
    PageType("admin user anonymise", "admin", lambda w: f"/admin/users/{w.official_user}/anonymise"),
    PageType("admin user tokens", "admin", lambda w: f"/account/tokens/{w.official_user}"),
    PageType("admin users import", "admin", lambda w: "/admin/users/import"),
    PageType("admin rounds", "admin", lambda w: "/admin/rounds"),
    PageType("admin round form", "admin", lambda w: f"/admin/rounds/{w.round_2026}"),
    PageType("admin questionnaire", "admin", lambda w: "/admin/questionnaire"),
    PageType("admin questionnaire version", "admin",
             lambda w: f"/admin/questionnaire/versions/{w.version_2026}"),
    PageType("admin audit log", "admin", lambda w: "/admin/audit"),
    PageType("admin outbox", "admin", lambda w: "/admin/outbox"),
    PageType("admin jobs", "admin", lambda w: "/admin/jobs"),
)


def visit(page: object, kind: PageType, world: World) -> None:
    """Open a page of this kind and wait until it is complete, its charts on screen."""
    response = page.goto(kind.path(world))  # type: ignore[attr-defined]
    assert response is not None, kind.name
    assert response.status == kind.status, f"{kind.name}: {response.status} for {response.url}"
    if kind.chart:
        page.locator(".chart svg[role=img] >> visible=true").first.wait_for()  # type: ignore[attr-defined]

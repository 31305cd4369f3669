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
    PageType("methodology", None, lambda w: "/methodology"),
    PageType("error", None, lambda w: "/no-such-page", status=404),
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
    PageType("reports list", "regional", lambda w: "/reports"),
    PageType("dashboard", "regional", lambda w: "/dashboard", weigh=True, chart=True),
    PageType("exports", "analyst", lambda w: "/exports", weigh=True),
    PageType("account and tokens", "analyst", lambda w: "/account"),
    PageType("admin", "admin", lambda w: "/admin", weigh=True),
    PageType("admin cities", "admin", lambda w: "/admin/cities"),
    PageType("admin peer groups", "admin", lambda w: "/admin/peer-groups"),
    PageType("admin peer group form", "admin", lambda w: "/admin/peer-groups/new"),
    PageType("admin users", "admin", lambda w: "/admin/users"),
    PageType("admin user form", "admin", lambda w: f"/admin/users/{w.official_user}"),
    PageType("admin rounds", "admin", lambda w: "/admin/rounds"),
    PageType("admin round form", "admin", lambda w: f"/admin/rounds/{w.round_2026}"),
    PageType("admin questionnaire", "admin", lambda w: "/admin/questionnaire"),
    PageType("admin audit log", "admin", lambda w: "/admin/audit"),
)


def visit(page: object, kind: PageType, world: World) -> None:
    """Open a page of this kind and wait until it is complete, its charts on screen."""
    response = page.goto(kind.path(world))  # type: ignore[attr-defined]
    assert response is not None, kind.name
    assert response.status == kind.status, f"{kind.name}: {response.status} for {response.url}"
    if kind.chart:
        page.locator(".chart svg[role=img] >> visible=true").first.wait_for()  # type: ignore[attr-defined]

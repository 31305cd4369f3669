"""Every kind of page the app serves, with who sees it and where it lives.

The page tests (accessibility, security headers, phone width) visit each of these.
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


PAGE_TYPES = (
    PageType("home", None, lambda w: "/"),
    PageType("sign-in", None, lambda w: "/sign-in"),
    PageType("methodology", None, lambda w: "/methodology"),
    PageType("error", None, lambda w: "/no-such-page", status=404),
    PageType("official home", "official", lambda w: "/assessments"),
    PageType("questionnaire overview", "official", lambda w: f"/assessments/{w.kigali_draft}"),
    PageType("element page", "official",
             lambda w: f"/assessments/{w.kigali_draft}/elements/{w.elements[0]}"),
    PageType("submit confirmation", "official", lambda w: f"/assessments/{w.kigali_draft}/submit"),
    PageType("report", "official", lambda w: f"/assessments/{w.kigali_submitted}/report"),
    PageType("dashboard", "regional", lambda w: "/dashboard"),
    PageType("exports", "analyst", lambda w: "/exports"),
    PageType("admin", "admin", lambda w: "/admin"),
)

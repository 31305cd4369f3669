from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from assessment.config import PROJECT_ROOT

METHODOLOGY_PATH = PROJECT_ROOT / "docs" / "methodology.md"


@cache
def render_methodology() -> Markup:
    """docs/methodology.md as HTML; raw HTML in the file is escaped, not passed through."""
    text = METHODOLOGY_PATH.read_text(encoding="utf-8")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return Markup(html)

from __future__ import annotations

from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from assessment.config import PROJECT_ROOT

METHODOLOGY_PATH = PROJECT_ROOT / "docs" / "methodology.md"


def methodology_path(language: str) -> Path:
    """docs/methodology.<language>.md when it exists, else the English docs/methodology.md."""
    translated = METHODOLOGY_PATH.with_suffix(f".{language}.md")
    return translated if translated.is_file() else METHODOLOGY_PATH


@cache
def render_methodology(language: str = "en") -> Markup:
    """The methodology in ``language`` as HTML; raw HTML in the file is escaped, not passed through."""
    text = methodology_path(language).read_text(encoding="utf-8")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return Markup(html)  # nosec B704 # raw HTML is off, so markdown-it escaped it; the text is our docs

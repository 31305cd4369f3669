from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

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
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    markdown.add_render_rule("table_open", _table_open)
    markdown.add_render_rule("table_close", _table_close)
    html = markdown.render(text)
    return Markup(html)  # nosec B704 # raw HTML is off, so markdown-it escaped it; the text is our docs


def _table_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A table too wide for a phone scrolls in a box that Tab reaches, named by its section and columns."""
    headings = [_text(tokens[i + 1]) for i in range(idx) if tokens[i].type == "heading_open"]
    end = next(i for i in range(idx, len(tokens)) if tokens[i].type == "thead_close")
    columns = ", ".join(_text(token) for token in tokens[idx:end] if token.type == "inline")
    name = f"{headings[-1]} — {columns}" if headings else columns
    return f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(name)}">\n<table>\n'


def _table_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</table>\n</div>\n"


def _text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))

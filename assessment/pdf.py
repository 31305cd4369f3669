"""A page of the app as a PDF: its own HTML and print stylesheet, laid out by WeasyPrint.

The city report and the regional dashboard are printed this way. WeasyPrint reads only the
app's static files (stylesheets, the favicon): any other address in the page is refused, so
making a PDF never sends a request anywhere.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

STATIC_PREFIX = "/static/"


def _fetcher(static_folder: Path) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static_folder.resolve()

    class StaticFiles(URLFetcher):
        """Serves ``/static/...`` from the app's folder and refuses every other address."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = unquote(urlsplit(url).path)
            if not path.startswith(STATIC_PREFIX):
                raise ValueError(f"A PDF uses only the app's own files, not {url}")
            file = (root / path.removeprefix(STATIC_PREFIX)).resolve()
            if not file.is_relative_to(root) or not file.is_file():
                raise ValueError(f"No such static file: {path}")
            mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime})

    return StaticFiles()


def render_pdf(html: str, base_url: str, static_folder: Path) -> tuple[bytes, int]:
    """The PDF of ``html`` (a page of this app) and its number of pages."""
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    document = HTML(string=html, base_url=base_url, url_fetcher=_fetcher(static_folder),
                    media_type="print").render()
    return document.write_pdf(), len(document.pages)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but letters, digits and a few safe
    marks as a hex escape, so nothing typed (a city's name) can end the string or the style."""
    safe = set(" .,:;-_()/·")
    out = []
    for char in text:
        out.append(char if (char.isalnum() and char.isascii()) or char in safe
                   else f"\\{ord(char):06x}")
    return '"' + "".join(out) + '"'


def page_margins(left: str, right: str, page_of_pages: str) -> str:
    """CSS for the margin boxes of every printed page: ``left`` at the top start, ``right``
    at the top end, and ``page_of_pages`` at the bottom, where ``{page}`` and ``{pages}``
    become the page counters ("Page {page} of {pages}")."""
    parts = []
    rest = page_of_pages
    while rest:
        index = min((i for i in (rest.find("{page}"), rest.find("{pages}")) if i >= 0), default=-1)
        if index < 0:
            parts.append(css_string(rest))
            break
        if index:
            parts.append(css_string(rest[:index]))
        counter = "pages" if rest.startswith("{pages}", index) else "page"
        parts.append(f"counter({counter})")
        rest = rest[index + len(counter) + 2:]
    return ("@page { "
            f"@top-left {{ content: {css_string(left)}; }} "
            f"@top-right {{ content: {css_string(right)}; }} "
            f"@bottom-center {{ content: {' '.join(parts)}; }} "
            "}")

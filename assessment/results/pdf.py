"""The report as a PDF: the report's own HTML and print stylesheet, laid out by WeasyPrint
(the helpers are shared with the dashboard, in ``assessment.pdf``)."""

from __future__ import annotations

from assessment.pdf import STATIC_PREFIX, _fetcher, css_string, page_margins, render_pdf

__all__ = ["STATIC_PREFIX", "_fetcher", "css_string", "page_margins", "render_pdf"]

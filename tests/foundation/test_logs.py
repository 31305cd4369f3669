"""Log lines cannot be forged by what a visitor sends, and can be JSON lines."""

from __future__ import annotations

import io
import json
import logging

import pytest

from assessment import create_app
from assessment.logs import JsonFormatter, TextFormatter, escape

pytestmark = pytest.mark.usefixtures("shared_database_back")

FORGED = "x\r\n2026-12-02 10:00:00,000 INFO assessment: admin signed in\x1b[2J"


def _line(formatter: logging.Formatter, message: str, *args: object, exc: bool = False) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.logs")
    logger.handlers, logger.propagate = [handler], False
    try:
        if exc:
            try:
                raise ValueError(FORGED)
            except ValueError:
                logger.exception(message, *args)
        else:
            logger.warning(message, *args)
    finally:
        logger.handlers = []
    return stream.getvalue()


def test_escape_writes_control_characters_as_escapes() -> None:
    assert escape("a\r\nb\x1b\x00\u2028c") == "a\\r\\nb\\x1b\\x00\\u2028c"
    assert escape("Kigali · 北京 · بيروت") == "Kigali · 北京 · بيروت"


def test_a_value_with_line_breaks_stays_on_one_text_line() -> None:
    output = _line(TextFormatter(), "sign-in failed for %s", FORGED)
    assert output.count("\n") == 1  # the record's own end of line
    assert "\\r\\n2026-12-02" in output and "\x1b" not in output


def test_traceback_lines_are_indented_so_none_looks_like_a_record() -> None:
    output = _line(TextFormatter(), "failed", exc=True)
    first, *rest = output.rstrip("\n").split("\n")
    assert first.endswith("ERROR tests.logs: failed")
    assert rest and all(line.startswith("    ") for line in rest)
    assert not any(line.startswith("2026-12-02 10:00") for line in rest)


def test_json_lines_hold_one_record_each_with_the_value_intact() -> None:
    output = _line(JsonFormatter(), "sign-in failed for %s", FORGED, exc=True)
    assert output.count("\n") == 1
    record = json.loads(output)
    assert record["message"] == f"sign-in failed for {FORGED}"
    assert record["level"] == "ERROR" and "ValueError" in record["exception"]


@pytest.mark.parametrize(("kind", "formatter"), [("text", TextFormatter), ("json", JsonFormatter)])
def test_log_format_setting_chooses_the_formatter(kind: str, formatter: type, database_url: str) -> None:
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": "x", "DATABASE_URL": database_url,
                      "LOG_FORMAT": kind})
    handlers = logging.getLogger("assessment").handlers
    assert len(handlers) == 1 and isinstance(handlers[0].formatter, formatter)
    assert app.logger is logging.getLogger("assessment")

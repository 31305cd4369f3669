"""Log lines that cannot be forged: every value is encoded so that it cannot start a new line.

Text format (the default): one line per record; control characters in the message (CR, LF,
escape sequences...) are written as ``\\n``, ``\\x1b`` and so on, and the lines of a traceback
are indented, so only a real record starts at the beginning of a line. JSON format
(``LOG_FORMAT=json``): one JSON object per line, for log collectors.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def escape(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``...)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: object) -> str:
        text = super().formatException(ei)  # type: ignore[arg-type]
        return "\n".join("    " + escape(line) for line in text.split("\n"))

    def formatStack(self, stack_info: str) -> str:
        return "\n".join("    " + escape(line) for line in stack_info.split("\n"))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure(level: str, kind: str) -> None:
    """One handler on stderr for the app's loggers (Flask's and ``assessment``), in ``kind``."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(kind))
    for name in ("assessment",):  # Flask's app.logger is this one: the app is named so
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers = [handler]

"""Text that every supported database can store, and that a log line can carry.

PostgreSQL refuses the NUL character in text; neither database can store half of a UTF-16
surrogate pair; and bytes that are not UTF-8 arrive decoded as U+FFFD (Werkzeug replaces
them), so the original text is already lost. Such input gets a message, never a server error.
Other control characters (except tab and line breaks) have no place in a form either, and could
forge log lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNDECODABLE = re.compile("[\ud800-\udfff\ufffd]")

CONTROL_MESSAGE = _l("This text contains a control character (such as NUL) that cannot be stored. "
                     "Remove it and try again.")
UNDECODABLE_MESSAGE = _l("This text is not valid UTF-8: it may come from a file in another encoding. "
                         "Retype the characters shown as � and try again.")


def problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    if _CONTROL.search(text):
        return str(CONTROL_MESSAGE)
    if _UNDECODABLE.search(text):
        return str(UNDECODABLE_MESSAGE)
    return None


def first_problem(texts: Iterable[str]) -> str | None:
    for text in texts:
        found = problem(text)
        if found:
            return found
    return None


def storable(text: str) -> bool:
    return problem(text) is None

"""How the admin pages show timestamps and questionnaire hashes."""

from __future__ import annotations

from datetime import datetime

# Enough of a content hash to tell versions apart at a glance.
HASH_PREFIX = 12


def when(moment: datetime | None) -> str:
    """A timestamp as people read it, in UTC (the server does not know the reader's zone)."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""

"""The embedded mail backend: each message becomes one ``.eml`` file in the outbox folder.

Flask-Mailman loads it by name (``MAIL_BACKEND``) when ``MAIL_SERVER`` is not set. The admin
outbox page lists the messages from the database and shows each file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_mailman.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(self.mailman.file_path)

    def send_messages(self, email_messages: list[Any]) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = getattr(message, "outbox_name", None) or f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}.eml"
            path = self.folder / name
            partial = path.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes())
            # Whole files only: a reader never sees half a message.
            os.replace(partial, path)
        return len(email_messages)

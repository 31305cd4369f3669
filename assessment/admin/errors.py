"""The one exception the admin services raise for people to read."""

from __future__ import annotations


class AdminError(ValueError):
    """A user-facing reason why an admin change cannot be made; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

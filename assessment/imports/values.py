"""Reading one cell: names, whole numbers and e-mail addresses, each with its problem in words."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from assessment.auth.services import normalise_email
from assessment.imports.files import shown
from assessment.storable import problem

NAME_LENGTH = 120  # the length of every name column (places and accounts)
EMAIL_LENGTH = 254
MAX_POPULATION = 100_000_000  # as the city form allows
# Digits, optionally in groups of three separated by spaces, commas, apostrophes or underscores.
_WHOLE = re.compile(r"\d{1,3}(?:[ ,'’_\u00a0\u202f]\d{3})+|\d+")


def key(text: str) -> str:
    """How names are compared: spaces collapsed, case ignored."""
    return " ".join(text.split()).casefold()


def name(value: str, column: str, problems: list[str], *, required: bool = True) -> str:
    """The name in ``value`` with its spaces collapsed; what is wrong goes to ``problems``."""
    cleaned = " ".join(value.split())
    if not cleaned:
        if required:
            problems.append(_("The column “%(column)s” is empty.", column=column))
        return ""
    found = problem(cleaned)
    if found:
        problems.append(_("The column “%(column)s” holds %(value)s, which cannot be stored: %(why)s",
                          column=column, value=shown(cleaned), why=found))
    elif len(cleaned) > NAME_LENGTH:
        problems.append(_("The column “%(column)s” holds more than %(max)d characters.",
                          column=column, max=NAME_LENGTH))
    return cleaned


def population(value: str, problems: list[str]) -> int | None:
    """A whole number of residents, or None for an empty cell."""
    if not value:
        return None
    if not _WHOLE.fullmatch(value):
        problems.append(_("The population %(value)s is not a whole number (write it like 1745000 "
                          "or 1 745 000).", value=shown(value)))
        return None
    number = int(re.sub(r"\D", "", value))
    if number > MAX_POPULATION:
        problems.append(_("The population %(value)s is more than 100,000,000.", value=shown(value)))
        return None
    return number


def email(value: str, problems: list[str]) -> str:
    """The address in lower case; an address that cannot receive mail is a problem."""
    address = normalise_email(value)
    if not address:
        problems.append(_("The e-mail address is empty."))
        return ""
    valid = problem(address) is None and len(address) <= EMAIL_LENGTH
    if valid:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            valid = False
    if not valid:
        problems.append(_("%(value)s is not an e-mail address.", value=shown(value)))
    return address

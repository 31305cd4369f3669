"""Dates, times and numbers as the reader's language writes them: one format for the whole app.

Every moment is shown in UTC and says so: the server does not know the reader's time zone, and
colleagues in different places must read the same time for the same save. A round's opening
and closing are the exception: they are written on the round's own clock, named by its time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from babel.dates import format_date, format_skeleton, get_datetime_format
from babel.numbers import format_decimal
from babel.units import format_unit
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _


def moment(value: datetime | None) -> str:
    """A date and time, e.g. "Dec 2, 2026, 14:32 UTC" (the order and words follow the locale)."""
    if value is None:
        return ""
    locale = get_locale()
    value = value.astimezone(UTC)
    # The locale's own way of joining a date and a time, with a 24-hour clock everywhere.
    text = (str(get_datetime_format("medium", locale=locale))
            .replace("{1}", format_date(value, "medium", locale=locale))
            .replace("{0}", format_skeleton("Hm", value, tzinfo=UTC, locale=locale)))
    return _("%(moment)s UTC", moment=text)


def clock(value: datetime | None) -> str:
    """The time of day alone, e.g. "14:32 UTC", for moments of today such as an autosave."""
    if value is None:
        return ""
    text = format_skeleton("Hm", value.astimezone(UTC), tzinfo=UTC, locale=get_locale())
    return _("%(moment)s UTC", moment=text)


def day(value: date | datetime | None) -> str:
    """A calendar date, e.g. "2 Dec 2026"."""
    if value is None:
        return ""
    return format_date(value, "medium", locale=get_locale())


def long_day_in(value: datetime, zone: tzinfo) -> str:
    """The calendar date of ``value`` on the clock of ``zone``, written out ("30 November 2026")."""
    return format_date(value.astimezone(zone).date(), "long", locale=get_locale())


def clock_in(value: datetime, zone: tzinfo) -> str:
    """The time of day of ``value`` on the clock of ``zone``, 24-hour ("17:00"), without the zone's
    name: a round's deadline names its zone once in the sentence."""
    return format_skeleton("Hm", value.astimezone(zone), tzinfo=zone, locale=get_locale())


def number(value: float | int | None, digits: int = 1) -> str:
    """A number with the locale's separators and exactly ``digits`` decimals ("1,234.5")."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return format_decimal(value, format=pattern, locale=get_locale(), decimal_quantization=True)


def file_size(size: int | None) -> str:
    """Bytes in the reader's words: "2.4 MB", "850 kB"."""
    if size is None:
        return ""
    if size >= 1_000_000:
        return format_unit(size / 1_000_000, "digital-megabyte", "short", format="#,##0.0",
                           locale=get_locale())
    return format_unit(max(size, 1_000) / 1_000, "digital-kilobyte", "short", format="#,##0",
                       locale=get_locale())


def init_app(app: Flask) -> None:
    """Numbers, moments and sizes in templates: ``{{ value|number(1) }}``, ``{{ when|moment }}``,
    ``{{ bytes|file_size }}`` (other dates and times are formatted by the views)."""
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["file_size"] = file_size

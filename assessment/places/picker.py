"""Choosing a city by typing its name, for lists of hundreds of cities.

The field is a text input with an HTML ``<datalist>`` of "City (Country)": browsers offer the
matching entries as one types, and without JavaScript (or without datalist support) it is a
plain text box. The server resolves what was typed: the exact "City (Country)" (ignoring case and
extra spaces), or a city name that only one city has. Anything else is a field error naming up
to five close matches, and the text stays in the box.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from wtforms import StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from assessment.places.models import City, Country

MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class CityOption:
    id: int
    name: str
    label: str  # "City (Country)": what the list shows and what is typed back


def city_label(name: str, country: str) -> str:
    return f"{name} ({country})"


def city_options(session: Session, scope: ColumnElement[bool] | None = None) -> list[CityOption]:
    """Every city (or those ``scope``, a WHERE clause on ``City``, allows), by name then country."""
    query = select(City.id, City.name, Country.name).join(Country, City.country_id == Country.id)
    if scope is not None:
        query = query.where(scope)
    rows = session.execute(query.order_by(City.name, Country.name))
    return [CityOption(city_id, name, city_label(name, country)) for city_id, name, country in rows]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


class NoSuchCity(ValueError):
    """What was typed names no city, or several; ``suggestions`` are labels to offer."""

    def __init__(self, message: str, suggestions: Sequence[str]) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions)


def suggestions(options: Sequence[CityOption], text: str) -> list[str]:
    """Up to five labels close to ``text``: those containing it first, then similar spellings."""
    typed = _folded(text)
    found = [o.label for o in options if typed and (typed in _folded(o.label))]
    by_folded = {_folded(o.label): o.label for o in options}
    by_folded.update({_folded(o.name): o.label for o in options if _folded(o.name) not in by_folded})
    for close in difflib.get_close_matches(typed, list(by_folded), n=MAX_SUGGESTIONS, cutoff=0.6):
        if by_folded[close] not in found:
            found.append(by_folded[close])
    return found[:MAX_SUGGESTIONS]


def resolve(options: Sequence[CityOption], text: str) -> CityOption:
    """The one city ``text`` names among ``options``; raises NoSuchCity otherwise."""
    typed = _folded(text)
    for option in options:
        if _folded(option.label) == typed:
            return option
    named = [o for o in options if _folded(o.name) == typed]
    if len(named) == 1:
        return named[0]
    if named:
        labels = [o.label for o in named[:MAX_SUGGESTIONS]]
        raise NoSuchCity(_("Several cities are called “%(name)s”: type one of %(choices)s.",
                           name=text.strip(), choices="; ".join(labels)), labels)
    close = suggestions(options, text)
    if close:
        raise NoSuchCity(_("No city is called “%(name)s”. Did you mean %(choices)s?",
                           name=text.strip(), choices="; ".join(close)), close)
    raise NoSuchCity(_("No city is called “%(name)s”. Type the name of a city, as “City (Country)” "
                       "when several have that name.", name=text.strip()), [])


class _CityInput(TextInput):
    """A text input and the datalist it points to."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        list_id = f"{field.id}-options"
        kwargs.setdefault("list", list_id)
        kwargs.setdefault("autocomplete", "off")
        items = Markup("").join(Markup('<option value="{}"></option>').format(o.label)
                                for o in field.options)
        # Markup.format escapes every value put into the markup.
        return Markup('{}<datalist id="{}">{}</datalist>').format(super().__call__(field, **kwargs),
                                                                  list_id, items)


class CityField(StringField):
    """A city, typed; the view gives it ``options`` (``city_options``). After validation
    ``city_id`` is the chosen city's id, or None when the box was left empty."""

    widget = _CityInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options: list[CityOption] = []
        self.city_id: int | None = None

    def process_data(self, value: Any) -> None:
        # Filled from an object (an account's city): show it as the list writes it.
        if isinstance(value, City):
            value = city_label(value.name, value.country.name)
        super().process_data(value)

    def show(self, city: City | None) -> None:
        """Put ``city`` in the box, as the list writes it."""
        self.data = city_label(city.name, city.country.name) if city is not None else ""

    def pre_validate(self, form: Any) -> None:
        self.city_id = None
        if not (self.data or "").strip():
            return
        try:
            self.city_id = resolve(self.options, self.data or "").id
        except NoSuchCity as problem:
            raise ValidationError(str(problem)) from None

"""What every admin section's views share: saving with one commit, paging links, lookups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from assessment.admin import places
from assessment.admin.errors import AdminError
from assessment.admin.forms import choice
from assessment.admin.pagination import Page
from assessment.auth.models import User
from assessment.auth.services import AccountError
from assessment.extensions import db
from assessment.places.services import PlaceError

T = TypeVar("T")
USER_ERRORS = (PlaceError, AdminError, AccountError)
CLASH = _l("This could not be saved because it clashes with an existing record (for example a "
           "duplicate name or code). Nothing was changed.")


@dataclass(frozen=True)
class Pager:
    summary: str
    position: str
    prev_url: str | None
    next_url: str | None


def pager(page: Page[Any]) -> Pager:
    def url(number: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(number)
        values: dict[str, Any] = {**(request.view_args or {}), **args}
        return url_for(str(request.endpoint), **values)

    summary = (_("Showing %(first)d–%(last)d of %(total)d", first=page.first, last=page.last,
                 total=page.total) if page.total else _("Nothing found."))
    return Pager(
        summary=summary,
        position=_("Page %(number)d of %(pages)d", number=page.number, pages=page.pages),
        prev_url=url(page.number - 1) if page.has_prev else None,
        next_url=url(page.number + 1) if page.has_next else None,
    )


def page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def actor() -> User:
    user: User = current_user._get_current_object()
    return user


def get_or_404(model: type[T], object_id: int) -> T:
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def _form_error(form: FlaskForm, message: str, field_name: str | None = None) -> None:
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def save(form: FlaskForm, write: Callable[[], T]) -> T | None:
    """Run ``write`` and commit; on failure roll everything back and tell the form why.

    ``write`` returns something other than None on success.
    """
    try:
        result = write()
        db.session.commit()
    except USER_ERRORS as error:
        db.session.rollback()
        _form_error(form, str(error), getattr(error, "field", None))
        return None
    except IntegrityError:
        db.session.rollback()
        _form_error(form, str(CLASH))
        return None
    return result


def act(write: Callable[[], T]) -> T | None:
    """A button with no form fields: commit, or roll back and flash the reason."""
    try:
        result = write()
        db.session.commit()
    except USER_ERRORS as error:
        db.session.rollback()
        flash(str(error), "error")
        return None
    except IntegrityError:
        db.session.rollback()
        flash(str(CLASH), "error")
        return None
    return result


def region_choices(blank: Any) -> list[Any]:
    return [choice("", blank)] + [choice(r.id, r.name) for r in places.regions(db.session)]


def filter_value(field: Any) -> Any:
    """A filter's value, or None when it was left empty or is not valid."""
    return None if field.errors else (field.data or None)

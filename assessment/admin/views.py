"""Administration pages: places, accounts, rounds, questionnaire versions and the audit log.

Only administrators get in. Every change goes through ``assessment.admin.services`` (which
records it in the audit log), is committed once here, and is rolled back whole when it fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from assessment.admin import services
from assessment.admin.forms import (
    AuditFilterForm,
    CityFilterForm,
    CityForm,
    CountryFilterForm,
    CountryForm,
    PasswordForm,
    RegionForm,
    RoundForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    choice,
)
from assessment.assessments.models import QuestionnaireVersion, Round
from assessment.assessments.versions import current_questionnaire
from assessment.auth.models import Role, User
from assessment.auth.services import MIN_PASSWORD_LENGTH, AccountError, live_session_count
from assessment.extensions import db, login_manager
from assessment.places import services as places
from assessment.places.models import City, Country, Region
from assessment.places.services import PlaceError

bp = Blueprint("admin", __name__, url_prefix="/admin")

T = TypeVar("T")
USER_ERRORS = (PlaceError, services.AdminError, AccountError)
CLASH = _l("This could not be saved because it clashes with an existing record (for example a "
           "duplicate name or code). Nothing was changed.")


@bp.before_request
def _administrators_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if current_user.role != Role.ADMIN:
        abort(403)
    return None


# --- helpers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    label: str
    url: str
    current: bool


_SECTIONS = [
    (_l("Overview"), "index", ("index",)),
    (_l("Regions"), "regions", ("region",)),
    (_l("Countries"), "countries", ("countr",)),
    (_l("Cities"), "cities", ("cit",)),
    (_l("Accounts"), "users", ("user",)),
    (_l("Rounds"), "rounds", ("round",)),
    (_l("Questionnaire versions"), "questionnaire", ("questionnaire", "version")),
    (_l("Audit log"), "audit", ("audit",)),
]


@bp.context_processor
def _admin_sections() -> dict[str, Any]:
    endpoint = (request.endpoint or "").removeprefix("admin.")
    return {
        "admin_sections": [
            Section(str(label), url_for(f"admin.{target}"), endpoint.startswith(stems))
            for label, target, stems in _SECTIONS
        ],
        "min_password_length": MIN_PASSWORD_LENGTH,
    }


@dataclass(frozen=True)
class Pager:
    summary: str
    position: str
    prev_url: str | None
    next_url: str | None


def _pager(page: services.Page[Any]) -> Pager:
    def url(number: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(number)
        return url_for(str(request.endpoint), **(request.view_args or {}), **args)

    summary = (_("Showing %(first)d–%(last)d of %(total)d", first=page.first, last=page.last,
                 total=page.total) if page.total else _("Nothing found."))
    return Pager(
        summary=summary,
        position=_("Page %(number)d of %(pages)d", number=page.number, pages=page.pages),
        prev_url=url(page.number - 1) if page.has_prev else None,
        next_url=url(page.number + 1) if page.has_next else None,
    )


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _actor() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _get(model: type[T], object_id: int) -> T:
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


def _save(form: FlaskForm, write: Callable[[], T]) -> T | None:
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


def _act(write: Callable[[], T]) -> T | None:
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


def _sessions_ended(count: int) -> str:
    return ngettext("%(num)d sign-in was ended.", "%(num)d sign-ins were ended.", count)


def _region_choices(blank: Any) -> list[Any]:
    return [choice("", blank)] + [choice(r.id, r.name) for r in services.regions(db.session)]


def _country_choices(blank: Any) -> list[Any]:
    choices = [choice("", blank)]
    for region_name, countries in services.countries_by_region(db.session):
        choices += [choice(c.id, c.name, region_name) for c in countries]
    return choices


def _city_choices(blank: Any) -> list[Any]:
    choices = [choice("", blank)]
    for country_name, cities in services.cities_by_country(db.session):
        choices += [choice(city_id, name, country_name) for city_id, name in cities]
    return choices


def _filter_value(field: Any) -> Any:
    """A filter's value, or None when it was left empty or is not valid."""
    return None if field.errors else (field.data or None)


# --- overview ---------------------------------------------------------------------------


@bp.route("")
def index() -> str:
    questionnaire = current_questionnaire()
    versions = services.version_rows(db.session, questionnaire.content_hash)
    recent = services.audit_page(db.session, action="", city_text="", city_id=None, page=1)
    return render_template(
        "admin/index.html",
        counts=services.overview_counts(db.session),
        current=services.current_file_status(versions, questionnaire),
        recent=list(recent.items)[:8],
    )


# --- regions ----------------------------------------------------------------------------


@bp.route("/regions")
def regions() -> str:
    return render_template("admin/regions.html", rows=services.region_rows(db.session))


@bp.route("/regions/new", methods=["GET", "POST"])
def region_new() -> str | Response:
    form = RegionForm()
    if form.validate_on_submit():
        region = _save(form, lambda: services.create_region(db.session, _actor(), form.name.data or ""))
        if region is not None:
            flash(_("Region %(name)s created.", name=region.name), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=None, blocker=None)


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
def region_edit(region_id: int) -> str | Response:
    region = _get(Region, region_id)
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        changes = _save(form, lambda: services.rename_region(db.session, _actor(), region,
                                                             form.name.data or ""))
        if changes is not None:
            flash(_("Region %(name)s saved.", name=region.name), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=region,
                           blocker=places.region_delete_blocker(db.session, region))


@bp.route("/regions/<int:region_id>/delete", methods=["POST"])
def region_delete(region_id: int) -> Response:
    region = _get(Region, region_id)
    name = _act(lambda: services.delete_region(db.session, _actor(), region))
    if name is None:
        return redirect(url_for("admin.region_edit", region_id=region_id))
    flash(_("Region %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.regions"))


# --- countries --------------------------------------------------------------------------


@bp.route("/countries")
def countries() -> str:
    filters = CountryFilterForm(formdata=request.args)
    filters.region.choices = _region_choices(_l("All regions"))
    filters.validate()
    rows = services.country_rows(db.session, _filter_value(filters.region))
    return render_template("admin/countries.html", filters=filters, rows=rows)


def _country_form(country: Country | None) -> CountryForm:
    form = CountryForm(obj=country)
    form.region_id.choices = _region_choices(_l("Choose a region"))
    return form


@bp.route("/countries/new", methods=["GET", "POST"])
def country_new() -> str | Response:
    form = _country_form(None)
    if form.validate_on_submit():
        region = _get(Region, form.region_id.data)
        country = _save(form, lambda: services.create_country(
            db.session, _actor(), name=form.name.data or "", iso_code=form.iso_code.data,
            region=region))
        if country is not None:
            flash(_("Country %(name)s created.", name=country.name), "success")
            return redirect(url_for("admin.countries"))
    return render_template("admin/country_form.html", form=form, country=None, blocker=None)


@bp.route("/countries/<int:country_id>", methods=["GET", "POST"])
def country_edit(country_id: int) -> str | Response:
    country = _get(Country, country_id)
    form = _country_form(country)
    if form.validate_on_submit():
        region = _get(Region, form.region_id.data)
        changes = _save(form, lambda: services.update_country(
            db.session, _actor(), country, name=form.name.data or "", iso_code=form.iso_code.data,
            region=region))
        if changes is not None:
            flash(_("Country %(name)s saved.", name=country.name), "success")
            return redirect(url_for("admin.countries"))
    return render_template("admin/country_form.html", form=form, country=country,
                           blocker=places.country_delete_blocker(db.session, country))


@bp.route("/countries/<int:country_id>/delete", methods=["POST"])
def country_delete(country_id: int) -> Response:
    country = _get(Country, country_id)
    name = _act(lambda: services.delete_country(db.session, _actor(), country))
    if name is None:
        return redirect(url_for("admin.country_edit", country_id=country_id))
    flash(_("Country %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.countries"))


# --- cities -----------------------------------------------------------------------------


@bp.route("/cities")
def cities() -> str:
    filters = CityFilterForm(formdata=request.args)
    filters.region.choices = _region_choices(_l("All regions"))
    filters.country.choices = _country_choices(_l("All countries"))
    filters.validate()
    page = services.city_page(
        db.session, region_id=_filter_value(filters.region), country_id=_filter_value(filters.country),
        text=(_filter_value(filters.q) or "").strip(), page=_page_number(),
    )
    return render_template("admin/cities.html", filters=filters, page=page, pager=_pager(page))


def _city_form(city: City | None) -> CityForm:
    form = CityForm(obj=city)
    form.country_id.choices = _country_choices(_l("Choose a country"))
    return form


@bp.route("/cities/new", methods=["GET", "POST"])
def city_new() -> str | Response:
    form = _city_form(None)
    if request.method == "GET" and request.args.get("country", type=int):
        form.country_id.data = request.args.get("country", type=int)
    if form.validate_on_submit():
        country = _get(Country, form.country_id.data)
        city = _save(form, lambda: services.create_city(
            db.session, _actor(), name=form.name.data or "", country=country,
            population=form.population.data))
        if city is not None:
            flash(_("City %(name)s created.", name=city.name), "success")
            return redirect(url_for("admin.cities", country=city.country_id))
    return render_template("admin/city_form.html", form=form, city=None, blocker=None)


@bp.route("/cities/<int:city_id>", methods=["GET", "POST"])
def city_edit(city_id: int) -> str | Response:
    city = _get(City, city_id)
    form = _city_form(city)
    if form.validate_on_submit():
        country = _get(Country, form.country_id.data)
        changes = _save(form, lambda: services.update_city(
            db.session, _actor(), city, name=form.name.data or "", country=country,
            population=form.population.data))
        if changes is not None:
            flash(_("City %(name)s saved.", name=city.name), "success")
            return redirect(url_for("admin.city_edit", city_id=city.id))
    return render_template("admin/city_form.html", form=form, city=city,
                           blocker=places.city_delete_blocker(db.session, city))


@bp.route("/cities/<int:city_id>/delete", methods=["POST"])
def city_delete(city_id: int) -> Response:
    city = _get(City, city_id)
    name = _act(lambda: services.delete_city(db.session, _actor(), city))
    if name is None:
        return redirect(url_for("admin.city_edit", city_id=city_id))
    flash(_("City %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.cities"))


# --- accounts ---------------------------------------------------------------------------


@bp.route("/users")
def users() -> str:
    filters = UserFilterForm(formdata=request.args)
    filters.region.choices = _region_choices(_l("All regions"))
    filters.validate()
    role = _filter_value(filters.role)
    page = services.user_page(
        db.session, role=Role(role) if role else None, region_id=_filter_value(filters.region),
        text=(_filter_value(filters.q) or "").strip(), status=_filter_value(filters.status) or "",
        page=_page_number(),
    )
    return render_template("admin/users.html", filters=filters, page=page, pager=_pager(page))


def _place_choices(form: UserCreateForm | UserEditForm) -> None:
    form.city_id.choices = _city_choices(_l("No city"))
    form.region_id.choices = _region_choices(_l("No region"))


def _place_of(form: UserCreateForm | UserEditForm) -> tuple[Role, City | None, Region | None]:
    role = Role(form.role.data)
    city = _get(City, form.city_id.data) if role == Role.OFFICIAL and form.city_id.data else None
    region = _get(Region, form.region_id.data) if role == Role.REGIONAL and form.region_id.data else None
    return role, city, region


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> str | Response:
    form = UserCreateForm()
    _place_choices(form)
    # "Add an official" on a city's page arrives with the city chosen.
    if request.method == "GET" and request.args.get("city", type=int):
        form.role.data = Role.OFFICIAL.value
        form.city_id.data = request.args.get("city", type=int)
    if form.validate_on_submit():
        role, city, region = _place_of(form)
        user = _save(form, lambda: services.create_account(
            db.session, _actor(), email=form.email.data or "", name=form.name.data or "", role=role,
            city=city, region=region, password=form.password.data or ""))
        if user is not None:
            flash(_("Account %(email)s created. Give them their password by a safe channel.",
                    email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> str | Response:
    user = _get(User, user_id)
    form = UserEditForm(obj=user)
    _place_choices(form)
    if form.validate_on_submit():
        role, city, region = _place_of(form)
        changes = _save(form, lambda: services.update_account(
            db.session, _actor(), user, name=form.name.data or "", role=role, city=city, region=region))
        if changes is not None:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template(
        "admin/user_edit.html", form=form, user=user, is_self=user.id == _actor().id,
        role_label=services.ROLE_LABELS[user.role], created=services.when(user.created_at),
        last_login=services.when(user.last_login_at),
        live_sessions=live_session_count(db.session, user),
    )


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int) -> str | Response:
    user = _get(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        ended = _save(form, lambda: services.set_account_password(
            db.session, _actor(), user, form.password.data or "", sign_out=form.sign_out.data,
            keep_token=current_user.get_id()))
        if ended is not None:
            flash(_("New password set for %(email)s.", email=user.email) + " "
                  + _sessions_ended(ended), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_password.html", form=form, user=user)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int) -> Response:
    user = _get(User, user_id)
    ended = _act(lambda: services.deactivate_account(db.session, _actor(), user))
    if ended is not None:
        flash(_("%(email)s can no longer sign in.", email=user.email) + " " + _sessions_ended(ended),
              "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int) -> Response:
    user = _get(User, user_id)
    if _act(lambda: services.reactivate_account(db.session, _actor(), user)) is not None:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/revoke-sessions", methods=["POST"])
def user_revoke_sessions(user_id: int) -> Response:
    user = _get(User, user_id)
    ended = _act(lambda: services.revoke_account_sessions(db.session, _actor(), user,
                                                          keep_token=current_user.get_id()))
    if ended is not None:
        flash(_sessions_ended(ended), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


# --- rounds -----------------------------------------------------------------------------


@bp.route("/rounds")
def rounds() -> str:
    questionnaire = current_questionnaire()
    return render_template(
        "admin/rounds.html", rows=services.round_rows(db.session, date.today()),
        current_label=questionnaire.version,
        current_hash=questionnaire.content_hash[:services.HASH_PREFIX],
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
def round_new() -> str | Response:
    questionnaire = current_questionnaire()
    form = RoundForm()
    if form.validate_on_submit():
        round_ = _save(form, lambda: services.create_round(
            db.session, _actor(), name=form.name.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data, questionnaire=questionnaire))
        if round_ is not None:
            flash(_("Round %(name)s created with questionnaire version %(label)s.", name=round_.name,
                    label=questionnaire.version), "success")
            return redirect(url_for("admin.rounds"))
    return render_template("admin/round_form.html", form=form, round=None,
                           current_label=questionnaire.version,
                           current_hash=questionnaire.content_hash[:services.HASH_PREFIX])


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_edit(round_id: int) -> str | Response:
    round_ = _get(Round, round_id)
    questionnaire = current_questionnaire()
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        changes = _save(form, lambda: services.update_round(
            db.session, _actor(), round_, name=form.name.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data))
        if changes is not None:
            flash(_("Round %(name)s saved.", name=round_.name), "success")
            return redirect(url_for("admin.rounds"))
    started = services.round_assessment_count(db.session, round_)
    version = round_.questionnaire_version
    return render_template(
        "admin/round_form.html", form=form, round=round_, started=started,
        version=version, version_hash=version.content_hash[:services.HASH_PREFIX],
        current_label=questionnaire.version,
        current_hash=questionnaire.content_hash[:services.HASH_PREFIX],
        can_move=started == 0 and version.content_hash != questionnaire.content_hash,
    )


@bp.route("/rounds/<int:round_id>/version", methods=["POST"])
def round_version(round_id: int) -> Response:
    round_ = _get(Round, round_id)
    version = _act(lambda: services.move_round_to_version(db.session, _actor(), round_,
                                                          current_questionnaire()))
    if version is not None:
        flash(_("Round %(name)s now uses questionnaire version %(label)s.", name=round_.name,
                label=version.label), "success")
    return redirect(url_for("admin.round_edit", round_id=round_id))


@bp.route("/rounds/<int:round_id>/delete", methods=["POST"])
def round_delete(round_id: int) -> Response:
    round_ = _get(Round, round_id)
    name = _act(lambda: services.delete_round(db.session, _actor(), round_))
    if name is None:
        return redirect(url_for("admin.round_edit", round_id=round_id))
    flash(_("Round %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.rounds"))


# --- questionnaire versions -------------------------------------------------------------


@bp.route("/questionnaire")
def questionnaire() -> str:
    current = current_questionnaire()
    rows = services.version_rows(db.session, current.content_hash)
    return render_template("admin/questionnaire.html", rows=rows,
                           current=services.current_file_status(rows, current))


@bp.route("/questionnaire/store", methods=["POST"])
def questionnaire_store() -> Response:
    current = current_questionnaire()
    stored = _act(lambda: services.store_current_version(db.session, _actor(), current))
    if stored:
        flash(_("Questionnaire version %(label)s stored.", label=current.version), "success")
    elif stored is not None:
        flash(_("This questionnaire file was already stored."), "info")
    return redirect(url_for("admin.questionnaire"))


@bp.route("/questionnaire/versions/<int:version_id>")
def version(version_id: int) -> str:
    stored = _get(QuestionnaireVersion, version_id)
    parsed, sections = services.version_sections(stored)
    rows = services.version_rows(db.session, current_questionnaire().content_hash)
    row = next(r for r in rows if r.id == stored.id)
    return render_template("admin/version.html", version=stored, row=row, sections=sections,
                           summary=parsed.summary(), content_hash=stored.content_hash)


# --- audit log --------------------------------------------------------------------------


@bp.route("/audit")
def audit() -> str:
    filters = AuditFilterForm(formdata=request.args)
    filters.action.choices = [choice("", _l("Any action"))] + [
        choice(action, f"{services.ACTION_LABELS.get(action, action)} ({action})")
        for action in services.audit_actions(db.session)
    ]
    filters.validate()
    city_id = request.args.get("city_id", type=int)
    city = db.session.get(City, city_id) if city_id else None
    page = services.audit_page(
        db.session, action=_filter_value(filters.action) or "",
        city_text=(_filter_value(filters.city) or "").strip(), city_id=city_id, page=_page_number(),
    )
    return render_template("admin/audit.html", filters=filters, page=page, pager=_pager(page),
                           city=city, city_id=city_id)

"""Admin pages for regions, countries and cities."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from assessment.admin import places as services
from assessment.admin.forms import (
    CityFilterForm,
    CityForm,
    CountryFilterForm,
    CountryForm,
    RegionForm,
    choice,
)
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import (
    act,
    actor,
    filter_value,
    get_or_404,
    page_number,
    pager,
    region_choices,
    save,
)
from assessment.extensions import db
from assessment.places.models import City, Country, Region


def _country_choices(blank: Any) -> list[Any]:
    choices = [choice("", blank)]
    for region_name, countries in services.countries_by_region(db.session):
        choices += [choice(c.id, c.name, region_name) for c in countries]
    return choices


# --- regions ----------------------------------------------------------------------------


@bp.route("/regions")
def regions() -> str:
    return render_template("admin/regions.html", rows=services.region_rows(db.session))


@bp.route("/regions/new", methods=["GET", "POST"])
def region_new() -> str | Response:
    form = RegionForm()
    if form.validate_on_submit():
        region = save(form, lambda: services.create_region(db.session, actor(), form.name.data or ""))
        if region is not None:
            flash(_("Region %(name)s created.", name=region.name), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=None, blocker=None)


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
def region_edit(region_id: int) -> str | Response:
    region = get_or_404(Region, region_id)
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        changes = save(form, lambda: services.rename_region(db.session, actor(), region,
                                                             form.name.data or ""))
        if changes is not None:
            flash(_("Region %(name)s saved.", name=region.name), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=region,
                           blocker=services.region_delete_blocker(db.session, region))


@bp.route("/regions/<int:region_id>/delete", methods=["POST"])
def region_delete(region_id: int) -> Response:
    region = get_or_404(Region, region_id)
    name = act(lambda: services.delete_region(db.session, actor(), region))
    if name is None:
        return redirect(url_for("admin.region_edit", region_id=region_id))
    flash(_("Region %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.regions"))


# --- countries ------------------------------------------------------------------------


@bp.route("/countries")
def countries() -> str:
    filters = CountryFilterForm(formdata=request.args)
    filters.region.choices = region_choices(_l("All regions"))
    filters.validate()
    rows = services.country_rows(db.session, filter_value(filters.region))
    return render_template("admin/countries.html", filters=filters, rows=rows)


def _country_form(country: Country | None) -> CountryForm:
    form = CountryForm(obj=country)
    form.region_id.choices = region_choices(_l("Choose a region"))
    return form


@bp.route("/countries/new", methods=["GET", "POST"])
def country_new() -> str | Response:
    form = _country_form(None)
    if form.validate_on_submit():
        region = get_or_404(Region, form.region_id.data)
        country = save(form, lambda: services.create_country(
            db.session, actor(), name=form.name.data or "", iso_code=form.iso_code.data,
            region=region))
        if country is not None:
            flash(_("Country %(name)s created.", name=country.name), "success")
            return redirect(url_for("admin.countries"))
    return render_template("admin/country_form.html", form=form, country=None, blocker=None)


@bp.route("/countries/<int:country_id>", methods=["GET", "POST"])
def country_edit(country_id: int) -> str | Response:
    country = get_or_404(Country, country_id)
    form = _country_form(country)
    if form.validate_on_submit():
        region = get_or_404(Region, form.region_id.data)
        changes = save(form, lambda: services.update_country(
            db.session, actor(), country, name=form.name.data or "", iso_code=form.iso_code.data,
            region=region))
        if changes is not None:
            flash(_("Country %(name)s saved.", name=country.name), "success")
            return redirect(url_for("admin.countries"))
    return render_template("admin/country_form.html", form=form, country=country,
                           blocker=services.country_delete_blocker(db.session, country))


@bp.route("/countries/<int:country_id>/delete", methods=["POST"])
def country_delete(country_id: int) -> Response:
    country = get_or_404(Country, country_id)
    name = act(lambda: services.delete_country(db.session, actor(), country))
    if name is None:
        return redirect(url_for("admin.country_edit", country_id=country_id))
    flash(_("Country %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.countries"))


# --- cities -----------------------------------------------------------------------------


@bp.route("/cities")
def cities() -> str:
    filters = CityFilterForm(formdata=request.args)
    filters.region.choices = region_choices(_l("All regions"))
    filters.country.choices = _country_choices(_l("All countries"))
    filters.validate()
    page = services.city_page(
        db.session, region_id=filter_value(filters.region), country_id=filter_value(filters.country),
        text=(filter_value(filters.q) or "").strip(), page=page_number(),
    )
    return render_template("admin/cities.html", filters=filters, page=page, pager=pager(page))


def _city_form(city: City | None) -> CityForm:
    form = CityForm(obj=city)
    form.country_id.choices = _country_choices(_l("Choose a country"))
    return form


@bp.route("/cities/new", methods=["GET", "POST"])
def city_new() -> str | Response:
    form = _city_form(None)
    if request.method == "GET" and request.args.get("country", type=int) is not None:
        form.country_id.data = request.args.get("country", type=int)
    if form.validate_on_submit():
        country = get_or_404(Country, form.country_id.data)
        city = save(form, lambda: services.create_city(
            db.session, actor(), name=form.name.data or "", country=country,
            population=form.population.data))
        if city is not None:
            flash(_("City %(name)s created.", name=city.name), "success")
            return redirect(url_for("admin.cities", country=city.country_id))
    return render_template("admin/city_form.html", form=form, city=None, blocker=None)


@bp.route("/cities/<int:city_id>", methods=["GET", "POST"])
def city_edit(city_id: int) -> str | Response:
    city = get_or_404(City, city_id)
    form = _city_form(city)
    if form.validate_on_submit():
        country = get_or_404(Country, form.country_id.data)
        changes = save(form, lambda: services.update_city(
            db.session, actor(), city, name=form.name.data or "", country=country,
            population=form.population.data))
        if changes is not None:
            flash(_("City %(name)s saved.", name=city.name), "success")
            return redirect(url_for("admin.city_edit", city_id=city.id))
    return render_template("admin/city_form.html", form=form, city=city,
                           blocker=services.city_delete_blocker(db.session, city))


@bp.route("/cities/<int:city_id>/delete", methods=["POST"])
def city_delete(city_id: int) -> Response:
    city = get_or_404(City, city_id)
    name = act(lambda: services.delete_city(db.session, actor(), city))
    if name is None:
        return redirect(url_for("admin.city_edit", city_id=city_id))
    flash(_("City %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.cities"))

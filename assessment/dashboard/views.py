"""The regional dashboard: how the cities of a region are doing, round by round.

Regional users see their own region, whatever the URL says; administrators and analysts
(who already read every region's data through the exports) choose any region. Every choice
lives in the query string, so a view of the dashboard can be bookmarked and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.numbers import get_decimal_symbol, get_minus_sign_symbol
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from assessment.actions.models import ActionStatus
from assessment.actions.services import status_label as action_status_label
from assessment.assessments.labels import status_label
from assessment.assessments.versions import questionnaire_for
from assessment.auth.access import city_scope, roles_required
from assessment.auth.models import Role
from assessment.charts import chart, palette
from assessment.dashboard import (
    activity,
    charts,
    choices,
    compare,
    downloads,
    forms,
    queries,
    services,
    table,
    trends,
)
from assessment.dashboard.choices import RoundOption, Selection
from assessment.dashboard.deadlines import deadline_panel
from assessment.dashboard.table import ASCENDING_BY_DEFAULT, DEFAULT_SORT
from assessment.database import utcnow
from assessment.extensions import db
from assessment.i18n import localized
from assessment.pdf import page_margins, render_pdf
from assessment.places.models import Country, Region, SizeClass
from assessment.places.peers import PeerGroup, all_groups
from assessment.places.picker import city_options

bp = Blueprint("dashboard", __name__)

REPORT_ENDPOINT = "results.report"
# The city table's score bands, in the heatmap's colours (a <style> in the page: CSS cannot
# read the palette, and one source of colours keeps the table and the chart alike).
BAND_STYLES = Markup(palette.band_styles())  # nosec B704 # built from constant colours only


@dataclass(frozen=True)
class SortLink:
    url: str
    # The column's aria-sort value when the table is sorted by it, else None.
    state: str | None


@bp.route("/dashboard")
@roles_required(Role.REGIONAL, Role.ADMIN, Role.ANALYST)
def index() -> str:
    return render_template("dashboard/index.html", **_dashboard_context())


@bp.route("/dashboard/<name>.csv")
@roles_required(Role.REGIONAL, Role.ADMIN, Role.ANALYST)
def table_csv(name: str) -> Response:
    """One of the dashboard's tables, for the same view (the same query string)."""
    if name not in downloads.TABLES:
        abort(404)
    context = _dashboard_context()
    if context["state"] != "ready":
        abort(404)
    view: downloads.ViewName = context["view"]
    data = downloads.table(db.session, context["dashboard"], name)
    return Response(downloads.csv_bytes(data), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{view.stem}-{name}.csv"'})


@bp.route("/dashboard.pdf")
@roles_required(Role.REGIONAL, Role.ADMIN, Role.ANALYST)
def dashboard_pdf() -> Response:
    """The dashboard as a PDF: the same page and print stylesheet, the view named on every page."""
    context = _dashboard_context()
    if context["state"] != "ready":
        abort(404)
    view: downloads.ViewName = context["view"]
    margins = Markup(page_margins(  # nosec B704 # every character is CSS-escaped
        _("Regional dashboard"), view.words,
        _("Page %(page)s of %(pages)s", page="{page}", pages="{pages}")))
    html = render_template("dashboard/index.html", **{**context, "for_pdf": True,
                                                      "page_margins": margins})
    assert current_app.static_folder is not None
    pdf, _pages = render_pdf(html, request.url_root, Path(current_app.static_folder))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{view.stem}.pdf"'})


@bp.route("/dashboard/trends")
@roles_required(Role.REGIONAL, Role.ADMIN, Role.ANALYST)
def trends_page() -> str:
    """The overall index and each element over every round, for the view and for one city."""
    session = db.session
    user = current_user._get_current_object()
    can_choose_region = user.role in (Role.ADMIN, Role.ANALYST)
    regions = choices.visible_regions(session, user)
    if not regions:
        return render_template("dashboard/trends.html", state="no_regions", notices=[],
                               **_helpers())
    args = request.args
    picked = _pick_view(session, regions, can_choose_region)
    region, rounds, countries, groups, notices = (picked.region, picked.rounds, picked.countries,
                                                  picked.groups, picked.notices)
    country_id, size, group_id = picked.country_id, picked.size, picked.group_id
    form = forms.build_form(regions=regions if can_choose_region else None, region=region,
                            rounds=rounds, round_=rounds[0] if rounds else None,
                            countries=countries, country_id=country_id, size=size, groups=groups,
                            group_id=group_id)
    if not rounds:
        return render_template("dashboard/trends.html", state="no_rounds", region=region,
                               form=form, notices=notices, **_helpers())
    selection = Selection(region=region, round=rounds[0], previous=None, country_id=country_id,
                          size=size, group_id=group_id)
    label = downloads.view_name(selection, countries, groups, with_round=False).words
    shown = trends.view_trends(session, user, selection, rounds, label, args.get("city", ""), notices)
    questionnaire = choices.round_questionnaire(session, rounds[0])
    elements = [(e.id, localized(e.title)) for e in questionnaire.elements]
    figures = charts.trend_figures(shown.lines, elements)
    return render_template(
        "dashboard/trends.html", state="ready", region=region, form=form, notices=notices,
        trends=shown.lines, elements=elements, figures=figures, cities=shown.cities, city=shown.city,
        view_label=label, dashboard_url=url_for("dashboard.index", **_filter_args(
            region.id if can_choose_region else None, country_id, size, group_id)),
        **_helpers())


@bp.route("/dashboard/compare")
@roles_required(Role.REGIONAL, Role.ADMIN, Role.ANALYST)
def compare_page() -> str:
    """Two to six cities side by side in one round (``?city=<id or "City (Country)">``, repeated)."""
    session = db.session
    user = current_user._get_current_object()
    notices: list[str] = []
    scope = city_scope(user)
    options = city_options(session, scope)
    chosen = compare.chosen_cities(request.args.getlist("city"), options, notices)
    rounds = compare.rounds_newest_first(session)
    round_ = next((r for r in rounds if str(r.id) == request.args.get("round", "")), None)
    if round_ is None:
        round_ = compare.default_round(session, rounds, chosen)
    comparison = figures = None
    elements: list[tuple[str, str, float]] = []
    if round_ is not None and len(chosen) >= compare.MIN_CITIES:
        questionnaire = questionnaire_for(round_.questionnaire_version)
        elements = [(e.id, localized(e.title), e.target_percent) for e in questionnaire.elements]
        comparison = compare.compare(session, chosen, round_.id, elements, scope)
        scored = [c for c in comparison.cities if c.scored]
        if scored:
            figures = {"chart-compare": chart(
                "chart-compare",
                charts.compare_radar([c.option.label for c in scored], elements,
                                     [[c.scores.get(e[0]) for e in elements] for c in scored]),
                _("Radar chart of the element scores of the compared cities against the "
                  "recommended targets"))}
    elif request.args.getlist("city"):
        notices.append(_("Choose at least %(count)d cities to compare.", count=compare.MIN_CITIES))
    slots = [c.label for c in chosen] + [""] * (compare.MAX_CITIES - len(chosen))
    return render_template(
        "dashboard/compare.html", notices=notices, options=options, slots=slots, rounds=rounds,
        round=round_, comparison=comparison, figures=figures or {}, elements=elements,
        report_url=lambda assessment_id: url_for(REPORT_ENDPOINT, assessment_id=assessment_id),
        action_statuses=list(ActionStatus), action_label=action_status_label,
        status_label=status_label, **_helpers())


@dataclass
class _View:
    """The region and filters the query string chooses, with a notice for each it could not."""

    region: Region
    rounds: list[RoundOption]
    countries: list[Country]
    groups: list[PeerGroup]
    country_id: int | None
    size: SizeClass | None
    group_id: int | None
    notices: list[str] = field(default_factory=list)


def _pick_view(session: Session, regions: list[Region], can_choose_region: bool) -> _View:
    args = request.args
    notices: list[str] = []
    region = forms.pick_region(args, regions, can_choose_region, notices)
    countries = choices.region_countries(session, region.id)
    groups = [group for group, _count in all_groups(session)]
    return _View(region, choices.region_rounds(session, region.id), countries, groups,
                 forms.pick_country(args, countries, notices), forms.pick_size(args, notices),
                 forms.pick_group(args, groups, notices), notices)


def _filter_args(region_id: int | None, country_id: int | None, size: Any,
                 group_id: int | None) -> dict[str, Any]:
    args = {"region": region_id, "country": country_id,
            "size": size.value if size is not None else None, "group": group_id}
    return {k: v for k, v in args.items() if v is not None}


def _dashboard_context() -> dict[str, Any]:
    """Everything the dashboard page shows for the request's query string."""
    session = db.session
    user = current_user._get_current_object()
    can_choose_region = user.role in (Role.ADMIN, Role.ANALYST)
    regions = choices.visible_regions(session, user)
    if not regions:
        return {"state": "no_regions", "notices": [], **_helpers()}

    args = request.args
    picked = _pick_view(session, regions, can_choose_region)
    region, rounds, countries, groups, notices = (picked.region, picked.rounds, picked.countries,
                                                  picked.groups, picked.notices)
    country_id, size, group_id = picked.country_id, picked.size, picked.group_id
    round_ = forms.pick_round(args, rounds, notices)
    reviewed = forms.pick_scores(args, notices)
    form = forms.build_form(regions=regions if can_choose_region else None, region=region,
                            rounds=rounds, round_=round_, countries=countries,
                            country_id=country_id, size=size, groups=groups, group_id=group_id,
                            reviewed=reviewed)
    if round_ is None:
        return {"state": "no_rounds", "region": region, "form": form, "notices": notices,
                **_helpers()}

    questionnaire = choices.round_questionnaire(session, round_)
    sort, descending = forms.pick_sort(args, table.sort_keys(e.id for e in questionnaire.elements))
    selection = Selection(
        region=region, round=round_, previous=choices.previous_round(rounds, round_),
        country_id=country_id, size=size, group_id=group_id, sort=sort, descending=descending,
        page=forms.pick_page(args), reviewed=reviewed,
    )
    dashboard = services.build_dashboard(
        session, user, selection, questionnaire, report_url=_report_url_builder(),
        overview_url=lambda assessment_id: url_for("survey.overview", assessment_id=assessment_id))
    queries.add_contacts(session, dashboard.rows)
    follow_up = activity.city_activity(session, dashboard.rows, round_.id)
    # "Remind now" is for the region's office and administrators (the reminders page says who).
    remind_args: dict[str, Any] = {"round": round_.id}
    if user.role == Role.ADMIN:
        remind_args["region"] = region.id
    remind_url = (url_for("reminders.remind", **remind_args)
                  if user.role in (Role.REGIONAL, Role.ADMIN) else None)
    urls = _Urls(selection, can_choose_region)
    return dict(
        state="ready",
        view=downloads.view_name(selection, countries, groups),
        region=region,
        form=form,
        notices=notices,
        dashboard=dashboard,
        figures=charts.dashboard_figures(dashboard),
        urls=urls,
        sort_links={key: urls.sort_link(key) for key in table.sort_keys(
            e.element.id for e in dashboard.elements)},
        page=min(selection.page, dashboard.pages),
        sort_label=_sort_labels(dashboard)[selection.sort],
        sort_direction=_sort_direction(selection.sort, selection.descending),
        status_label=status_label,
        deadline=deadline_panel(session, user, round_.id, region.id, utcnow()),
        activity=follow_up,
        remind_url=remind_url,
        for_pdf=False,
        **_helpers(),
    )


def _sort_direction(key: str, descending: bool) -> str:
    if key in table.ASCENDING_BY_DEFAULT:
        return _("Z to A") if descending else _("A to Z")
    return _("highest first") if descending else _("lowest first")


def _sort_labels(dashboard: services.Dashboard) -> dict[str, str]:
    labels = {"city": _("city"), "country": _("country"), "overall": _("overall index"),
              "completeness": _("questions answered"), "change": _("change")}
    labels.update({e.element.id: localized(e.element.title) for e in dashboard.elements})
    return labels


def _report_url_builder() -> Any:
    """Links to city reports."""
    return lambda assessment_id: url_for(REPORT_ENDPOINT, assessment_id=assessment_id)


class _Urls:
    """URLs of this dashboard view with one thing changed: sort, page, or no filters."""

    def __init__(self, selection: Selection, can_choose_region: bool) -> None:
        self.selection = selection
        self.base: dict[str, Any] = {}
        if can_choose_region:
            self.base["region"] = selection.region.id
        self.base["round"] = selection.round.id
        self.filters = dict(self.base)
        if selection.country_id is not None:
            self.filters["country"] = selection.country_id
        if selection.size is not None:
            self.filters["size"] = selection.size.value
        if selection.group_id is not None:
            self.filters["group"] = selection.group_id
        if selection.reviewed:
            self.filters["scores"] = "reviewed"
        self.sorting: dict[str, Any] = {}
        if selection.sort != DEFAULT_SORT or selection.descending != _descending_by_default(
                selection.sort):
            self.sorting = {"sort": selection.sort, "dir": "desc" if selection.descending else "asc"}

    def view(self, **changes: Any) -> str:
        args = {**self.filters, **self.sorting, **changes}
        return url_for("dashboard.index", **{k: v for k, v in args.items() if v is not None})

    @property
    def this_view(self) -> str:
        page = self.selection.page if self.selection.page > 1 else None
        return self.view(page=page)

    @property
    def trends(self) -> str:
        """The trends over every round of this view's cities."""
        args = {k: v for k, v in self.filters.items() if k != "round" and v is not None}
        return url_for("dashboard.trends_page", **args)

    def download(self, name: str) -> str:
        """A table of this view as CSV (``name`` one of ``downloads.TABLES``), or the PDF."""
        args = {k: v for k, v in {**self.filters, **self.sorting}.items() if v is not None}
        if name == "pdf":
            return url_for("dashboard.dashboard_pdf", **args)
        return url_for("dashboard.table_csv", name=name, **args)

    @property
    def clear_filters(self) -> str:
        return url_for("dashboard.index", **self.base)

    def round_view(self, round_id: int) -> str:
        return url_for("dashboard.index", **{**self.filters, "round": round_id})

    def page(self, number: int) -> str:
        return self.view(page=number if number > 1 else None)

    def sort_link(self, key: str) -> SortLink:
        if key == self.selection.sort:
            descending = not self.selection.descending
            state = "descending" if self.selection.descending else "ascending"
        else:
            descending = _descending_by_default(key)
            state = None
        sort: dict[str, Any] = {"sort": key, "dir": "desc" if descending else "asc"}
        if key == DEFAULT_SORT and descending == _descending_by_default(key):
            sort = {"sort": None, "dir": None}
        return SortLink(self.view(**sort, page=None), state)

    @property
    def hidden_sort(self) -> dict[str, Any]:
        """Sort fields the filter form carries along, so changing a filter keeps the order."""
        return self.sorting


def _descending_by_default(key: str) -> bool:
    return key not in ASCENDING_BY_DEFAULT


def _helpers() -> dict[str, Any]:
    """Number formatting for the template, in the interface language."""
    numbers = _NumberFormat(get_decimal_symbol(get_locale()), get_minus_sign_symbol(get_locale()))
    return {"fmt_score": numbers.score, "fmt_average": numbers.average, "fmt_change": numbers.change,
            "fmt_share": numbers.share, "heat_class": _heat_class, "band_styles": BAND_STYLES}


@dataclass(frozen=True)
class _NumberFormat:
    """Scores, averages, changes and shares with the locale's symbols.

    A city table holds thousands of numbers: formatting each through Babel's full pattern
    machinery would take longer than computing the whole dashboard.
    """

    decimal: str
    minus: str
    _percents: dict[int, str] = field(default_factory=dict)

    def _local(self, text: str) -> str:
        return text.replace(".", self.decimal).replace("-", self.minus)

    def score(self, value: float | None) -> str:
        return "–" if value is None else self._local(f"{value:.0f}")

    def average(self, value: float | None) -> str:
        return "–" if value is None else self._local(f"{value:.1f}")

    def change(self, value: float | None) -> str:
        return "–" if value is None else self._local(f"{value:+.1f}")

    def share(self, value: float | None) -> str:
        if value is None:
            return "–"
        percent = round(value * 100)
        if percent not in self._percents:
            self._percents[percent] = format_percent(percent / 100, format="0%")
        return self._percents[percent]


def _heat_class(value: float | None) -> str:
    """A CSS class per quarter of the 0-100 scale, so the city table reads as a heatmap too."""
    if value is None:
        return "heat-none"
    return f"heat-{min(3, int(value // 25))}"

"""The public open data page and its downloads (no sign-in), and the page where a city's
officials publish its scores or withdraw them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response as BaseResponse

from assessment.assessments.models import Round
from assessment.auth import limits
from assessment.auth.access import can_publish_scores, roles_required
from assessment.auth.models import Role
from assessment.extensions import db
from assessment.opendata import tables
from assessment.opendata.forms import GIVE, WITHDRAW, ConsentForm
from assessment.opendata.page import licence_of, open_data_page, score_format
from assessment.opendata.published import published_round, published_rounds
from assessment.opendata.services import ConsentError, consent_rows, set_consent

bp = Blueprint("opendata", __name__)


def _published_round(round_id: int | None) -> tuple[list[Round], Round | None]:
    """The rounds with published scores and the one asked for (the newest by default); 404
    for a round with nothing published, as if it did not exist."""
    rounds = published_rounds(db.session)
    if round_id is None:
        return rounds, rounds[0] if rounds else None
    chosen = next((r for r in rounds if r.id == round_id), None)
    if chosen is None:
        abort(404)
    return rounds, chosen


@bp.route("/open-data")
def index() -> str:
    rounds, chosen = _published_round(request.args.get("round", type=int))
    minimum = current_app.config["MIN_PEER_CITIES"]
    page = (open_data_page(db.session, chosen, minimum=minimum,
                           page=request.args.get("page", 1, type=int)) if chosen else None)
    official = (current_user.is_authenticated and current_user.city is not None
                and can_publish_scores(current_user, current_user.city))
    return render_template(
        "opendata/index.html", rounds=rounds, chosen=chosen, page=page, minimum=minimum,
        licence=licence_of(current_app.config["OPEN_DATA_LICENCE"]), formats=tables.FORMATS,
        score_columns=tables.score_columns(page.elements) if page else [],
        group_columns=tables.GROUP_COLUMNS,
        consent_url=url_for("opendata.consent") if official else None, fmt_score=score_format())


@bp.route("/open-data/<int:round_id>/<name>.<fmt>")
def download(round_id: int, name: str, fmt: str) -> Response:
    if name not in tables.TABLES or fmt not in tables.FORMATS:
        abort(404)
    _rounds, chosen = _published_round(round_id)
    assert chosen is not None
    wait = limits.spend("EXPORT_RATE_LIMIT", "open-data", request.remote_addr or "")
    if wait is not None:
        raise TooManyRequests(_("Many files were downloaded from your address in a short time. Wait "
                                "%(seconds)s seconds and try again.", seconds=wait), retry_after=wait)
    minimum = current_app.config["MIN_PEER_CITIES"]
    data = tables.table(db.session, published_round(db.session, chosen), name, minimum)
    headers = {"Content-Disposition":
               f'attachment; filename="{tables.file_name(chosen.name, name, fmt)}"'}
    licence = licence_of(current_app.config["OPEN_DATA_LICENCE"])
    if licence.url:
        headers["Link"] = f'<{licence.url}>; rel="license"'
    return Response(tables.encoded(data, fmt), mimetype=tables.MEDIA_TYPES[fmt], headers=headers)


@bp.route("/open-data/consent", methods=["GET", "POST"])
@roles_required(Role.OFFICIAL)
def consent() -> str | BaseResponse:
    """The city's rounds, each published or not; its officials change that here."""
    city = current_user.city
    if city is None or not can_publish_scores(current_user, city):
        abort(403)
    if request.method == "POST":
        form = ConsentForm()
        if not form.validate():
            abort(400)
        try:
            changed = set_consent(db.session, current_user._get_current_object(), city,
                                  int(form.round_id.data or 0), form.consented)
        except ConsentError as problem:
            flash(str(problem), "error")
        else:
            db.session.commit()
            if changed is not None and changed.consented:
                flash(_("Your consent for %(round)s is recorded: the scores of %(city)s are "
                        "published whenever its assessment of the round is submitted, until you "
                        "withdraw them.", city=city.name, round=changed.round.name), "success")
            elif changed is not None:
                flash(_("The scores of %(city)s for %(round)s are no longer published.",
                        city=city.name, round=changed.round.name), "success")
        return redirect(url_for("opendata.consent"), 303)
    return render_template("opendata/consent.html", city=city, rows=consent_rows(db.session, city),
                           give=GIVE, withdraw=WITHDRAW, minimum=current_app.config["MIN_PEER_CITIES"])

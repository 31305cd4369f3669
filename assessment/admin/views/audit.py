"""The admin page of the audit log, and its CSV download."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Response, render_template, request, stream_with_context, url_for
from flask_babel import lazy_gettext as _l

from assessment.admin import audit as services
from assessment.admin.forms import AuditFilterForm, choice
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import filter_value, page_number, pager
from assessment.database import utcnow
from assessment.extensions import db
from assessment.places.models import City


def _filters() -> tuple[AuditFilterForm, services.AuditFilters]:
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [choice("", _l("Any action"))] + [
        choice(action, f"{services.ACTION_LABELS.get(action, action)} ({action})")
        for action in services.audit_actions(db.session)
    ]
    form.validate()
    filters = services.AuditFilters(
        action=filter_value(form.action) or "", city_text=(filter_value(form.city) or "").strip(),
        city_id=request.args.get("city_id", type=int), actor=(filter_value(form.actor) or "").strip(),
        since=filter_value(form.since), until=filter_value(form.until),
    )
    return form, filters


@bp.route("/audit")
def audit() -> str:
    form, filters = _filters()
    city = db.session.get(City, filters.city_id) if filters.city_id else None
    page = services.audit_page(db.session, filters, page_number())
    return render_template("admin/audit.html", filters=form, page=page, pager=pager(page),
                           city=city, city_id=filters.city_id,
                           csv_url=url_for("admin.audit_csv") + _query_string(filters))


def _query_string(filters: services.AuditFilters) -> str:
    query = urlencode(filters.as_query())
    return f"?{query}" if query else ""


@bp.route("/audit.csv")
def audit_csv() -> Response:
    _form, filters = _filters()
    parts = ["audit", *(f"{key}-{value}" for key, value in sorted(filters.as_query().items())),
             utcnow().strftime("%Y%m%dT%H%MZ")]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join(parts))[:150] + ".csv"
    return Response(stream_with_context(services.audit_csv(db.session, filters)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

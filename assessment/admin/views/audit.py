"""The admin page of the audit log."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from assessment.admin import audit as services
from assessment.admin.forms import AuditFilterForm, choice
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import filter_value, page_number, pager
from assessment.extensions import db
from assessment.places.models import City


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
        db.session, action=filter_value(filters.action) or "",
        city_text=(filter_value(filters.city) or "").strip(), city_id=city_id, page=page_number(),
    )
    return render_template("admin/audit.html", filters=filters, page=page, pager=pager(page),
                           city=city, city_id=city_id)

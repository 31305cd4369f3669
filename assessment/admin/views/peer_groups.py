"""Admin pages for peer groups: the cities an administrator puts together for comparison."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from assessment.admin import peer_groups as services
from assessment.admin.forms import PeerGroupForm
from assessment.admin.views.blueprint import bp
from assessment.admin.views.shared import act, actor, get_or_404, save
from assessment.extensions import db
from assessment.places.peers import PeerGroup, all_groups


@bp.route("/peer-groups")
def peer_groups() -> str:
    return render_template("admin/peer_groups.html", rows=all_groups(db.session))


@bp.route("/peer-groups/new", methods=["GET", "POST"])
def peer_group_new() -> str | Response:
    return _group_form(None)


@bp.route("/peer-groups/<int:group_id>", methods=["GET", "POST"])
def peer_group_edit(group_id: int) -> str | Response:
    return _group_form(get_or_404(PeerGroup, group_id))


def _group_form(group: PeerGroup | None) -> str | Response:
    """The form of a new group (``group`` None) or of an existing one."""
    form = PeerGroupForm(obj=group)
    if group is not None and not form.is_submitted():
        form.cities.data = services.member_lines(db.session, group)
    if form.validate_on_submit():
        saved = save(form, lambda: services.save_group(
            db.session, actor(), group, name=form.name.data or "",
            description=form.description.data or "", cities=form.cities.data or ""))
        if saved is not None:
            message = (_("Peer group %(name)s created.", name=saved.name) if group is None
                       else _("Peer group %(name)s saved.", name=saved.name))
            flash(message, "success")
            return redirect(url_for("admin.peer_groups"))
    return render_template("admin/peer_group_form.html", form=form, group=group)


@bp.route("/peer-groups/<int:group_id>/delete", methods=["POST"])
def peer_group_delete(group_id: int) -> Response:
    group = get_or_404(PeerGroup, group_id)
    name = act(lambda: services.delete_group(db.session, actor(), group))
    if name is None:
        return redirect(url_for("admin.peer_group_edit", group_id=group_id))
    flash(_("Peer group %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.peer_groups"))

"""The dashboard's filter form: a GET form, so every view of the dashboard has its own URL.

Values come from the query string and are checked against the choices the user is allowed;
anything else is ignored, with a message saying so, rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField

from assessment.dashboard.choices import RoundOption, default_round
from assessment.dashboard.table import ASCENDING_BY_DEFAULT, DEFAULT_SORT
from assessment.places.labels import SIZE_LABELS
from assessment.places.models import Country, Region, SizeClass
from assessment.places.peers import PeerGroup

T = TypeVar("T")



class FilterForm(Form):
    """Region (for users who see several), round, country and city size."""

    region = SelectField(_l("Region"), validate_choice=False)
    round = SelectField(_l("Round"), validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False)
    size = SelectField(_l("City size"), validate_choice=False)
    group = SelectField(_l("Peer group"), validate_choice=False)
    scores = SelectField(_l("Scores"), validate_choice=False)


def pick(raw: str | None, allowed: Mapping[str, T], default: T, notice: str,
         notices: list[str]) -> T:
    """The allowed value named by ``raw``; the default, with ``notice``, for anything else."""
    if raw is None or raw.strip() == "":
        return default
    if raw.strip() in allowed:
        return allowed[raw.strip()]
    notices.append(notice)
    return default


def pick_region(args: Mapping[str, str], regions: Sequence[Region], can_choose: bool,
                notices: list[str]) -> Region:
    """The region to show. Users tied to a region get theirs, whatever the URL says."""
    if not can_choose:
        return regions[0]
    allowed = {str(region.id): region for region in regions}
    return pick(args.get("region"), allowed, regions[0],
                _("The region in the link was not found, so the first region is shown."), notices)


def pick_round(args: Mapping[str, str], rounds: Sequence[RoundOption],
               notices: list[str]) -> RoundOption | None:
    default = default_round(rounds)
    allowed = {str(option.id): option for option in rounds}
    return pick(args.get("round"), allowed, default,
                _("The round in the link was not found, so the latest round is shown."), notices)


def pick_country(args: Mapping[str, str], countries: Sequence[Country],
                 notices: list[str]) -> int | None:
    allowed: dict[str, int | None] = {str(country.id): country.id for country in countries}
    return pick(args.get("country"), allowed, None,
                _("The country in the link is not in this region, so all countries are shown."),
                notices)


def pick_size(args: Mapping[str, str], notices: list[str]) -> SizeClass | None:
    allowed: dict[str, SizeClass | None] = {size.value: size for size in SizeClass}
    return pick(args.get("size"), allowed, None,
                _("The city size in the link is not known, so cities of every size are shown."),
                notices)


def pick_group(args: Mapping[str, str], groups: Sequence[PeerGroup], notices: list[str]) -> int | None:
    allowed: dict[str, int | None] = {str(group.id): group.id for group in groups}
    return pick(args.get("group"), allowed, None,
                _("The peer group in the link was not found, so cities of every group are shown."),
                notices)


def pick_sort(args: Mapping[str, str], keys: Sequence[str]) -> tuple[str, bool]:
    """The sort column and direction; unknown keys quietly fall back to the default."""
    key = args.get("sort", "")
    if key not in keys:
        key = DEFAULT_SORT
    direction = args.get("dir", "")
    if direction not in ("asc", "desc"):
        direction = "asc" if key in ASCENDING_BY_DEFAULT else "desc"
    return key, direction == "desc"


SCORE_CHOICES = {"self": False, "reviewed": True}


def pick_scores(args: Mapping[str, str], notices: list[str]) -> bool:
    """Whether the view shows the reviewed scores (``scores=reviewed``) or the self-assessed ones."""
    return pick(args.get("scores"), SCORE_CHOICES, False,
                _("Unknown choice of scores: the self-assessed scores are shown."), notices)


def pick_page(args: Mapping[str, str]) -> int:
    raw = args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def build_form(*, regions: Sequence[Region] | None, region: Region, rounds: Sequence[RoundOption],
               round_: RoundOption | None, countries: Sequence[Country], country_id: int | None,
               size: SizeClass | None, groups: Sequence[PeerGroup] = (),
               group_id: int | None = None, reviewed: bool = False) -> FilterForm:
    """The form showing the choices actually in effect (not what the URL asked for)."""
    form = FilterForm()
    if regions is None:
        del form.region
    else:
        form.region.choices = [(str(r.id), r.name) for r in regions]
        form.region.data = str(region.id)
    form.round.choices = [
        (str(option.id), _("%(name)s (%(count)d submitted)", name=option.name, count=option.submitted))
        for option in rounds
    ]
    form.round.data = str(round_.id) if round_ else ""
    form.country.choices = [("", _("All countries")), *((str(c.id), c.name) for c in countries)]
    form.country.data = str(country_id) if country_id is not None else ""
    form.size.choices = [("", _("All sizes")), *((s.value, str(label)) for s, label in SIZE_LABELS.items())]
    form.size.data = size.value if size is not None else ""
    form.scores.choices = [("self", _("Self-assessed")),
                           ("reviewed", _("Reviewed, where a reviewer has decided"))]
    form.scores.data = "reviewed" if reviewed else "self"
    if groups:
        form.group.choices = [("", _("All cities")), *((str(g.id), g.name) for g in groups)]
        form.group.data = str(group_id) if group_id is not None else ""
    else:
        del form.group
    return form

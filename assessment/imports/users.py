"""Importing accounts: ``email, role[, name, city, country, region, language]``, one per row.

An account is known by its e-mail address (case ignored): a row naming one that exists
updates its name, role, place and language; any other row adds an account without a password
anyone knows (its owner sets one from an invitation). An empty optional cell leaves an existing
account's value as it is.

Officials need a city, found by name; when several cities share the name, the row says which
with ``Name (Country)`` in the city column or with the country column (the region column, if
filled, narrows the search as well). Regional offices need a region. Analysts and administrators
have neither. An import never changes an administrator's role, nor the importer's own role.
A regional office imports officials of its region's cities and regional office accounts of its
region, and sees nothing of other regions in the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.audit.services import record
from assessment.auth import invitations
from assessment.auth import services as accounts
from assessment.auth.models import Role, User
from assessment.i18n import LANGUAGES
from assessment.imports import values
from assessment.imports.cities import overflow_problem
from assessment.imports.files import Column, Row, read_table, shown
from assessment.imports.report import ImportReport, Mode, Outcome, RowPlan, finish, importer_region_id
from assessment.logs import escape
from assessment.places.models import City, Country, Region

ACTION = "admin.user.import"
ROLES = ", ".join(role.value for role in Role)
# "Kigali (Rwanda)": a city named with its country.
_NAME_AND_COUNTRY = re.compile(r"(.+?)\s*\(([^()]+)\)")
# Existing accounts are looked up this many addresses at a time.
_LOOKUP_BATCH = 500

USER_COLUMNS = (
    Column("email", True, _l("Their sign-in address. A row with the address of an existing "
                             "account (in any case) updates that account.")),
    Column("name", False, _l("The name shown to colleagues.")),
    Column("role", True, _l("official, regional, analyst or admin.")),
    Column("city", False, _l("Officials: the city they work for (required). When two cities have "
                             "this name, write “Name (Country)” or fill in the country column.")),
    Column("country", False, _l("Officials: the city's country, when its name alone is ambiguous.")),
    Column("region", False, _l("Regional offices: their region (required). Officials: optional; it "
                               "narrows the search for their city.")),
    Column("language", False, _l("The language of their pages: ar, zh, en, fr, ru or es. Empty: "
                                 "their browser's.")),
)
EXAMPLE_ROWS = (
    ("aline@kigali.example.org", "Aline Mukamana", "official", "Kigali", "", "", "fr"),
    ("omar@tripoli.example.org", "Omar Haddad", "official", "Tripoli (Lebanon)", "", "", "ar"),
    ("africa@regional.example.org", "Africa office", "regional", "", "", "Africa", "en"),
    ("analyst@example.org", "", "analyst", "", "", "", ""),
)


@dataclass(frozen=True)
class _Place:
    city: City
    country: str
    region_id: int


@dataclass
class _Target:
    """What a valid row asks an account to become."""

    name: str | None  # None: keep
    role: Role
    city: City | None
    region: Region | None
    language: str | None  # None: keep


class _Planner:
    def __init__(self, session: Session, actor: User | None, region_id: int | None,
                 emails: Iterable[str], invite: bool) -> None:
        self.session = session
        self.actor = actor
        self.scope = region_id
        self.invite = invite
        self.invited = 0
        query = select(Region)
        if region_id is not None:
            query = query.where(Region.id == region_id)
        self.regions = {values.key(r.name): r for r in session.scalars(query)}
        self.region_names = {r.id: r.name for r in self.regions.values()}
        places = (select(City, Country.name, Country.region_id)
                  .join(Country, City.country_id == Country.id))
        if region_id is not None:
            places = places.where(Country.region_id == region_id)
        self.cities: dict[str, list[_Place]] = {}
        self.city_ids: dict[int, _Place] = {}
        for city, country, region in session.execute(places):
            place = _Place(city, country, region)
            self.cities.setdefault(values.key(city.name), []).append(place)
            self.city_ids[city.id] = place
        addresses = sorted(set(emails))
        self.existing: dict[str, User] = {}
        for start in range(0, len(addresses), _LOOKUP_BATCH):
            batch = addresses[start:start + _LOOKUP_BATCH]
            found = session.scalars(select(User).where(User.email.in_(batch)))
            self.existing.update((user.email, user) for user in found)
        self.seen: dict[str, int] = {}

    # --- reading a row -----------------------------------------------------------------

    def _not_yours(self) -> str:
        return _("You can import accounts for %(region)s only.",
                 region=self.region_names.get(self.scope or 0, ""))

    def _region(self, text: str, problems: list[str]) -> Region | None:
        region = self.regions.get(values.key(text))
        if region is None:
            problems.append(self._not_yours() if self.scope is not None else
                            _("There is no region called %(value)s.", value=shown(text)))
        return region

    def _city(self, text: str, country_text: str, region_text: str, problems: list[str]) -> City | None:
        name = " ".join(text.split())
        candidates = self.cities.get(values.key(name), [])
        if not candidates and not country_text and (match := _NAME_AND_COUNTRY.fullmatch(name)):
            name, country_text = match[1], match[2]
            candidates = self.cities.get(values.key(name), [])
        if country_text:
            candidates = [p for p in candidates if values.key(p.country) == values.key(country_text)]
        if region_text:
            region = self._region(region_text, problems)
            if region is None:
                return None
            candidates = [p for p in candidates if p.region_id == region.id]
        if len(candidates) == 1:
            return candidates[0].city
        if candidates:
            countries = sorted({p.country for p in candidates})
            problems.append(ngettext(
                "%(num)d city is called %(value)s (in %(countries)s): write it as “%(example)s” or "
                "fill in the column “country”.",
                "%(num)d cities are called %(value)s (in %(countries)s): write it as “%(example)s” or "
                "fill in the column “country”.", len(candidates),
                value=shown(name), countries=", ".join(countries),
                example=f"{candidates[0].city.name} ({countries[0]})"))
        elif country_text:
            problems.append(_("There is no city called %(value)s in %(country)s.", value=shown(name),
                              country=shown(country_text)))
        elif self.scope is not None:
            problems.append(_("There is no city called %(value)s in %(region)s.", value=shown(name),
                              region=self.region_names.get(self.scope, "")))
        else:
            problems.append(_("There is no city called %(value)s.", value=shown(name)))
        return None

    def _target(self, row: Row, problems: list[str]) -> _Target | None:
        cell = row.values.get
        name = values.name(cell("name", ""), "name", problems, required=False)
        role_text = cell("role", "").lower()
        role = Role(role_text) if role_text in {r.value for r in Role} else None
        if role is None:
            problems.append(_("The column “role” is empty: write one of %(roles)s.", roles=ROLES)
                            if not role_text else
                            _("%(value)s is not a role: write one of %(roles)s.",
                              value=shown(cell("role", "")), roles=ROLES))
        language = cell("language", "").lower() or None
        if language is not None and language not in LANGUAGES:
            problems.append(_("%(value)s is not one of the languages: %(codes)s.",
                              value=shown(cell("language", "")), codes=", ".join(LANGUAGES)))
        city_text, country_text, region_text = cell("city", ""), cell("country", ""), cell("region", "")
        city = region = None
        if role == Role.OFFICIAL:
            if not city_text:
                problems.append(_("An official needs a city: fill in the column “city”."))
            else:
                city = self._city(city_text, country_text, region_text, problems)
        elif role == Role.REGIONAL:
            if city_text or country_text:
                problems.append(_("Only officials have a city: leave “city” and “country” empty for a "
                                  "regional office."))
            if not region_text:
                problems.append(_("A regional office needs a region: fill in the column “region”."))
            else:
                region = self._region(region_text, problems)
        elif role is not None:
            if city_text or country_text or region_text:
                problems.append(_("Analysts and administrators have no city or region: leave “city”, "
                                  "“country” and “region” empty."))
            if self.scope is not None:
                problems.append(_("A regional office can import officials and regional office accounts "
                                  "only."))
        if role is None or problems:
            return None
        return _Target(name or None, role, city, region, language)

    def plan(self, row: Row) -> RowPlan:
        problems: list[str] = []
        address = values.email(row.values["email"], problems)
        plan = RowPlan(row.line, address if not problems else escape(row.values["email"])[:80] or "—",
                       problems)
        if address:
            earlier = self.seen.setdefault(address, row.line)
            if earlier != row.line:
                problems.append(_("Line %(line)d already has this address.", line=earlier))
        if row.overflow:
            problems.append(overflow_problem())
        target = self._target(row, problems)
        user = self.existing.get(address)
        if user is not None:
            self._check_change(user, target, problems)
        if problems or target is None:
            return plan
        if user is None:
            self._plan_new(plan, address, target)
        else:
            self._plan_update(plan, user, target)
        return plan

    def _in_scope(self, user: User) -> bool:
        if self.scope is None:
            return True
        if user.role == Role.OFFICIAL:
            return user.city_id in self.city_ids
        return user.role == Role.REGIONAL and user.region_id == self.scope

    def _check_change(self, user: User, target: _Target | None, problems: list[str]) -> None:
        if not self._in_scope(user):
            problems.append(_("An account with this address already exists outside %(region)s; only an "
                              "administrator can change it.",
                              region=self.region_names.get(self.scope or 0, "")))
        elif target is not None and target.role != user.role:
            if user.role == Role.ADMIN:
                problems.append(_("This account is an administrator's: an import does not change an "
                                  "administrator's role. Change it on the account's page."))
            elif self.actor is not None and user.id == self.actor.id:
                problems.append(_("This is your own account: an import does not change your own role."))

    # --- what a row does -----------------------------------------------------------------

    def _place(self, city: City | None, region: Region | None) -> str:
        if city is not None:
            return f"{city.name} ({self.city_ids[city.id].country})"
        return region.name if region is not None else "—"

    def _plan_new(self, plan: RowPlan, address: str, target: _Target) -> None:
        plan.outcome = Outcome.ADDED
        plan.details.append(_("%(role)s, %(place)s", role=target.role.value,
                              place=self._place(target.city, target.region)))
        if target.language:
            plan.details.append(_("language: %(code)s", code=target.language))
        if self.invite:
            plan.details.append(_("with an invitation by e-mail"))
        plan.write = self._add(address, target)

    def _plan_update(self, plan: RowPlan, user: User, target: _Target) -> None:
        changes = self._changes(user, target)
        user_city = self.city_ids[user.city_id].city if user.city_id in self.city_ids else None
        for field_name, (old, new) in changes.items():
            if field_name == "place":
                continue
            plan.details.append(f"{field_name}: {old or '—'} → {new or '—'}")
        if "place" in changes:
            region = self.session.get(Region, user.region_id) if user.region_id is not None else None
            plan.details.append(_("place: %(old)s → %(new)s", old=self._place(user_city, region),
                                  new=self._place(target.city, target.region)))
        if changes:
            plan.outcome = Outcome.UPDATED
            plan.write = self._update(user, target)
        if not user.active:
            plan.details.append(_("The account is deactivated; an import does not reactivate it."))
        if self.invite and self._never_invited(user):
            plan.details.append(_("with an invitation by e-mail"))
            previous = plan.write
            plan.write = self._then_invite(user, previous)

    @staticmethod
    def _never_invited(user: User) -> bool:
        """An account without a password that was never invited (for example one added by an
        earlier import without invitations): nobody can sign in to it yet."""
        return user.active and user.invited_at is None and not accounts.has_password(user)

    def _changes(self, user: User, target: _Target) -> dict[str, tuple[str | None, str | None]]:
        changes: dict[str, tuple[str | None, str | None]] = {}
        if target.name is not None and target.name != user.name:
            changes["name"] = (user.name, target.name)
        if target.role != user.role:
            changes["role"] = (user.role.value, target.role.value)
        city_id = target.city.id if target.city is not None else None
        region_id = target.region.id if target.region is not None else None
        if (city_id, region_id) != (user.city_id, user.region_id):
            changes["place"] = (None, None)
        if target.language is not None and target.language != user.language:
            changes["language"] = (user.language, target.language)
        return changes

    def _add(self, address: str, target: _Target) -> Callable[[], None]:
        def write() -> None:
            # No password anyone knows: the account is reached through an invitation only.
            user = accounts.create_user(self.session, email=address, role=target.role,
                                        city=target.city, region=target.region, name=target.name or "",
                                        password_hash=accounts.unusable_password_hash())
            user.language = target.language
            record(self.session, "admin.user.create", self.actor, user_id=user.id, email=user.email,
                   role=user.role.value, **_place_detail(user), via="import")
            if self.invite:
                invitations.invite(self.session, user, inviter=self.actor)
                self.invited += 1
        return write

    def _update(self, user: User, target: _Target) -> Callable[[], None]:
        def write() -> None:
            before = _snapshot(user)
            name = user.name if target.name is None else target.name
            accounts.update_account(self.session, user, name=name, role=target.role, city=target.city,
                                    region=target.region)
            if target.language is not None:
                user.language = target.language
            self.session.flush()
            after = _snapshot(user)
            record(self.session, "admin.user.update", self.actor, user_id=user.id, email=user.email,
                   changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
                   **_place_detail(user), via="import")
        return write

    def _then_invite(self, user: User, previous: Callable[[], None] | None) -> Callable[[], None]:
        def write() -> None:
            if previous is not None:
                previous()
            invitations.invite(self.session, user, inviter=self.actor)
            self.invited += 1
        return write

    def invitation_count(self, _plans: list[RowPlan]) -> dict[str, int]:
        return {"invited": self.invited}


def _snapshot(user: User) -> dict[str, object]:
    return {"name": user.name, "role": user.role.value, "city_id": user.city_id,
            "region_id": user.region_id, "language": user.language}


def _place_detail(user: User) -> dict[str, Any]:
    if user.city_id is not None:
        return {"city_id": user.city_id}
    if user.region_id is not None:
        return {"region_id": user.region_id}
    return {}


def import_users(session: Session, data: bytes | str, *, actor: User | None, mode: Mode,
                 invite: bool = False, filename: str = "") -> ImportReport:
    """Check or import an accounts file (see the module's docstring). Flushes; the caller commits.

    With ``invite``, each account added, and each account of the file that has no password and
    was never invited, gets an invitation. Raises ImportFileError for a file that cannot be read,
    ImportAccessError when ``actor`` (None: a command) may not import accounts.
    """
    region_id = importer_region_id(actor, users=True)
    table = read_table(data, USER_COLUMNS)
    emails = (accounts.normalise_email(row.values["email"]) for row in table.rows)
    planner = _Planner(session, actor, region_id, emails, invite)
    plans = [planner.plan(row) for row in table.rows]
    return finish(session, "users", ACTION, plans, mode, actor=actor, filename=filename,
                  ignored=table.ignored, after_write=planner.invitation_count)

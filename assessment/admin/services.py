"""Administration: every change is recorded in the audit log; lists come back ready to show.

Services flush and never commit; the view commits once. Messages raised here are for people.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from assessment.assessments.models import (
    Assessment,
    AssessmentStatus,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import ensure_version, questionnaire_for
from assessment.audit.models import AuditEvent
from assessment.audit.services import record
from assessment.auth import services as accounts
from assessment.auth.models import Role, User
from assessment.places import services as places
from assessment.places.models import City, Country, Region
from assessment.questionnaire import Questionnaire, QuestionType

PER_PAGE = 50
HASH_PREFIX = 12

T = TypeVar("T")


class AdminError(ValueError):
    """A user-facing reason why an admin change cannot be made; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


ROLE_LABELS = {
    Role.OFFICIAL: _l("City official"),
    Role.REGIONAL: _l("Regional office"),
    Role.ANALYST: _l("Analyst"),
    Role.ADMIN: _l("Administrator"),
}

ACTION_LABELS = {
    "admin.region.create": _l("Region created"),
    "admin.region.rename": _l("Region renamed"),
    "admin.region.delete": _l("Region deleted"),
    "admin.country.create": _l("Country created"),
    "admin.country.update": _l("Country changed"),
    "admin.country.delete": _l("Country deleted"),
    "admin.city.create": _l("City created"),
    "admin.city.update": _l("City changed"),
    "admin.city.delete": _l("City deleted"),
    "admin.user.create": _l("Account created"),
    "admin.user.update": _l("Account changed"),
    "admin.user.deactivate": _l("Account deactivated"),
    "admin.user.reactivate": _l("Account reactivated"),
    "admin.user.password": _l("Password set by an administrator"),
    "admin.user.revoke_sessions": _l("Sign-ins ended"),
    "admin.round.create": _l("Round created"),
    "admin.round.update": _l("Round changed"),
    "admin.round.version": _l("Round moved to another questionnaire version"),
    "admin.round.delete": _l("Round deleted"),
    "admin.questionnaire.store": _l("Questionnaire version stored"),
    "save": _l("Answers saved"),
    "submit": _l("Assessment submitted"),
    "reopen": _l("Assessment reopened"),
}


# --- pagination -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.total)


def paginate(session: Session, query: Select[Any], page: int, per_page: int = PER_PAGE) -> Page[Any]:
    """One page of ``query``'s rows; a page number past the end shows the last page."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(page, 1), pages)
    rows = session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=rows, number=number, pages=pages, total=total, per_page=per_page)


# --- overview ---------------------------------------------------------------------------


def overview_counts(session: Session) -> dict[str, int]:
    def count(column: Any, *where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count(column)).where(*where)) or 0

    return {
        "regions": count(Region.id),
        "countries": count(Country.id),
        "cities": count(City.id),
        "users": count(User.id, User.active.is_(True)),
        "inactive_users": count(User.id, User.active.is_(False)),
        "rounds": count(Round.id),
        "versions": count(QuestionnaireVersion.id),
    }


# --- regions, countries, cities ---------------------------------------------------------


@dataclass(frozen=True)
class RegionRow:
    id: int
    name: str
    countries: int
    cities: int
    accounts: int


def region_rows(session: Session) -> list[RegionRow]:
    countries = select(func.count(Country.id)).where(Country.region_id == Region.id).scalar_subquery()
    cities = (
        select(func.count(City.id)).join(Country, City.country_id == Country.id)
        .where(Country.region_id == Region.id).scalar_subquery()
    )
    accounts = select(func.count(User.id)).where(User.region_id == Region.id).scalar_subquery()
    rows = session.execute(select(Region.id, Region.name, countries, cities, accounts).order_by(Region.name))
    return [RegionRow(*row) for row in rows]


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.name)))


def countries_by_region(session: Session) -> list[tuple[str, list[Country]]]:
    """Countries grouped under their region's name, both in alphabetical order."""
    groups: dict[str, list[Country]] = {}
    query = select(Country, Region.name).join(Region).order_by(Region.name, Country.name)
    for country, region_name in session.execute(query):
        groups.setdefault(region_name, []).append(country)
    return list(groups.items())


def cities_by_country(session: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """(city id, city name) grouped under their country's name."""
    groups: dict[str, list[tuple[int, str]]] = {}
    query = select(City.id, City.name, Country.name).join(Country).order_by(Country.name, City.name)
    for city_id, city_name, country_name in session.execute(query):
        groups.setdefault(country_name, []).append((city_id, city_name))
    return list(groups.items())


@dataclass(frozen=True)
class CountryRow:
    id: int
    name: str
    iso_code: str | None
    region: str
    cities: int


def country_rows(session: Session, region_id: int | None = None) -> list[CountryRow]:
    cities = select(func.count(City.id)).where(City.country_id == Country.id).scalar_subquery()
    query = (
        select(Country.id, Country.name, Country.iso_code, Region.name, cities)
        .join(Region).order_by(Country.name)
    )
    if region_id is not None:
        query = query.where(Country.region_id == region_id)
    return [CountryRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class CityRow:
    id: int
    name: str
    country: str
    region: str
    population: int | None
    size_class: str | None
    assessments: int


def city_page(session: Session, *, region_id: int | None, country_id: int | None, text: str,
              page: int) -> Page[CityRow]:
    assessments = select(func.count(Assessment.id)).where(Assessment.city_id == City.id).scalar_subquery()
    query = (
        select(City.id, City.name, Country.name, Region.name, City.population, City.size_class,
               assessments)
        .join(Country, City.country_id == Country.id)
        .join(Region, Country.region_id == Region.id)
        .order_by(City.name, Country.name, City.id)
    )
    if region_id is not None:
        query = query.where(Country.region_id == region_id)
    if country_id is not None:
        query = query.where(City.country_id == country_id)
    if text:
        query = query.where(City.name.icontains(text, autoescape=True))
    found = paginate(session, query, page)
    rows = [
        CityRow(id, name, country, region, population,
                size.value.replace("_", " ") if size is not None else None, count)
        for id, name, country, region, population, size, count in found.items
    ]
    return Page(rows, found.number, found.pages, found.total, found.per_page)


def create_region(session: Session, actor: User, name: str) -> Region:
    region = places.create_region(session, name)
    record(session, "admin.region.create", actor, region_id=region.id, name=region.name)
    return region


def rename_region(session: Session, actor: User, region: Region, name: str) -> places.Changes:
    changes = places.rename_region(session, region, name)
    if changes:
        record(session, "admin.region.rename", actor, region_id=region.id, changes=changes)
    return changes


def delete_region(session: Session, actor: User, region: Region) -> str:
    name, region_id = region.name, region.id
    places.delete_region(session, region)
    record(session, "admin.region.delete", actor, region_id=region_id, name=name)
    return name


def create_country(session: Session, actor: User, *, name: str, iso_code: str | None,
                   region: Region) -> Country:
    country = places.create_country(session, name=name, iso_code=iso_code, region=region)
    record(session, "admin.country.create", actor, country_id=country.id, name=country.name,
           iso_code=country.iso_code, region_id=region.id, region=region.name)
    return country


def update_country(session: Session, actor: User, country: Country, *, name: str,
                   iso_code: str | None, region: Region) -> places.Changes:
    changes = places.update_country(session, country, name=name, iso_code=iso_code, region=region)
    if changes:
        record(session, "admin.country.update", actor, country_id=country.id, name=country.name,
               changes=changes)
    return changes


def delete_country(session: Session, actor: User, country: Country) -> str:
    name, country_id = country.name, country.id
    places.delete_country(session, country)
    record(session, "admin.country.delete", actor, country_id=country_id, name=name)
    return name


def create_city(session: Session, actor: User, *, name: str, country: Country,
                population: int | None) -> City:
    city = places.create_city(session, name=name, country=country, population=population)
    record(session, "admin.city.create", actor, city_id=city.id, name=city.name,
           country_id=country.id, country=country.name, population=population)
    return city


def update_city(session: Session, actor: User, city: City, *, name: str, country: Country,
                population: int | None) -> places.Changes:
    changes = places.update_city(session, city, name=name, country=country, population=population)
    if changes:
        record(session, "admin.city.update", actor, city_id=city.id, name=city.name, changes=changes)
    return changes


def delete_city(session: Session, actor: User, city: City) -> str:
    name, city_id, country = city.name, city.id, city.country.name
    places.delete_city(session, city)
    record(session, "admin.city.delete", actor, city_id=city_id, name=name, country=country)
    return name


# --- accounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    place: str
    active: bool
    last_login: str


def when(moment: datetime | None) -> str:
    """A timestamp as people read it, in UTC (the server does not know the reader's zone)."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def user_page(session: Session, *, role: Role | None, region_id: int | None, text: str,
              status: str, page: int) -> Page[UserRow]:
    query = (
        select(User, City.name, Region.name)
        .outerjoin(City, User.city_id == City.id)
        .outerjoin(Region, User.region_id == Region.id)
        .order_by(User.email)
    )
    if role is not None:
        query = query.where(User.role == role)
    if region_id is not None:
        in_region = City.country_id.in_(select(Country.id).where(Country.region_id == region_id))
        query = query.where(or_(User.region_id == region_id, and_(User.city_id.is_not(None), in_region)))
    if text:
        query = query.where(or_(User.email.icontains(text, autoescape=True),
                                User.name.icontains(text, autoescape=True)))
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    found = paginate(session, query, page)
    rows = [
        UserRow(user.id, user.email, user.name, str(ROLE_LABELS[user.role]),
                city_name or region_name or "", user.active, when(user.last_login_at))
        for user, city_name, region_name in found.items
    ]
    return Page(rows, found.number, found.pages, found.total, found.per_page)


def _place_detail(user: User) -> dict[str, Any]:
    if user.city_id is not None:
        return {"city_id": user.city_id}
    if user.region_id is not None:
        return {"region_id": user.region_id}
    return {}


def create_account(session: Session, actor: User, *, email: str, name: str, role: Role,
                   city: City | None, region: Region | None, password: str) -> User:
    email = accounts.normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AdminError(_("An account with the email %(email)s already exists.", email=email),
                         field="email")
    accounts.check_new_password(password)
    user = accounts.create_user(session, email=email, password=password, role=role, city=city,
                                region=region, name=name.strip())
    record(session, "admin.user.create", actor, user_id=user.id, email=user.email,
           role=user.role.value, **_place_detail(user))
    return user


def update_account(session: Session, actor: User, user: User, *, name: str, role: Role,
                   city: City | None, region: Region | None) -> dict[str, list[Any]]:
    if user.id == actor.id and role != Role.ADMIN:
        raise AdminError(_("You cannot take away your own administrator role. Ask another "
                           "administrator to do it."), field="role")
    before = {"name": user.name, "role": user.role.value, "city_id": user.city_id,
              "region_id": user.region_id}
    accounts.update_account(session, user, name=name.strip(), role=role, city=city, region=region)
    after = {"name": user.name, "role": user.role.value, "city_id": user.city_id,
             "region_id": user.region_id}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        record(session, "admin.user.update", actor, user_id=user.id, email=user.email,
               changes=changes, **_place_detail(user))
    return changes


def deactivate_account(session: Session, actor: User, user: User) -> int:
    """Stop ``user`` signing in and end every sign-in they have; return how many ended."""
    if user.id == actor.id:
        raise AdminError(_("You cannot deactivate your own account."))
    if not user.active:
        return 0
    ended = accounts.deactivate(session, user)
    record(session, "admin.user.deactivate", actor, user_id=user.id, email=user.email,
           sessions_ended=ended, **_place_detail(user))
    return ended


def reactivate_account(session: Session, actor: User, user: User) -> User:
    if not user.active:
        accounts.reactivate(session, user)
        record(session, "admin.user.reactivate", actor, user_id=user.id, email=user.email,
               **_place_detail(user))
    return user


def set_account_password(session: Session, actor: User, user: User, password: str, *,
                         sign_out: bool, keep_token: str | None) -> int:
    """Set a new password; with ``sign_out``, end the user's sign-ins (but not the actor's own)."""
    accounts.set_password(session, user, password)
    ended = accounts.revoke_sessions(session, user, keep_token=keep_token) if sign_out else 0
    record(session, "admin.user.password", actor, user_id=user.id, email=user.email,
           sessions_ended=ended, **_place_detail(user))
    return ended


def revoke_account_sessions(session: Session, actor: User, user: User, *,
                            keep_token: str | None) -> int:
    ended = accounts.revoke_sessions(session, user, keep_token=keep_token)
    record(session, "admin.user.revoke_sessions", actor, user_id=user.id, email=user.email,
           sessions_ended=ended, **_place_detail(user))
    return ended


# --- rounds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    id: int
    name: str
    opens_on: date
    closes_on: date | None
    status: str
    version_id: int
    version_label: str
    version_hash: str
    started: int
    submitted: int


def round_status(opens_on: date, closes_on: date | None, today: date) -> str:
    if today < opens_on:
        return _("upcoming")
    if closes_on is not None and today > closes_on:
        return _("closed")
    return _("open")


def _assessment_counts() -> tuple[Any, Any]:
    started = func.count(Assessment.id)
    submitted = func.coalesce(func.sum(case((Assessment.status == AssessmentStatus.SUBMITTED, 1),
                                            else_=0)), 0)
    return started, submitted


def round_rows(session: Session, today: date) -> list[RoundRow]:
    started, submitted = _assessment_counts()
    query = (
        select(Round, QuestionnaireVersion, started, submitted)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .outerjoin(Assessment, Assessment.round_id == Round.id)
        .group_by(Round.id, QuestionnaireVersion.id)
        .order_by(Round.opens_on.desc(), Round.name)
    )
    return [
        RoundRow(round_.id, round_.name, round_.opens_on, round_.closes_on,
                 round_status(round_.opens_on, round_.closes_on, today), version.id, version.label,
                 version.content_hash[:HASH_PREFIX], n_started, int(n_submitted))
        for round_, version, n_started, n_submitted in session.execute(query)
    ]


def round_assessment_count(session: Session, round_: Round) -> int:
    return session.scalar(select(func.count(Assessment.id)).where(Assessment.round_id == round_.id)) or 0


def _check_round(session: Session, name: str, opens_on: date, closes_on: date | None,
                 exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise AdminError(_("Enter a name."), field="name")
    query = select(Round.id).where(func.lower(Round.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Round.id != exclude_id)
    if session.scalar(query) is not None:
        raise AdminError(_("There is already a round called %(name)s.", name=name), field="name")
    if closes_on is not None and closes_on < opens_on:
        raise AdminError(_("The round cannot close before it opens."), field="closes_on")
    return name


def create_round(session: Session, actor: User, *, name: str, opens_on: date, closes_on: date | None,
                 questionnaire: Questionnaire) -> Round:
    """A new round, tied for good to ``questionnaire`` (stored as a version if it is new)."""
    name = _check_round(session, name, opens_on, closes_on)
    version = ensure_version(session, questionnaire)
    round_ = Round(name=name, opens_on=opens_on, closes_on=closes_on,
                   questionnaire_version_id=version.id)
    session.add(round_)
    session.flush()
    record(session, "admin.round.create", actor, round_id=round_.id, name=name, opens_on=opens_on,
           closes_on=closes_on, version_id=version.id, version=version.label)
    return round_


def update_round(session: Session, actor: User, round_: Round, *, name: str, opens_on: date,
                 closes_on: date | None) -> dict[str, list[Any]]:
    name = _check_round(session, name, opens_on, closes_on, round_.id)
    changes: dict[str, list[Any]] = {}
    for field, new in (("name", name), ("opens_on", opens_on), ("closes_on", closes_on)):
        old = getattr(round_, field)
        if old != new:
            changes[field] = [old, new]
            setattr(round_, field, new)
    session.flush()
    if changes:
        record(session, "admin.round.update", actor, round_id=round_.id, name=round_.name,
               changes=changes)
    return changes


def move_round_to_version(session: Session, actor: User, round_: Round,
                          questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Tie a round nobody has started to ``questionnaire`` instead of its old version."""
    if round_assessment_count(session, round_):
        raise AdminError(_("Cities have already started %(name)s, so its questionnaire version "
                           "can no longer change.", name=round_.name))
    old = round_.questionnaire_version
    version = ensure_version(session, questionnaire)
    if version.id != old.id:
        round_.questionnaire_version_id = version.id
        session.flush()
        session.expire(round_, ["questionnaire_version"])
        record(session, "admin.round.version", actor, round_id=round_.id, name=round_.name,
               changes={"version": [old.label, version.label],
                        "version_id": [old.id, version.id]})
    return version


def delete_round(session: Session, actor: User, round_: Round) -> str:
    if round_assessment_count(session, round_):
        raise AdminError(_("Cities have already started %(name)s, so it cannot be deleted.",
                           name=round_.name))
    name, round_id = round_.name, round_.id
    session.delete(round_)
    session.flush()
    record(session, "admin.round.delete", actor, round_id=round_id, name=name)
    return name


# --- questionnaire versions -------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    id: int
    label: str
    hash_prefix: str
    stored: str
    rounds: list[str]
    assessments: int
    submitted: int
    is_current: bool
    usage: str


def usage_sentence(label: str, rounds: int, assessments: int, submitted: int) -> str:
    """E.g. "3 rounds use version 2026.1. 45 assessments were answered under it (30 submitted)."."""
    if not rounds:
        return _("No round uses version %(label)s yet.", label=label)
    return " ".join([
        ngettext("%(num)d round uses version %(label)s.", "%(num)d rounds use version %(label)s.",
                 rounds, label=label),
        ngettext("%(num)d assessment was answered under it (%(submitted)d submitted).",
                 "%(num)d assessments were answered under it (%(submitted)d submitted).",
                 assessments, submitted=submitted),
    ])


def version_rows(session: Session, current_hash: str) -> list[VersionRow]:
    started, submitted = _assessment_counts()
    counts = dict(
        (version_id, (n, int(s))) for version_id, n, s in session.execute(
            select(Assessment.questionnaire_version_id, started, submitted)
            .group_by(Assessment.questionnaire_version_id)
        )
    )
    round_names: dict[int, list[str]] = {}
    for version_id, name in session.execute(
        select(Round.questionnaire_version_id, Round.name).order_by(Round.opens_on, Round.name)
    ):
        round_names.setdefault(version_id, []).append(name)
    rows = []
    for version in session.scalars(
        select(QuestionnaireVersion).order_by(QuestionnaireVersion.created_at.desc(),
                                              QuestionnaireVersion.id.desc())
    ):
        n_assessments, n_submitted = counts.get(version.id, (0, 0))
        names = round_names.get(version.id, [])
        rows.append(VersionRow(
            version.id, version.label, version.content_hash[:HASH_PREFIX], when(version.created_at),
            names, n_assessments, n_submitted, version.content_hash == current_hash,
            usage_sentence(version.label, len(names), n_assessments, n_submitted),
        ))
    return rows


@dataclass(frozen=True)
class CurrentFile:
    label: str
    content_hash: str
    hash_prefix: str
    summary: str
    stored: VersionRow | None
    # A stored version with the same label but other content: the file's label was not changed.
    label_clash: VersionRow | None


def current_file_status(rows: list[VersionRow], questionnaire: Questionnaire) -> CurrentFile:
    stored = next((row for row in rows if row.is_current), None)
    clash = next((row for row in rows if row.label == questionnaire.version and not row.is_current), None)
    return CurrentFile(questionnaire.version, questionnaire.content_hash,
                       questionnaire.content_hash[:HASH_PREFIX], questionnaire.summary(), stored, clash)


def store_current_version(session: Session, actor: User, questionnaire: Questionnaire) -> bool:
    """Store the current file as a version; False when it was already stored."""
    known = session.scalar(select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.content_hash == questionnaire.content_hash))
    if known is not None:
        return False
    version = ensure_version(session, questionnaire)
    record(session, "admin.questionnaire.store", actor, version_id=version.id, version=version.label,
           content_hash=version.content_hash)
    return True


ANSWER_KINDS = {
    QuestionType.MATURITY: _l("maturity levels"),
    QuestionType.YES_NO: _l("yes or no"),
    QuestionType.SINGLE_CHOICE: _l("one option"),
    QuestionType.MULTIPLE_CHOICE: _l("several options"),
    QuestionType.NUMBER: _l("a number"),
    QuestionType.EVIDENCE: _l("evidence (a link)"),
}


@dataclass(frozen=True)
class QuestionRow:
    id: str
    text: str
    answer: str
    scored: bool
    weight: float
    allow_na: bool


@dataclass(frozen=True)
class ElementSection:
    id: str
    title: str
    target_percent: int
    weight: float
    questions: list[QuestionRow]


def version_sections(version: QuestionnaireVersion) -> tuple[Questionnaire, list[ElementSection]]:
    """The elements and questions of a stored version, parsed from its own stored text."""
    questionnaire = questionnaire_for(version)
    sections = []
    for element in questionnaire.elements:
        questions = []
        for question in element.questions:
            answer = str(ANSWER_KINDS[question.type])
            if question.levels:
                answer = f"{answer} ({len(question.levels)})"
            elif question.options:
                answer = f"{answer} ({len(question.options)})"
            questions.append(QuestionRow(question.id, str(question.text), answer, question.scored,
                                         question.weight, question.allow_na))
        sections.append(ElementSection(element.id, str(element.title), round(element.target_percent),
                                       element.weight, questions))
    return questionnaire, sections


def version_rounds(session: Session, version: QuestionnaireVersion) -> list[str]:
    return list(session.scalars(
        select(Round.name).where(Round.questionnaire_version_id == version.id).order_by(Round.opens_on)
    ))


# --- audit log listing ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    who: str
    action: str
    action_label: str
    city: str
    round: str
    lines: list[str]


def _detail_lines(detail: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                if isinstance(change, list) and len(change) == 2:
                    lines.append(f"{field}: {_shown(change[0])} → {_shown(change[1])}")
                else:
                    lines.append(f"{field}: {_shown(change)}")
        else:
            lines.append(f"{key}: {_shown(value)}")
    return lines


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_page(session: Session, *, action: str, city_text: str, city_id: int | None,
               page: int) -> Page[AuditRow]:
    """Audit events, newest first; a city filter matches its assessments and admin changes to it."""
    query = (
        select(AuditEvent, User.email, City.name, Round.name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .outerjoin(Assessment, AuditEvent.assessment_id == Assessment.id)
        .outerjoin(City, Assessment.city_id == City.id)
        .outerjoin(Round, Assessment.round_id == Round.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    cities: Select[Any] | None = None
    if city_id is not None:
        cities = select(City.id).where(City.id == city_id)
    elif city_text:
        cities = select(City.id).where(City.name.icontains(city_text, autoescape=True))
    if cities is not None:
        query = query.where(or_(
            Assessment.city_id.in_(cities),
            AuditEvent.detail["city_id"].as_integer().in_(cities),
        ))
    found = paginate(session, query, page)
    rows = [
        AuditRow(event.id, when(event.at), email or "—", event.action,
                 str(ACTION_LABELS.get(event.action, event.action)), city or "", round_name or "",
                 _detail_lines(event.detail or {}))
        for event, email, city, round_name in found.items
    ]
    return Page(rows, found.number, found.pages, found.total, found.per_page)

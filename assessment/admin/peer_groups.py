"""Peer groups as the admin pages change them: a name, a description and the cities, typed one
per line as "City (Country)". Every change is in the audit log; services flush, views commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.admin.errors import AdminError
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.places.models import City, Country
from assessment.places.peers import MAX_DESCRIPTION, MAX_NAME, PeerGroup, member_ids, set_members
from assessment.places.picker import NoSuchCity, city_label, city_options, resolve


def member_lines(session: Session, group: PeerGroup) -> str:
    """The group's cities as the form shows them: one "City (Country)" a line, by name."""
    rows = session.execute(
        select(City.name, Country.name).join(Country, City.country_id == Country.id)
        .where(City.id.in_(member_ids(session, group.id))).order_by(City.name, Country.name))
    return "\n".join(city_label(city, country) for city, country in rows)


def resolve_lines(session: Session, text: str) -> set[int]:
    """The cities named one per line; every line that names no city, or several, is reported
    with its number, and nothing is changed."""
    options = city_options(session)
    found: set[int] = set()
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.add(resolve(options, line).id)
        except NoSuchCity as problem:
            problems.append(_("Line %(number)d: %(problem)s", number=number, problem=str(problem)))
    if problems:
        raise AdminError(" ".join(problems), "cities")
    return found


def _check_name(session: Session, name: str, group: PeerGroup | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise AdminError(_("Enter a name."), "name")
    if len(name) > MAX_NAME:
        raise AdminError(_("A name has at most %(max)d characters.", max=MAX_NAME), "name")
    clash = session.scalar(select(PeerGroup.id).where(PeerGroup.name == name))
    if clash is not None and (group is None or clash != group.id):
        raise AdminError(_("A peer group called %(name)s already exists.", name=name), "name")
    return name


def save_group(session: Session, actor: User, group: PeerGroup | None, *, name: str,
               description: str, cities: str) -> PeerGroup:
    """Create ``group`` (None) or change it: name, description and the cities listed."""
    name = _check_name(session, name, group)
    summary = description.strip()[:MAX_DESCRIPTION] or None
    city_ids = resolve_lines(session, cities)
    created = group is None
    if group is None:
        group = PeerGroup(name=name, description=summary)
        session.add(group)
        session.flush()
    else:
        group.name, group.description = name, summary
    added, removed = set_members(session, group, city_ids)
    record(session, "admin.peer_group.create" if created else "admin.peer_group.update", actor,
           peer_group=group.name, cities=len(city_ids), added=added, removed=removed)
    return group


def delete_group(session: Session, actor: User, group: PeerGroup) -> str:
    name = group.name
    session.delete(group)
    session.flush()
    record(session, "admin.peer_group.delete", actor, peer_group=name)
    return name

"""Peer groups as the admin pages change them: the cities are typed one per line as
"City (Country)". Every change is in the audit log; services flush, views commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.admin.errors import AdminError
from assessment.audit.services import record
from assessment.auth.models import User
from assessment.places import peers
from assessment.places.models import City, Country
from assessment.places.peers import PeerGroup
from assessment.places.picker import NoSuchCity, city_label, city_options, resolve


def member_lines(session: Session, group: PeerGroup) -> str:
    """The group's cities as the form shows them: one "City (Country)" a line, by name."""
    rows = session.execute(
        select(City.name, Country.name).join(Country, City.country_id == Country.id)
        .where(City.id.in_(peers.member_ids(session, group.id))).order_by(City.name, Country.name))
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


def save_group(session: Session, actor: User, group: PeerGroup | None, *, name: str,
               description: str, cities: str) -> PeerGroup:
    """Create a group (``group`` None) or change one: name, description and the cities listed."""
    city_ids = resolve_lines(session, cities)
    if group is None:
        group = peers.create_group(session, name=name, description=description, city_ids=city_ids)
        record(session, "admin.peer_group.create", actor, peer_group=group.name, cities=len(city_ids))
        return group
    changes, added, removed = peers.update_group(session, group, name=name, description=description,
                                                 city_ids=city_ids)
    record(session, "admin.peer_group.update", actor, peer_group=group.name, changes=changes,
           cities=len(city_ids), added=added, removed=removed)
    return group


def delete_group(session: Session, actor: User, group: PeerGroup) -> str:
    name = group.name
    session.delete(group)
    session.flush()
    record(session, "admin.peer_group.delete", actor, peer_group=name)
    return name

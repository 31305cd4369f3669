"""Peer groups: cities an administrator puts together to compare like with like ("coastal
capitals", "secondary cities of East Africa"), beside the groups every city has by its
region, country and size class."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from assessment.database import Base
from assessment.places.models import City
from assessment.places.services import Changes, PlaceError, apply_changes, clean_name, taken

MAX_DESCRIPTION = 500


class PeerGroup(Base):
    __tablename__ = "peer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    members: Mapped[list[PeerGroupCity]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<PeerGroup {self.name}>"


class PeerGroupCity(Base):
    __tablename__ = "peer_group_cities"
    __table_args__ = (UniqueConstraint("group_id", "city_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("peer_groups.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)

    group: Mapped[PeerGroup] = relationship(back_populates="members")
    city: Mapped[City] = relationship()


def groups_of_city(session: Session, city_id: int) -> list[PeerGroup]:
    """The peer groups a city belongs to, by name."""
    return list(session.scalars(
        select(PeerGroup).join(PeerGroupCity, PeerGroupCity.group_id == PeerGroup.id)
        .where(PeerGroupCity.city_id == city_id).order_by(PeerGroup.name)))


def all_groups(session: Session) -> list[tuple[PeerGroup, int]]:
    """Every peer group with its number of cities, by name."""
    count = (select(func.count(PeerGroupCity.id)).where(PeerGroupCity.group_id == PeerGroup.id)
             .scalar_subquery())
    return [(group, cities) for group, cities in
            session.execute(select(PeerGroup, count).order_by(PeerGroup.name))]


def member_ids(session: Session, group_id: int) -> set[int]:
    return set(session.scalars(select(PeerGroupCity.city_id).where(PeerGroupCity.group_id == group_id)))


def _check_name(session: Session, name: str, exclude_id: int | None = None) -> str:
    name = clean_name(name)
    if taken(session, PeerGroup.name, name, exclude_id=exclude_id):
        raise PlaceError(_("A peer group called %(name)s already exists.", name=name), field="name")
    return name


def create_group(session: Session, *, name: str, description: str, city_ids: set[int]) -> PeerGroup:
    group = PeerGroup(name=_check_name(session, name),
                      description=description.strip()[:MAX_DESCRIPTION] or None)
    session.add(group)
    session.flush()
    set_members(session, group, city_ids)
    return group


def update_group(session: Session, group: PeerGroup, *, name: str, description: str,
                 city_ids: set[int]) -> tuple[Changes, int, int]:
    """Change the group: what changed in its name and description, and how many cities were
    added and removed."""
    changes = apply_changes(group, {"name": _check_name(session, name, group.id),
                                    "description": description.strip()[:MAX_DESCRIPTION] or None})
    added, removed = set_members(session, group, city_ids)
    return changes, added, removed


def set_members(session: Session, group: PeerGroup, city_ids: set[int]) -> tuple[int, int]:
    """Make ``city_ids`` the group's cities; returns (added, removed)."""
    current = member_ids(session, group.id)
    added, removed = city_ids - current, current - city_ids
    if removed:
        session.execute(delete(PeerGroupCity).where(PeerGroupCity.group_id == group.id,
                                                    PeerGroupCity.city_id.in_(removed)))
    for city_id in sorted(added):
        session.add(PeerGroupCity(group_id=group.id, city_id=city_id))
    session.flush()
    session.expire(group, ["members"])
    return len(added), len(removed)

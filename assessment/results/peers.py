"""Who a city is compared with: its region (the default), its country, its size class, or a
peer group an administrator made. The city itself is never among its peers."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from assessment.places.labels import SIZE_LABELS
from assessment.places.models import City, Country
from assessment.places.peers import PeerGroupCity, groups_of_city

DEFAULT = "region"


@dataclass(frozen=True)
class Peers:
    key: str  # "region", "country", "size" or "group-<id>"
    name: str  # what the choice list shows
    label: str  # how sentences name the group: "Africa", "the peer group Coastal capitals"
    clause: ColumnElement[bool]  # which cities, as a WHERE clause on City and Country


def peer_choices(session: Session, city: City) -> list[Peers]:
    """Every way to compare ``city``, its region first."""
    region = city.country.region
    choices = [Peers(DEFAULT, _("Region: %(name)s", name=region.name), region.name,
                     Country.region_id == region.id),
               Peers("country", _("Country: %(name)s", name=city.country.name), city.country.name,
                     City.country_id == city.country_id)]
    if city.size_class is not None:
        size = str(SIZE_LABELS[city.size_class])
        choices.append(Peers("size", _("Size class: %(name)s", name=size),
                             _("the size class %(name)s", name=size), City.size_class == city.size_class))
    for group in groups_of_city(session, city.id):
        members = select(PeerGroupCity.city_id).where(PeerGroupCity.group_id == group.id)
        choices.append(Peers(f"group-{group.id}", _("Peer group: %(name)s", name=group.name),
                             _("the peer group %(name)s", name=group.name), City.id.in_(members)))
    return choices


def chosen_peers(choices: list[Peers], key: str | None) -> Peers:
    """The choice named by ``key``; the region when the key is unknown or missing."""
    return next((peers for peers in choices if peers.key == key), choices[0])

"""Regions, countries and cities: who takes part in the assessment."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.database import Base


class SizeClass(enum.StrEnum):
    """City size by population, used to filter dashboards."""

    SMALL = "small"  # under 300,000
    MEDIUM = "medium"  # 300,000 to 1 million
    LARGE = "large"  # 1 to 5 million
    VERY_LARGE = "very_large"  # over 5 million

    @classmethod
    def for_population(cls, population: int | None) -> SizeClass | None:
        if population is None:
            return None
        if population < 300_000:
            return cls.SMALL
        if population < 1_000_000:
            return cls.MEDIUM
        if population < 5_000_000:
            return cls.LARGE
        return cls.VERY_LARGE


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value in a plain string column (portable, readable in exports)."""
    return Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        length=length,
        validate_strings=True,
    )


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    countries: Mapped[list[Country]] = relationship(back_populates="region", order_by="Country.name")

    def __repr__(self) -> str:
        return f"<Region {self.name}>"


class Country(Base):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    iso_code: Mapped[str | None] = mapped_column(String(3), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    region: Mapped[Region] = relationship(back_populates="countries")
    cities: Mapped[list[City]] = relationship(back_populates="country", order_by="City.name")


class City(Base):
    __tablename__ = "cities"
    __table_args__ = (UniqueConstraint("name", "country_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="RESTRICT"), index=True)
    population: Mapped[int | None]
    size_class: Mapped[SizeClass | None] = mapped_column(enum_column(SizeClass))
    country: Mapped[Country] = relationship(back_populates="cities")

    @property
    def region(self) -> Region:
        return self.country.region

    def __repr__(self) -> str:
        return f"<City {self.name}>"

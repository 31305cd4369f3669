"""A city's choice, round by round, to have its scores published as open data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.assessments.models import Round
from assessment.auth.models import User
from assessment.database import Base, utcnow
from assessment.places.models import City


class OpenDataConsent(Base):
    """One city's consent for one round. The row is kept when the consent is withdrawn
    (``consented`` false), so the page can say who changed it last; every change is also in
    the audit trail. Scores are published only while ``consented`` holds and the city's
    assessment of the round is submitted."""

    __tablename__ = "open_data_consents"
    __table_args__ = (UniqueConstraint("city_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    consented: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    city: Mapped[City] = relationship()
    round: Mapped[Round] = relationship()
    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OpenDataConsent city={self.city_id} round={self.round_id} {self.consented}>"

"""Consent: a city's officials choose, round by round, whether its scores are published.

Every change is one row updated and one event in the audit trail, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from assessment.assessments.labels import status_label
from assessment.assessments.models import EDITABLE, Assessment, Round
from assessment.audit.services import record
from assessment.auth.access import can_publish_scores
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.formatting import moment
from assessment.opendata.models import OpenDataConsent
from assessment.places.models import City

GIVEN = "open_data.consent"
WITHDRAWN = "open_data.withdraw"


class ConsentError(ValueError):
    """A consent that cannot be changed; the message is shown to the official."""


@dataclass(frozen=True)
class ConsentRow:
    """One round of the city's consent page."""

    assessment: Assessment
    consent: OpenDataConsent | None

    @property
    def round(self) -> Round:
        return self.assessment.round

    @property
    def consented(self) -> bool:
        return self.consent is not None and self.consent.consented

    @property
    def published(self) -> bool:
        """As ``published.PUBLISHED`` says: agreed, and submitted."""
        return self.consented and self.assessment.status not in EDITABLE

    @property
    def status(self) -> str:
        return status_label(self.assessment.status)

    @property
    def state(self) -> str:
        if self.published:
            return _("Published")
        if self.consented:
            return _("Agreed: published once the assessment is submitted")
        return _("Not published")

    @property
    def changed(self) -> str:
        """Who changed the consent last, and when ("" before anyone did)."""
        consent = self.consent
        if consent is None:
            return ""
        who = consent.changed_by.display_name if consent.changed_by is not None else None
        when = moment(consent.changed_at)
        if consent.consented:
            return (_("Agreed on %(moment)s by %(name)s", moment=when, name=who) if who
                    else _("Agreed on %(moment)s", moment=when))
        return (_("Withdrawn on %(moment)s by %(name)s", moment=when, name=who) if who
                else _("Withdrawn on %(moment)s", moment=when))


def consent_rows(session: Session, city: City) -> list[ConsentRow]:
    """Every round the city has an assessment in, the newest first, with its consent."""
    assessments = session.scalars(
        select(Assessment).join(Round, Round.id == Assessment.round_id)
        .where(Assessment.city_id == city.id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
        .options(joinedload(Assessment.round))
    ).all()
    consents = {c.round_id: c for c in session.scalars(
        select(OpenDataConsent).where(OpenDataConsent.city_id == city.id)
        .options(joinedload(OpenDataConsent.changed_by)))}
    return [ConsentRow(a, consents.get(a.round_id)) for a in assessments]


def set_consent(session: Session, actor: User, city: City, round_id: int, consented: bool, *,
                at: datetime | None = None) -> OpenDataConsent | None:
    """Give (``consented``) or withdraw the city's consent for one round; returns the row, or
    None when nothing changed (a second click, or withdrawing what was never given)."""
    if not can_publish_scores(actor, city):
        raise PermissionError("only the city's officials change its consent")
    assessment = session.scalar(select(Assessment).where(
        Assessment.city_id == city.id, Assessment.round_id == round_id))
    if assessment is None:
        raise ConsentError(_("Your city has no assessment in this round."))
    consent = session.scalar(select(OpenDataConsent).where(
        OpenDataConsent.city_id == city.id, OpenDataConsent.round_id == round_id))
    if (consent.consented if consent is not None else False) == consented:
        return None
    if consent is None:
        consent = OpenDataConsent(city_id=city.id, round_id=round_id)
        session.add(consent)
    consent.consented = consented
    consent.changed_at = at or utcnow()
    consent.changed_by_id = actor.id
    session.flush()
    record(session, GIVEN if consented else WITHDRAWN, actor, assessment_id=assessment.id,
           at=consent.changed_at, round_id=round_id)
    return consent

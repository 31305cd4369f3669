"""The demo world's plans: made in its first round, carried into the current one."""

from __future__ import annotations

from sqlalchemy import select

from assessment.actions import services
from assessment.actions.models import Action
from assessment.actions.movement import UNKNOWN
from assessment.assessments.models import Assessment, Round
from assessment.demo.seed import EARLIER_QUESTIONNAIRE, seed_demo
from assessment.places.models import City
from assessment.questionnaire import load_questionnaire


def assessment_of(db_session, city: str, round_name: str) -> Assessment:  # type: ignore[no-untyped-def]
    return db_session.scalars(
        select(Assessment).join(City, City.id == Assessment.city_id)
        .join(Round, Round.id == Assessment.round_id)
        .where(City.name == city, Round.name == round_name)).one()


def test_the_demo_carries_its_first_rounds_open_actions_into_the_current_round(app, db_session,
                                                                                questionnaire):
    seed_demo(db_session, questionnaire, earlier=load_questionnaire(EARLIER_QUESTIONNAIRE))
    made = db_session.scalars(select(Action).order_by(Action.id)).all()
    assert {a.assessment.round.name for a in made} == {"2025"}
    assert {a.city.name for a in made} == {"Kigali", "Nairobi"}
    assert all(a.question_id for a in made)

    with app.test_request_context():
        kigali = services.actions_for_report(db_session, assessment_of(db_session, "Kigali", "2026"))
        nairobi = services.actions_for_report(db_session, assessment_of(db_session, "Nairobi", "2026"))

    # Kigali: two open actions carried into a draft, whose scores are known once submitted.
    assert [(a.status, a.carried) for a in kigali] == [("in_progress", True), ("planned", True)]
    assert {a.movement.direction for a in kigali if a.movement} == {UNKNOWN}
    # Due some weeks after the day the demo is seeded: none is overdue in a fresh demo.
    assert all(a.due_on is not None and not a.overdue for a in kigali)
    # Nairobi submitted both rounds, under two questionnaire versions.
    assert [(a.status, a.carried) for a in nairobi] == [("in_progress", True)]
    assert nairobi[0].movement is not None and nairobi[0].movement.direction != UNKNOWN
    assert nairobi[0].movement.text.endswith("on the questions both questionnaire versions share.")

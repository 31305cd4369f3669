"""Real races: requests on separate connections at the same moment (SQLite and PostgreSQL).

These tests commit their rows (a rolled-back test transaction cannot be shared between
threads) and delete them afterwards.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from assessment.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ElementScore,
    QuestionnaireVersion,
    Round,
)
from assessment.assessments.versions import ensure_version
from assessment.audit.models import AuditEvent
from assessment.auth import services as auth_services
from assessment.auth.models import AuthSession, Role, User
from assessment.demo.seed import answer_rows, answers_for_city
from assessment.extensions import db
from assessment.places.models import City, Country, Region
from assessment.questionnaire import Questionnaire, QuestionType
from tests.conftest import FAST_HASH_METHOD, TEST_PASSWORD, audit_events_deletable
from tests.forms import form_fields, set_answer


@dataclass
class Committed:
    assessment_id: int
    official_id: int
    colleague_id: int


@pytest.fixture()
def committed(app: Flask, questionnaire: Questionnaire) -> Iterator[Committed]:
    assert db.engine is not None
    with Session(db.engine) as s:
        had_version = s.scalar(select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.content_hash == questionnaire.content_hash))
        version = ensure_version(s, questionnaire)
        region = Region(name="Race region")
        country = Country(name="Race country", region=region)
        city = City(name="Race city", country=country)
        round_ = Round(name="Race round", opens_on=date(2026, 1, 1), questionnaire_version_id=version.id)
        s.add_all([region, country, city, round_])
        s.flush()
        users = [User(email=f"{name}@race.example.org", role=Role.OFFICIAL, city_id=city.id,
                      password_hash=generate_password_hash(TEST_PASSWORD, method=FAST_HASH_METHOD))
                 for name in ("aline", "jean")]
        s.add_all(users)
        assessment = Assessment(city_id=city.id, round_id=round_.id, questionnaire_version_id=version.id,
                                status=AssessmentStatus.DRAFT)
        s.add(assessment)
        s.flush()
        answers = answers_for_city(questionnaire, {e.id: 2.0 for e in questionnaire.elements},
                                   random.Random(3), fill=1.0, dont_know_rate=0.0)
        s.execute(insert(Answer), answer_rows(questionnaire, assessment.id, answers, users[0].id,
                                              assessment.created_at))
        s.commit()
        ids = Committed(assessment.id, users[0].id, users[1].id)
        created = (region.id, country.id, city.id, round_.id, version.id if had_version is None else None)
    yield ids
    with Session(db.engine) as s:
        region_id, country_id, city_id, round_id, version_id = created
        user_ids = [ids.official_id, ids.colleague_id]
        with audit_events_deletable(s):
            for model, column in ((AuditEvent, AuditEvent.assessment_id),
                                  (ElementScore, ElementScore.assessment_id),
                                  (Answer, Answer.assessment_id), (Assessment, Assessment.id)):
                s.execute(delete(model).where(column == ids.assessment_id))
            s.execute(delete(AuthSession).where(AuthSession.user_id.in_(user_ids)))
            s.execute(delete(AuditEvent).where(AuditEvent.user_id.in_(user_ids)))
            s.execute(delete(User).where(User.id.in_(user_ids)))
            s.execute(delete(Round).where(Round.id == round_id))
            if version_id is not None:
                s.execute(delete(QuestionnaireVersion).where(QuestionnaireVersion.id == version_id))
            s.execute(delete(City).where(City.id == city_id))
            s.execute(delete(Country).where(Country.id == country_id))
            s.execute(delete(Region).where(Region.id == region_id))
        s.commit()


def signed_in_client(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    with Session(db.engine) as s:
        user = s.get(User, user_id)
        token = auth_services.start_session(s, user, app.config["SESSION_HOURS"])
        s.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
    return client


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads, released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def count(action: str, assessment_id: int) -> int:
    with Session(db.engine) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.assessment_id == assessment_id, AuditEvent.action == action)) or 0


def test_two_tabs_submitting_at_the_same_moment_submit_once(app: Flask, committed: Committed) -> None:
    url = f"/assessments/{committed.assessment_id}/submit"
    tabs = [signed_in_client(app, committed.official_id), signed_in_client(app, committed.colleague_id)]
    responses = race(*(lambda tab=tab: tab.post(url, data={"confirm": "y"}) for tab in tabs))
    assert [r.status_code for r in responses] == [302, 302]
    assert all(r.headers["Location"].endswith("/report") for r in responses)
    assert count("submit", committed.assessment_id) == 1
    with Session(db.engine) as s:
        assessment = s.get(Assessment, committed.assessment_id)
        assert assessment.status == AssessmentStatus.SUBMITTED
        scores = s.scalar(select(func.count()).select_from(ElementScore).where(
            ElementScore.assessment_id == committed.assessment_id))
    assert scores == 6


def test_two_officials_saving_one_answer_at_once_never_overwrite_silently(
        app: Flask, committed: Committed, questionnaire: Questionnaire) -> None:
    element = questionnaire.elements[0]
    question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
    url = f"/assessments/{committed.assessment_id}/elements/{element.id}"
    aline, jean = signed_in_client(app, committed.official_id), signed_in_client(app, committed.colleague_id)
    forms = []
    for client, value in ((aline, "0"), (jean, "4")):
        data = form_fields(client.get(url).get_data(as_text=True), url)
        set_answer(data, question, value)
        forms.append(data)
    first, second = race(lambda: aline.post(url, data=forms[0]), lambda: jean.post(url, data=forms[1]))
    codes = sorted([first.status_code, second.status_code])
    assert codes == [200, 302], codes  # one saved, the other shown a conflict
    loser = first if first.status_code == 200 else second
    assert 'class="conflict"' in loser.get_data(as_text=True)
    winner_value = "0" if first.status_code == 302 else "4"
    with Session(db.engine) as s:
        row = s.scalar(select(Answer).where(Answer.assessment_id == committed.assessment_id,
                                            Answer.question_id == question.id))
    assert row.value == winner_value and row.revision == 2

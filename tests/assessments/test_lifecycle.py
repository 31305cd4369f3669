"""The survey services on their own: saving with revisions, progress, submit, reopen, start."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, func, select

from assessment.assessments import answers, progress, services
from assessment.assessments.answers import KEEP_MINE, KEEP_THEIRS, PostedAnswer
from assessment.assessments.models import Answer, AssessmentStatus, ElementScore
from assessment.audit import services as audit_trail
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.questionnaire import QuestionType
from tests.conftest import first_of

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def post(question, value, *, rev=0, was=None, **extra):
    return PostedAnswer(question_id=question.id, value=value, base_revision=rev, base_fingerprint=was,
                        **extra)


def save(db_session, world, questionnaire, *items, user=None):
    services.lock_assessment(db_session, world.assessment)
    return answers.save_answers(db_session, world.assessment, questionnaire, list(items),
                                 user or world.official, element_id="civic_tech")


def audit(db_session, assessment_id, action):
    return list(db_session.scalars(select(AuditEvent).where(
        AuditEvent.assessment_id == assessment_id, AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_new_answer_is_stored_scored_and_audited(db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    result = save(db_session, world, questionnaire, post(question, "3"))
    row = services.load_answers(db_session, world.assessment.id)[question.id]
    assert (row.value, row.score, row.revision, row.updated_by_id) == ("3", 3.0, 1, world.official.id)
    assert result.saved[question.id].revision == 1 and result.clean
    assert world.assessment.updated_by_id == world.official.id
    assert 0 < world.assessment.completeness < 1
    [event] = audit(db_session, world.assessment.id, "save")
    assert event.detail["questions"] == [question.id] and event.user_id == world.official.id


def test_saving_the_same_answer_again_changes_nothing(db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    save(db_session, world, questionnaire, post(question, "3"))
    result = save(db_session, world, questionnaire, post(question, "3", rev=0))  # stale rev, same content
    assert question.id in result.unchanged and not result.saved and not result.conflicts
    assert services.load_answers(db_session, world.assessment.id)[question.id].revision == 1
    assert len(audit(db_session, world.assessment.id, "save")) == 1


def test_a_colleagues_change_is_never_overwritten(db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    save(db_session, world, questionnaire, post(question, "1"))  # revision 1
    was = answers.row_fingerprint(services.load_answers(db_session, world.assessment.id)[question.id])
    save(db_session, world, questionnaire, post(question, "2", rev=1, was=was), user=world.colleague)
    # The official still had revision 1 on screen, and typed 4.
    result = save(db_session, world, questionnaire, post(question, "4", rev=1, was=was))
    conflict = result.conflicts[question.id]
    assert conflict.theirs.value == "2" and conflict.theirs.updated_by_id == world.colleague.id
    assert conflict.yours.value == "4"
    assert services.load_answers(db_session, world.assessment.id)[question.id].value == "2"


def test_a_field_this_person_did_not_touch_keeps_the_colleagues_answer(db_session, world,
                                                                      questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    save(db_session, world, questionnaire, post(question, "1"))
    loaded = services.load_answers(db_session, world.assessment.id)[question.id]
    was = answers.row_fingerprint(loaded)
    save(db_session, world, questionnaire, post(question, "3", rev=1, was=was), user=world.colleague)
    # The official's page still shows 1 (untouched) and is saved for another question.
    result = save(db_session, world, questionnaire, post(question, "1", rev=1, was=was))
    assert question.id in result.refreshed and not result.conflicts
    assert services.load_answers(db_session, world.assessment.id)[question.id].value == "3"


def test_choosing_mine_or_theirs_settles_a_conflict(db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    save(db_session, world, questionnaire, post(question, "2"), user=world.colleague)  # revision 1
    kept_theirs = save(db_session, world, questionnaire,
                       post(question, "4", rev=0, theirs_revision=1, resolve=KEEP_THEIRS))
    assert question.id in kept_theirs.refreshed and not kept_theirs.saved
    mine = save(db_session, world, questionnaire,
                post(question, "4", rev=0, theirs_revision=1, resolve=KEEP_MINE))
    assert mine.saved[question.id].revision == 2 and mine.overwritten == [question.id]
    [_first, event] = audit(db_session, world.assessment.id, "save")
    assert event.detail["kept_over_colleague"] == [question.id]


def test_keep_mine_is_refused_when_the_answer_changed_again(db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    save(db_session, world, questionnaire, post(question, "2"), user=world.colleague)
    save(db_session, world, questionnaire, post(question, "3", rev=1), user=world.colleague)
    # The official chose "mine" over revision 1, but it is at revision 2 now: ask again.
    result = save(db_session, world, questionnaire,
                  post(question, "0", rev=0, theirs_revision=1, resolve=KEEP_MINE))
    assert question.id in result.conflicts


def test_invalid_answers_are_reported_and_valid_ones_saved(db_session, world, questionnaire) -> None:
    good, bad = questionnaire.elements[0].questions[:2]
    result = save(db_session, world, questionnaire, post(good, "2" if good.type is QuestionType.MATURITY
                                                          else None),
                  post(bad, None, errors={bad.field_name: ("Answer yes or no.",)}))
    assert bad.id in result.errors and good.id in result.saved
    assert bad.id not in services.load_answers(db_session, world.assessment.id)


def test_nothing_is_saved_once_submitted(db_session, world, questionnaire) -> None:
    world.assessment.status = AssessmentStatus.SUBMITTED
    question = first_of(questionnaire, QuestionType.MATURITY)
    result = save(db_session, world, questionnaire, post(question, "3"))
    assert result.locked and not result.clean
    assert services.load_answers(db_session, world.assessment.id) == {}


def test_progress_counts_answers_and_tells_what_is_missing(make, db_session, world, questionnaire) -> None:
    make.answer(world.assessment, 2.0, fill=1.0)
    rows = services.load_answers(db_session, world.assessment.id)
    full = progress.progress(questionnaire, rows)
    assert full.ready and full.missing_count == 0 and full.percent == 100
    element = questionnaire.elements[0]
    for question in element.scored_questions:
        rows.pop(question.id)
    empty_first = progress.progress(questionnaire, rows)
    first = empty_first.element(element.id)
    assert not first.enough and not empty_first.ready
    assert {q.id for q in first.missing} == {q.id for q in element.scored_questions}
    # Threshold 0.6: the smallest count of real answers whose share reaches it.
    assert first.needed / first.applicable >= questionnaire.completeness_threshold
    assert (first.needed - 1) / first.applicable < questionnaire.completeness_threshold


def test_submit_stores_scores_once_and_refuses_a_second_time(make, db_session, world, questionnaire) -> None:
    make.answer(world.assessment, 2.0)
    assert services.submit_assessment(db_session, world.assessment, questionnaire, world.official)
    assert world.assessment.status == AssessmentStatus.SUBMITTED
    assert world.assessment.submitted_by_id == world.official.id
    assert world.assessment.overall_index is not None
    assert not services.submit_assessment(db_session, world.assessment, questionnaire, world.colleague)
    assert world.assessment.submitted_by_id == world.official.id
    assert db_session.scalar(select(func.count()).select_from(ElementScore).where(
        ElementScore.assessment_id == world.assessment.id)) == len(questionnaire.elements)
    assert len(audit(db_session, world.assessment.id, "submit")) == 1


def test_submit_refuses_when_an_element_cannot_be_scored(make, db_session, world, questionnaire) -> None:
    make.answer(world.assessment, 2.0)
    element = questionnaire.elements[1]
    db_session.execute(delete(Answer).where(Answer.assessment_id == world.assessment.id,
                                            Answer.question_id.in_([q.id for q in element.questions])))
    with pytest.raises(services.NotReady) as refused:
        services.submit_assessment(db_session, world.assessment, questionnaire, world.official)
    assert not refused.value.progress.element(element.id).enough


def test_reopen_needs_a_submitted_assessment_and_a_reason(make, db_session, world, questionnaire) -> None:
    regional = make.user(Role.REGIONAL, region=world.city.country.region)
    with pytest.raises(ValueError):
        services.reopen_assessment(db_session, world.assessment, regional, "  ")
    assert not services.reopen_assessment(db_session, world.assessment, regional, "typo")  # a draft
    make.answer(world.assessment, 2.0, submit=True)
    assert services.reopen_assessment(db_session, world.assessment, regional, "Wrong year of data")
    assert world.assessment.status == AssessmentStatus.REOPENED
    [event] = audit(db_session, world.assessment.id, "reopen")
    assert event.detail == {"reason": "Wrong year of data"} and event.user_id == regional.id


def test_start_is_safe_to_repeat_and_uses_the_rounds_version(make, db_session, questionnaire) -> None:
    city = make.city()
    official = make.user(Role.OFFICIAL, city=city)
    round_ = make.round(opens_on=date(2026, 1, 1))
    first, created = services.start_assessment(db_session, city_id=city.id, round_=round_, user=official,
                                               now=NOW)
    again, created_again = services.start_assessment(db_session, city_id=city.id, round_=round_,
                                                     user=official, now=NOW)
    assert created and not created_again and first.id == again.id
    assert first.questionnaire_version_id == round_.questionnaire_version_id
    assert len(audit(db_session, first.id, "start")) == 1


def test_start_survives_a_row_inserted_by_another_request(make, db_session, monkeypatch) -> None:
    """Two tabs: the other one inserted between our check and our insert."""
    city = make.city()
    official = make.user(Role.OFFICIAL, city=city)
    round_ = make.round(opens_on=date(2026, 1, 1))
    other = make.assessment(city=city, round=round_)
    real = services._assessment_in
    lookups = []

    def misses_the_first_time(*args):
        lookups.append(args)
        return None if len(lookups) == 1 else real(*args)

    monkeypatch.setattr(services, "_assessment_in", misses_the_first_time)
    found, created = services.start_assessment(db_session, city_id=city.id, round_=round_, user=official,
                                               now=NOW)
    assert not created and found.id == other.id


def test_a_closed_round_cannot_be_started(make, db_session) -> None:
    city = make.city()
    round_ = make.round(opens_on=date(2025, 1, 1))
    round_.closes_on = date(2025, 6, 30)
    with pytest.raises(services.RoundClosed):
        services.start_assessment(db_session, city_id=city.id, round_=round_,
                                  user=make.user(Role.OFFICIAL, city=city), now=NOW)


def test_rounds_for_city_lists_every_round_newest_first_with_the_citys_assessment(make, db_session) -> None:
    city, other_city = make.city(), make.city()
    old = make.round("2024", opens_on=date(2024, 3, 1))
    new = make.round("2026", opens_on=date(2026, 3, 1))
    mine = make.assessment(city=city, round=old)
    make.assessment(city=other_city, round=new)
    entries = [e for e in services.rounds_for_city(db_session, city.id, NOW)
               if e.round.id in (old.id, new.id)]
    assert [e.round.name for e in entries] == ["2026", "2024"]
    assert entries[0].assessment is None and entries[1].assessment.id == mine.id


def test_history_is_newest_first_with_names(make, db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    audit_trail.record(db_session, "start", world.official, assessment_id=world.assessment.id)
    db_session.flush()
    save(db_session, world, questionnaire, post(question, "2"), user=world.colleague)
    entries = audit_trail.history(db_session, world.assessment.id)
    assert [e.event.action for e in entries] == ["save", "start"]
    assert entries[0].user_name == world.colleague.email


def test_answers_of_one_assessment_load_in_one_query(make, db_session, world, count_queries) -> None:
    make.answer(world.assessment, 2.0)
    with count_queries() as queries:
        rows = services.load_answers(db_session, world.assessment.id)
    assert len(rows) > 30 and len(queries) == 1


@pytest.fixture()
def count_queries(db_session):
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        seen: list[str] = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        engine = db_session.get_bind()
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def test_stored_answer_rows_are_unique_per_question(db_session, world, questionnaire) -> None:
    question = first_of(questionnaire, QuestionType.MATURITY)
    save(db_session, world, questionnaire, post(question, "1"))
    save(db_session, world, questionnaire, post(question, "2", rev=1))
    count = db_session.scalar(select(func.count()).select_from(Answer).where(
        Answer.assessment_id == world.assessment.id, Answer.question_id == question.id))
    assert count == 1

"""The four tables hold what the database and the questionnaire say, as an analyst reads them."""

from __future__ import annotations

import math

from sqlalchemy import select

from assessment.assessments.models import ElementScore
from assessment.questionnaire import QuestionType, decode_value
from tests.conftest import read


def _by_key(frame, *columns):  # type: ignore[no-untyped-def]
    return {tuple(row[c] for c in columns): row for row in frame.to_dict("records")}


def test_long_has_one_row_per_assessment_and_question_with_its_context(
        client, login, world, download, db_session, questionnaire) -> None:
    login(world.analyst)
    _, body = download(table="long", format="csv")
    frame = read("csv", body)
    answers = {a: world.answers(db_session, a) for a in
               (world.kigali_2025, world.kigali_2026, world.nairobi_2025, world.bandung_2025)}
    # Every question has its row, answered or not.
    assert len(frame) == len(answers) * len(questionnaire.questions)
    rows = _by_key(frame, "assessment_id", "question_id")
    for assessment, stored in answers.items():
        given = {answer.question_id: answer for answer in stored}
        for question in questionnaire.questions:
            row = rows[(assessment.id, question.id)]
            assert row["element_id"] == question.element_id
            assert row["question_type"] == question.type.value
            assert row["question_position"] == questionnaire.questions.index(question) + 1
            assert row["not_asked"] is False or row["not_asked"] == 0
            answer = given.get(question.id)
            if answer is None or (answer.value is None and not answer.evidence_url
                                  and not answer.dont_know and not answer.not_applicable):
                assert row["missing"] == "not_answered" and row["not_answered"]
                assert math.isnan(row["value_code"])
                continue
            assert row["dont_know"] == answer.dont_know and row["not_applicable"] == answer.not_applicable
            if answer.score is None:
                assert math.isnan(row["score"])
            else:
                assert row["score"] == answer.score
            if answer.value is None:
                assert math.isnan(row["value"]) if isinstance(row["value"], float) else not row["value"]
            else:
                assert str(row["value"]) == answer.value
                assert isinstance(row["missing"], float) and math.isnan(row["missing"])
            if question.type is QuestionType.MATURITY and answer.value is not None:
                assert row["value_label"] == str(question.level(int(answer.value)).label)
                assert row["value_code"] == int(answer.value)
            if question.type is QuestionType.SINGLE_CHOICE and answer.value is not None:
                keys = [o.key for o in question.options]
                assert row["value_code"] == keys.index(answer.value) + 1
            if question.type is QuestionType.MULTIPLE_CHOICE and answer.value is not None:
                labels = [str(question.option(k).label) for k in answer.value.split(",")]
                assert row["value_label"] == "; ".join(labels)
    kigali = rows[(world.kigali_2025.id, answers[world.kigali_2025][0].question_id)]
    assert (kigali["city"], kigali["country"], kigali["country_iso"], kigali["region"],
            kigali["round"], kigali["status"]) == ("Kigali", "Rwanda", "RWA", "Africa", "2025",
                                                   "submitted")
    assert (kigali["population"], kigali["size_class"]) == (1_745_000, "large")
    assert kigali["questionnaire_version"] == questionnaire.version
    assert kigali["questionnaire_hash"] == questionnaire.content_hash[:12]
    # Who answered: an account id and role, never an email.
    assert kigali["answered_by_id"] == world.official.id
    assert kigali["answered_by_role"] == "official"
    assert b"@" not in body.replace(b"https://", b"")


def test_numbers_given_for_context_are_stored_and_exported(client, login, world, download,
                                                          questionnaire) -> None:
    """The demo's answers, which the test data use, give every number question a value."""
    login(world.analyst)
    frame = read("csv", download(table="long", format="csv")[1])
    numbers = [q.id for q in questionnaire.questions
               if q.type is QuestionType.NUMBER and not q.scored]
    assert numbers
    complete = frame[(frame["assessment_id"] == world.kigali_2025.id)
                     & frame["question_id"].isin(numbers)]
    assert len(complete) == len(numbers)
    assert complete["value"].notna().all() and complete["value_code"].notna().all()
    assert not complete["not_answered"].any()


def test_long_answered_at_is_utc_iso(client, login, world, download, db_session) -> None:
    login(world.analyst)
    frame = read("csv", download(table="long", format="csv", round="2025")[1])
    answer = world.answers(db_session, world.nairobi_2025)[0]
    row = _by_key(frame, "assessment_id", "question_id")[(world.nairobi_2025.id, answer.question_id)]
    assert row["answered_at"] == answer.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def wide_names(question):  # type: ignore[no-untyped-def]
    """The wide columns of a question: one, or one per option of a multiple choice."""
    if question.type is QuestionType.EVIDENCE:
        return []
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return [f"{question.id}__{o.key}" for o in question.options]
    return [question.id]


def test_wide_has_one_row_per_assessment_and_coded_columns(client, login, world, download,
                                                           db_session, questionnaire) -> None:
    login(world.analyst)
    frame = read("csv", download(table="wide", format="csv")[1])
    assert sorted(frame["assessment_id"]) == sorted(
        a.id for a in (world.kigali_2025, world.kigali_2026, world.nairobi_2025, world.bandung_2025))
    names = [name for q in questionnaire.questions for name in wide_names(q)]
    assert list(frame.columns[-len(names):]) == names
    rows = _by_key(frame, "assessment_id")
    for assessment in (world.kigali_2025, world.kigali_2026):
        row = rows[(assessment.id,)]
        assert row["status"] == assessment.status.value
        given = {answer.question_id: answer for answer in world.answers(db_session, assessment)}
        for question in questionnaire.questions:
            if question.type is QuestionType.EVIDENCE:
                continue
            answer = given.get(question.id)
            if answer is None or answer.value is None:
                # Not answered: -3 in every column of the question.
                assert {row[name] for name in wide_names(question)} == {-3}
                continue
            value = decode_value(question, answer.value)
            if question.type is QuestionType.MULTIPLE_CHOICE:
                for option in question.options:
                    assert row[f"{question.id}__{option.key}"] == int(option.key in value)
            elif question.type is QuestionType.SINGLE_CHOICE:
                assert row[question.id] == [o.key for o in question.options].index(value) + 1
            elif question.type is QuestionType.YES_NO:
                assert row[question.id] == (1 if value == "yes" else 0)
            else:
                assert row[question.id] == value
    assert rows[(world.kigali_2025.id,)]["overall_index"] == world.kigali_2025.overall_index
    assert math.isnan(rows[(world.kigali_2026.id,)]["overall_index"])  # a draft has no index
    assert rows[(world.kigali_2025.id,)]["population"] == 1_745_000


def test_scores_cover_submitted_assessments_only(client, login, world, download, db_session,
                                                 questionnaire) -> None:
    login(world.analyst)
    frame = read("csv", download(table="scores", format="csv")[1])
    submitted = (world.kigali_2025, world.nairobi_2025, world.bandung_2025)
    assert set(frame["assessment_id"]) == {a.id for a in submitted}
    assert len(frame) == len(submitted) * len(questionnaire.elements)
    rows = _by_key(frame, "assessment_id", "element_id")
    stored = db_session.scalars(select(ElementScore).where(
        ElementScore.assessment_id.in_([a.id for a in submitted])))
    for score in stored:
        row = rows[(score.assessment_id, score.element_id)]
        assert row["score"] == score.score and row["target"] == score.target
        assert row["gap"] == score.gap and row["completeness"] == score.completeness
        assert row["insufficient"] == score.insufficient
    bandung = frame[frame["assessment_id"] == world.bandung_2025.id]
    assert list(bandung["element_id"]) == [e.id for e in questionnaire.elements]
    assert list(bandung["element_position"]) == list(range(1, len(questionnaire.elements) + 1))
    assert (bandung["score"] > bandung["target"]).any() and (bandung["gap"] == 0).any()


def test_codebook_has_a_row_per_question_then_one_per_answer(client, login, world, download,
                                                              questionnaire) -> None:
    login(world.official)
    frame = read("csv", download(table="codebook", format="csv")[1])
    questions = frame[frame["row_type"] == "question"]
    assert list(questions["question_id"]) == [q.id for q in questionnaire.questions]
    assert set(frame["questionnaire_version"]) == {questionnaire.version}
    rows = _by_key(questions, "question_id")
    answers = frame[frame["row_type"] != "question"]

    def offered(question_id):  # type: ignore[no-untyped-def]
        return answers[answers["question_id"] == question_id].to_dict("records")

    choice = questionnaire.question("civic_tech_service_requests")
    options = offered(choice.id)
    assert [o["key"] for o in options] == [o.key for o in choice.options]
    assert [o["code"] for o in options] == list(range(1, len(choice.options) + 1))
    assert [o["label"] for o in options] == [str(o.label) for o in choice.options]
    assert [o["points"] for o in options] == [o.points for o in choice.options]
    assert {o["row_type"] for o in options} == {"option"}
    maturity = questionnaire.question("civic_tech_resident_tools")
    levels = offered(maturity.id)
    assert [(lv["code"], lv["label"]) for lv in levels] == [(lv.value, str(lv.label))
                                                            for lv in maturity.levels]
    assert levels[0]["description"] == str(maturity.levels[0].description)
    assert rows[(maturity.id,)]["weight"] == maturity.weight
    assert rows[(maturity.id,)]["dont_know_code"] == -1
    assert rows[(maturity.id,)]["not_asked_code"] == -4
    element = questionnaire.element(maturity.element_id)
    assert rows[(maturity.id,)]["element_target"] == element.target
    assert rows[(maturity.id,)]["element_target_percent"] == element.target_percent
    band = questionnaire.question("inclusion_assisted_share")
    assert len(offered(band.id)) == len(band.bands)
    assert {b["row_type"] for b in offered(band.id)} == {"band"}
    assert math.isnan(rows[("tech_firms_documents",)]["wide_column"])  # evidence: no wide column
    assert offered("tech_firms_documents") == []
    multiple = next(q for q in questionnaire.questions if q.type is QuestionType.MULTIPLE_CHOICE)
    assert [o["wide_column"] for o in offered(multiple.id)] == wide_names(multiple)
    assert any(o["exclusive"] for o in offered(multiple.id)) == any(
        o.exclusive for o in multiple.options)


def test_filters_narrow_every_table(client, login, world, download) -> None:
    login(world.analyst)
    long_2026 = read("csv", download(table="long", format="csv", round="2026")[1])
    assert set(long_2026["assessment_id"]) == {world.kigali_2026.id}
    wide_asia = read("csv", download(table="wide", format="csv", region="Asia-Pacific")[1])
    assert list(wide_asia["city"]) == ["Bandung"]
    drafts = read("csv", download(table="wide", format="csv", status="draft")[1])
    assert list(drafts["assessment_id"]) == [world.kigali_2026.id]
    kenya = read("csv", download(table="scores", format="csv", country="Kenya")[1])
    assert set(kenya["city"]) == {"Nairobi"}
    by_hash = read("csv", download(table="wide", format="csv",
                                   version=world.kigali_2025.questionnaire_version.content_hash[:8])[1])
    assert len(by_hash) == 4
    nothing = read("csv", download(table="long", format="csv", version="no-such-version")[1])
    assert nothing.empty and "question_id" in nothing.columns

"""The plan carried into the next round: the open actions, and how each element's score moved."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import render_template

from assessment.actions import services
from assessment.actions.models import ActionStatus
from assessment.actions.movement import DOWN, SAME, UNKNOWN, UP, movements
from assessment.assessments.models import Assessment, AssessmentStatus, ElementScore
from assessment.demo.seed import EARLIER_QUESTIONNAIRE
from assessment.questionnaire import load_questionnaire
from assessment.results.services import build_report
from tests.actions.conftest import add
from tests.results.conftest import text_of


def row_text(body: str, action_id: int) -> str:
    match = re.search(rf'<tr id="action-{action_id}">(.*?)</tr>', body, re.S)
    assert match, f"action {action_id} is not listed"
    return text_of(match.group(1))


def stored(db_session, city, round_, scores: dict[str, float | None]) -> Assessment:  # type: ignore[no-untyped-def]
    """A submitted assessment whose stored element scores are exactly ``scores``."""
    assessment = Assessment(city_id=city.id, round_id=round_.id,
                            questionnaire_version_id=round_.questionnaire_version_id,
                            status=AssessmentStatus.SUBMITTED)
    db_session.add(assessment)
    db_session.flush()
    for element_id, score in scores.items():
        db_session.add(ElementScore(assessment_id=assessment.id, element_id=element_id, score=score,
                                    target=75.0, gap=None, completeness=1.0, insufficient=score is None,
                                    evidence_coverage=None, weight=1.0))
    db_session.flush()
    return assessment


def test_open_actions_are_carried_into_the_next_round_with_how_their_score_moved(
        app, client, login, plan_world, db_session):
    w = plan_world
    open_one = add(db_session, w.kigali_2025, w.official, element_id="civic_tech", text="Open data portal",
                   status=ActionStatus.IN_PROGRESS)
    done_one = add(db_session, w.kigali_2025, w.official, element_id="bottom_up", text="Street labs",
                   status=ActionStatus.DONE)
    this_round = add(db_session, w.kigali_2026, w.official, element_id="tech_firms", text="Start-up desk")
    login(w.official)

    body = client.get(f"/assessments/{w.kigali_2026.id}/actions").get_data(as_text=True)

    with app.test_request_context():
        report = build_report(db_session, w.kigali_2026)
    civic = next(e for e in report.elements if e.element_id == "civic_tech")
    assert civic.previous is not None and civic.score is not None and civic.score > civic.previous
    carried = row_text(body, open_one.id)
    assert "Made in 2025." in carried
    assert (f"Up {civic.score - civic.previous:.1f} since 2025 ({civic.previous:.1f} → {civic.score:.1f})."
            in carried)
    assert "Made in this round (2026)." in row_text(body, this_round.id)
    assert f'id="action-{done_one.id}"' not in body  # done in 2025: not carried
    everything = client.get(f"/assessments/{w.kigali_2026.id}/actions?status=all").get_data(as_text=True)
    assert "Made in 2025." in row_text(everything, done_one.id) and "Up " in row_text(everything, done_one.id)
    # In its own round the action says where it was made, and nothing about a movement.
    own = client.get(f"/assessments/{w.kigali_2025.id}/actions").get_data(as_text=True)
    assert row_text(own, open_one.id).count("Made in this round (2025).") == 1
    assert "since" not in row_text(own, open_one.id)


def test_the_report_plan_holds_this_rounds_actions_and_the_open_ones_carried(
        app, plan_world, db_session):
    w = plan_world
    carried = add(db_session, w.kigali_2025, w.official, status=ActionStatus.PLANNED)
    add(db_session, w.kigali_2025, w.official, status=ActionStatus.DROPPED)
    closed_now = add(db_session, w.kigali_2026, w.official, status=ActionStatus.DONE,
                     due_on=date(2026, 5, 1))
    overdue = add(db_session, w.kigali_2026, w.official, status=ActionStatus.IN_PROGRESS,
                  due_on=date(2026, 4, 1))

    with app.test_request_context():
        rows = services.action_rows(db_session, w.kigali_2026,
                                    services.plan_actions(db_session, w.kigali_2026),
                                    today=date(2026, 4, 15))
        report_rows = services.actions_for_report(db_session, w.kigali_2026)

    # In progress first, then planned, then done; the dropped one of 2025 is not carried.
    assert [r.id for r in rows] == [overdue.id, carried.id, closed_now.id]
    assert [r.id for r in report_rows] == [r.id for r in rows]
    assert [r.carried for r in rows] == [False, True, False]
    assert [r.overdue for r in rows] == [True, False, False]
    assert rows[1].movement is not None and rows[1].movement.direction == UP
    assert rows[0].movement is None


@pytest.fixture()
def two_rounds(make, db_session):  # type: ignore[no-untyped-def]
    city = make.city(name="Huye")
    first, second = make.round(name="2025", opens_on=date(2025, 3, 1)), make.round(
        name="2026", opens_on=date(2026, 3, 1))
    before = stored(db_session, city, first, {"civic_tech": 40.0, "tech_firms": 50.04, "bottom_up": 30.0,
                                              "geographies": None, "inclusion_privacy": 20.0})
    after = stored(db_session, city, second, {"civic_tech": 45.0, "tech_firms": 40.0, "bottom_up": 30.02,
                                              "geographies": 20.0, "inclusion_privacy": None})
    return city, before, after


def test_a_score_moves_up_down_or_not_as_the_report_rounds_it(app, db_session, two_rounds):
    _city, before, after = two_rounds
    elements = ["civic_tech", "tech_firms", "bottom_up", "geographies", "inclusion_privacy"]

    with app.test_request_context():
        found = movements(db_session, after, [(before, e) for e in elements])

    moved = {element: found[before.id, element] for element in elements}
    assert (moved["civic_tech"].direction, moved["civic_tech"].change) == (UP, 5.0)
    assert moved["civic_tech"].text == "Up 5.0 since 2025 (40.0 → 45.0)."
    assert (moved["tech_firms"].direction, moved["tech_firms"].change) == (DOWN, -10.0)
    assert moved["tech_firms"].text == "Down 10.0 since 2025 (50.0 → 40.0)."
    # 30.0 and 30.02 both print as 30.0: no change, as the report would show it.
    assert moved["bottom_up"].direction == SAME and moved["bottom_up"].text == "No change since 2025 (30.0)."
    assert moved["geographies"].direction == UNKNOWN
    assert moved["geographies"].text == "The element had too few answers for a score in 2025."
    assert moved["inclusion_privacy"].text == "The element has too few answers for a score in this round."


def test_the_movement_is_known_once_this_round_is_submitted(app, make, db_session, two_rounds):
    city, before, _after = two_rounds
    draft = make.assessment(city=city, round=make.round(name="2027", opens_on=date(2027, 3, 1)))

    with app.test_request_context():
        found = movements(db_session, draft, [(before, "civic_tech")])

    assert found[before.id, "civic_tech"].direction == UNKNOWN
    assert found[before.id, "civic_tech"].text == "Known once this round's assessment is submitted."


def test_across_questionnaire_versions_the_movement_is_the_reports_on_shared_questions(
        app, make, db_session, questionnaire):
    earlier = load_questionnaire(EARLIER_QUESTIONNAIRE)
    assert earlier.content_hash != questionnaire.content_hash
    city = make.city(name="Mombasa")
    official = make.user(city=city)
    first = make.answer(make.assessment(city=city, round=make.round(
        name="2025", opens_on=date(2025, 3, 1), questionnaire=earlier)), 1.0, submit=True, seed=8)
    second = make.answer(make.assessment(city=city, round=make.round(
        name="2026", opens_on=date(2026, 3, 1))), 3.0, submit=True, seed=9)
    element = earlier.elements[0].id
    add(db_session, first, official, element_id=element)

    with app.test_request_context():
        [row] = services.actions_for_report(db_session, second)
        report = build_report(db_session, second)

    assert report.comparison is not None  # the report compares on the shared questions too
    shown = next(e for e in report.elements if e.element_id == element)
    assert row.movement is not None
    # The change the report's table shows for the element, said in words.
    assert (row.movement.before, row.movement.change) == (shown.previous, shown.change)
    assert row.movement.text == (f"Up {shown.change:.1f} since 2025, on the questions both "
                                 "questionnaire versions share.")


def test_the_report_partial_renders_the_plan_as_a_table(app, plan_world, db_session):
    w = plan_world
    carried = add(db_session, w.kigali_2025, w.official, text="Open <data> portal", owner="ICT")
    add(db_session, w.kigali_2025, w.official, text="Closed one", status=ActionStatus.DONE)
    now = add(db_session, w.kigali_2026, w.official, text="Start-up desk", due_on=None, note="Phase 1")

    with app.test_request_context():
        html = render_template("actions/_plan_for_report.html",
                               plan_actions=services.actions_for_report(db_session, w.kigali_2026),
                               plan_url="/assessments/1/actions")
        empty = render_template("actions/_plan_for_report.html", plan_actions=[])

    assert re.findall(r'<tr id="report-plan-(\d+)">', html) == [str(carried.id), str(now.id)]
    assert "Open &lt;data&gt; portal" in html and "Closed one" not in html
    text = text_of(html)
    assert "2 actions: this round's and the open ones from earlier rounds" in text
    assert "Made in 2025. Up " in text and "Phase 1" in text and "No date" in text
    assert 'href="/assessments/1/actions"' in html
    assert "No actions in the plan for this round yet." in text_of(empty)
    assert "<table" not in empty and "href=" not in empty


def test_the_report_plan_is_for_those_who_may_see_the_plan(app, plan_world, db_session):
    w = plan_world
    add(db_session, w.kigali_2025, w.official, question_id="civic_tech_resident_tools")
    with app.test_request_context():
        official = services.report_plan(db_session, w.official, w.kigali_2025)
        regional = services.report_plan(db_session, w.regional, w.kigali_2025)
        analyst = services.report_plan(db_session, w.analyst, w.kigali_2025)
    assert official is not None and official.editable
    assert list(official.by_question) == ["civic_tech_resident_tools"]
    assert regional is not None and not regional.editable and len(regional.actions) == 1
    assert analyst is None

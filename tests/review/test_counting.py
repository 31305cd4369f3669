"""Reopened and returned assessments count with their last submitted scores, marked as under
revision, in the report, the dashboard and the exports alike; after a review, the self-assessed
and the reviewed score stand side by side."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from sqlalchemy import select

from assessment.assessments.models import ReviewedScore
from assessment.auth.models import Role
from tests.conftest import read
from tests.review.conftest import ReviewWorld


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def reviewed_id(session, assessment_id: int, element_id: str) -> int:
    return session.scalar(select(ReviewedScore.id).where(ReviewedScore.assessment_id == assessment_id,
                                                         ReviewedScore.element_id == element_id))


def scores_export(client, login, make) -> list[dict]:
    login(make.user(Role.ANALYST))
    with client.get("/exports/download", query_string={"table": "scores", "format": "csv"}) as response:
        assert response.status_code == 200
        return read("csv", response.get_data()).to_dict("records")


def send_back(client, login, w: ReviewWorld) -> None:
    login(w.office)
    client.post(f"/assessments/{w.assessment.id}/review/answers/{w.question_id}",
                data={"kind": "query", "comment": "Source?"})
    assert client.post(f"/assessments/{w.assessment.id}/review/return").status_code == 302


def reopen(client, login, w: ReviewWorld) -> None:
    login(w.office)
    assert client.post(f"/assessments/{w.assessment.id}/reopen",
                       data={"reason": "Wrong year"}).status_code == 302


@pytest.mark.parametrize("change", [send_back, reopen], ids=["returned", "reopened"])
def test_last_submitted_scores_count_marked_under_revision(client, login, make, db_session, change,
                                                           review_world: ReviewWorld) -> None:
    w = review_world
    overall = w.assessment.overall_index
    assert overall is not None
    change(client, login, w)
    db_session.expire(w.assessment)
    status = w.assessment.status.value
    assert status in ("returned", "reopened")

    # The dashboard counts the city with its last submitted scores, and shows its status.
    login(w.office)
    (city,) = csv_rows(client.get("/dashboard/cities.csv", query_string={"round": w.city.round.id}))
    assert city["status"] == status and float(city["overall_index"]) == pytest.approx(overall, abs=0.01)
    elements = csv_rows(client.get("/dashboard/elements.csv", query_string={"round": w.city.round.id}))
    assert all(row["cities"] == "1" for row in elements if row["mean"])
    page = client.get("/dashboard", query_string={"round": w.city.round.id}).text
    assert "No submitted assessments yet" not in page

    # The report shows the same scores, marked as under revision.
    report = client.get(f"/assessments/{w.assessment.id}/report").text
    assert "Under revision." in report and "This is a preview." not in report

    # The exports hold the same scores, flagged.
    rows = [r for r in scores_export(client, login, make) if r["city"] == w.city.city.name]
    assert rows and all(r["under_revision"] in (True, "true", "True", 1) for r in rows)
    assert all(r["overall_index"] == pytest.approx(overall, abs=0.01) for r in rows)


def test_a_draft_counts_nowhere(client, login, make, world) -> None:
    make.answer(world.assessment, 2.0)
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    (city,) = csv_rows(client.get("/dashboard/cities.csv", query_string={"round": world.round.id}))
    assert city["status"] == "draft" and city["overall_index"] == ""


def test_two_scores_side_by_side(client, login, make, db_session, review_world: ReviewWorld,
                                 questionnaire) -> None:
    w = review_world
    aid = w.assessment.id
    element = questionnaire.element_of(w.question_id).id
    login(w.office)
    client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                data={"kind": "adjust", "level": "0", "comment": "No evidence of this"})
    assert client.post(f"/assessments/{aid}/review/validate").status_code == 302

    report = client.get(f"/assessments/{aid}/report").text
    assert "Self-assessed and reviewed scores" in report
    assert "The regional office validated this assessment." in report

    # The dashboard shows both overall indices, and says which is which.
    (city,) = csv_rows(client.get("/dashboard/cities.csv", query_string={"round": w.city.round.id}))
    db_session.expire(w.assessment)
    assert w.assessment.reviewed_overall is not None
    assert float(city["reviewed_overall_index"]) == pytest.approx(w.assessment.reviewed_overall, abs=0.01)
    assert float(city["reviewed_overall_index"]) < float(city["overall_index"])
    page = client.get("/dashboard", query_string={"round": w.city.round.id}).text
    assert "Reviewed: the overall index with the reviewer's levels" in page
    assert "Self-assessed scores" in page
    # The dashboard shows either: the reviewed view says so, and its figures are the reviewed ones.
    own = {r["element_id"]: r for r in csv_rows(client.get(
        "/dashboard/elements.csv", query_string={"round": w.city.round.id}))}
    theirs = {r["element_id"]: r for r in csv_rows(client.get(
        "/dashboard/elements.csv", query_string={"round": w.city.round.id, "scores": "reviewed"}))}
    assert float(theirs[element]["mean"]) < float(own[element]["mean"])
    assert float(theirs[element]["mean"]) == pytest.approx(
        db_session.get(ReviewedScore, reviewed_id(db_session, aid, element)).score, abs=0.01)
    (city,) = csv_rows(client.get("/dashboard/cities.csv", query_string={
        "round": w.city.round.id, "scores": "reviewed"}))
    assert float(city["overall_index"]) == pytest.approx(w.assessment.reviewed_overall, abs=0.01)
    page = client.get("/dashboard", query_string={"round": w.city.round.id, "scores": "reviewed"}).text
    assert "Reviewed scores" in page
    assert re.search(r'<option (selected value="reviewed"|value="reviewed" selected)', page)

    rows = {r["element_id"]: r for r in scores_export(client, login, make) if r["city"] == w.city.city.name}
    adjusted = rows[element]
    assert adjusted["reviewed_score"] < adjusted["score"]
    assert adjusted["review_gap"] == pytest.approx(adjusted["reviewed_score"] - adjusted["score"])
    untouched = next(r for eid, r in rows.items() if eid != element and not math.isnan(r["score"]))
    assert untouched["reviewed_score"] == pytest.approx(untouched["score"])
    assert not any(r["under_revision"] in (True, "true", "True", 1) for r in rows.values())

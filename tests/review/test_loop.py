"""The whole review loop through the HTTP client: decide, query, return, reply with a new
document, resubmit, validate; each state change in the audit trail and told to the other side."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from sqlalchemy import select

from assessment.assessments.models import AssessmentStatus, ReviewedScore, ScoreHistory
from assessment.audit.models import AuditEvent
from assessment.mail.models import MailStatus, OutgoingMail
from assessment.review.models import EvidenceDocument, QueryReply, ReviewDecision
from tests.mailbox import parts, read
from tests.review.conftest import PDF, ReviewWorld


def mails(session, user) -> list[str]:
    return list(session.scalars(select(OutgoingMail.kind).where(OutgoingMail.user_id == user.id)
                                .order_by(OutgoingMail.id)))


def actions(session, assessment_id: int) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(AuditEvent.assessment_id == assessment_id)
                                .order_by(AuditEvent.id)))


def status(session, world: ReviewWorld) -> AssessmentStatus:
    session.expire(world.assessment)
    return world.assessment.status


def test_the_whole_loop(client, login, db_session, review_world: ReviewWorld) -> None:
    w = review_world
    aid = w.assessment.id
    # The regional office finds the assessment in its queue, and accepts one answer.
    login(w.office)
    page = client.get("/review")
    assert page.status_code == 200 and w.city.city.name in page.text
    response = client.post(f"/assessments/{aid}/review/answers/{w.other_question_id}",
                           data={"kind": "accept"})
    assert response.status_code == 302
    assert status(db_session, w) == AssessmentStatus.IN_REVIEW
    assert "review_started" in mails(db_session, w.official)
    # Returning without a query is refused.
    assert client.post(f"/assessments/{aid}/review/return", data={}).status_code == 422
    # A query needs its comment, then the assessment goes back to the city.
    assert client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                       data={"kind": "query"}).status_code == 422
    client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                data={"kind": "query", "comment": "Which council decision is this?"})
    # Validating with a query open is refused.
    assert client.post(f"/assessments/{aid}/review/validate").status_code == 422
    response = client.post(f"/assessments/{aid}/review/return", data={"message": "One question"})
    assert response.status_code == 302
    assert status(db_session, w) == AssessmentStatus.RETURNED
    assert mails(db_session, w.official)[-1] == "review_returned"
    # The submission's answers were kept with its scores.
    kept = db_session.scalar(select(ScoreHistory).where(ScoreHistory.assessment_id == aid))
    assert kept is not None and w.question_id in (kept.answers or {})

    # The city sees the query where it applies, with the reviewer's message.
    login(w.official)
    db_session.commit()  # the refused request below rolls back what it did not commit
    page = client.get(f"/assessments/{aid}/queries")
    assert page.status_code == 200
    assert "Which council decision is this?" in page.text and "One question" in page.text
    # It cannot send the assessment back before replying.
    assert client.post(f"/assessments/{aid}/queries/send").status_code == 422
    query = db_session.scalar(select(ReviewDecision).where(ReviewDecision.assessment_id == aid,
                                                           ReviewDecision.kind == "query"))
    assert query is not None
    response = client.post(f"/assessments/{aid}/queries/{query.id}",
                           data={"text": "Decision 14/2025, attached",
                                 "document": (BytesIO(PDF), "decision.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    (document,) = db_session.scalars(select(EvidenceDocument).where(EvidenceDocument.assessment_id == aid))
    assert document.question_id == w.question_id and document.content_type == "application/pdf"
    assert db_session.scalar(select(QueryReply.text).where(QueryReply.decision_id == query.id)) \
        == "Decision 14/2025, attached"
    response = client.post(f"/assessments/{aid}/queries/send")
    assert response.status_code == 302
    assert status(db_session, w) == AssessmentStatus.RESUBMITTED
    assert "review_resubmitted" in mails(db_session, w.office)

    # The reviewer reads the reply and the document, adjusts the level, and validates.
    login(w.office)
    page = client.get(f"/assessments/{aid}/review")
    assert "Decision 14/2025, attached" in page.text and "decision.pdf" in page.text
    download = client.get(f"/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    response = client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                           data={"kind": "adjust", "level": "1", "comment": "A draft, not adopted"})
    assert response.status_code == 302
    assert status(db_session, w) == AssessmentStatus.IN_REVIEW
    response = client.post(f"/assessments/{aid}/review/validate")
    assert response.status_code == 302
    assert status(db_session, w) == AssessmentStatus.VALIDATED
    assert mails(db_session, w.official)[-1] == "review_validated"
    # The reviewed score is lower than the self-assessed one where the level was adjusted.
    assert w.assessment.reviewed_overall is not None and w.assessment.overall_index is not None
    assert w.assessment.reviewed_overall < w.assessment.overall_index
    assert db_session.scalars(select(ReviewedScore).where(ReviewedScore.assessment_id == aid)).all()
    # Every message of the loop was rendered and sent, in both its parts.
    sent = list(db_session.scalars(select(OutgoingMail).where(OutgoingMail.kind.like("review_%"))))
    assert {m.kind for m in sent} >= {"review_started", "review_returned", "review_resubmitted",
                                      "review_validated"}
    assert all(m.status == MailStatus.SENT for m in sent), [(m.kind, m.last_error) for m in sent]
    returned = next(m for m in sent if m.kind == "review_returned")
    assert f"/assessments/{aid}/queries" in parts(read(returned))[0]
    trail = actions(db_session, aid)
    for action in ("submit", "review.start", "review.decide", "review.return", "review.reply",
                   "document.attach", "resubmit", "review.validate"):
        assert action in trail, action
    assert trail.index("review.return") < trail.index("resubmit") < trail.index("review.validate")


def test_only_the_region_reviews(client, login, make, db_session, review_world: ReviewWorld) -> None:
    from assessment.auth.models import Role

    aid = review_world.assessment.id
    login(make.user(Role.REGIONAL, region=make.region("Elsewhere")))
    assert client.get(f"/assessments/{aid}/review").status_code == 404
    assert client.post(f"/assessments/{aid}/review/answers/{review_world.question_id}",
                       data={"kind": "accept"}).status_code == 404
    login(review_world.official)
    assert client.get(f"/assessments/{aid}/review").status_code == 403
    assert client.post(f"/assessments/{aid}/review/validate").status_code == 403


def test_an_assigned_reviewer_from_elsewhere_reviews(client, login, make, db_session,
                                                     review_world: ReviewWorld) -> None:
    from assessment.auth.models import Role

    aid = review_world.assessment.id
    reviewer = make.user(Role.ANALYST, email="checker@example.org")
    login(make.user(Role.ADMIN))
    assert client.post(f"/assessments/{aid}/review/assign",
                       data={"email": "checker@example.org"}).status_code == 302
    assert "review_assigned" in mails(db_session, reviewer)
    login(reviewer)
    assert review_world.city.city.name in client.get("/review").text
    assert client.post(f"/assessments/{aid}/review/validate").status_code == 302
    assert status(db_session, review_world) == AssessmentStatus.VALIDATED


def test_a_draft_is_not_reviewed(client, login, make, db_session, world) -> None:
    from assessment.auth.models import Role

    office = make.user(Role.REGIONAL, region=world.city.country.region)
    login(office)
    db_session.commit()  # the refused request rolls back what it did not commit
    response = client.post(f"/assessments/{world.assessment.id}/review/validate")
    assert response.status_code == 422
    assert world.city.name not in client.get("/review").text


def test_the_overview_sends_the_city_to_its_queries(client, login, db_session,
                                                    review_world: ReviewWorld) -> None:
    w = review_world
    aid = w.assessment.id
    login(w.office)
    assert f"/assessments/{aid}/review" in client.get(f"/assessments/{aid}").text
    client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                data={"kind": "query", "comment": "Source?"})
    client.post(f"/assessments/{aid}/review/return")
    login(w.official)
    page = client.get(f"/assessments/{aid}").text
    assert "sent this assessment back with queries" in page
    assert f"/assessments/{aid}/queries" in page and f"/assessments/{aid}/review\"" not in page


def test_a_returned_assessment_goes_back_from_its_queries_page(client, login, db_session,
                                                              review_world: ReviewWorld) -> None:
    w = review_world
    aid = w.assessment.id
    login(w.office)
    client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                data={"kind": "query", "comment": "Source?"})
    client.post(f"/assessments/{aid}/review/return")
    login(w.official)
    for response in (client.get(f"/assessments/{aid}/submit"),
                     client.post(f"/assessments/{aid}/submit", data={"confirm": "y"})):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/assessments/{aid}/queries")
    assert status(db_session, w) == AssessmentStatus.RETURNED


def test_returning_after_the_deadline_needs_a_new_one(client, login, db_session,
                                                      review_world: ReviewWorld) -> None:
    w = review_world
    aid = w.assessment.id
    w.assessment.round.closes_on = date.today() - timedelta(days=3)
    db_session.commit()
    login(w.office)
    client.post(f"/assessments/{aid}/review/answers/{w.question_id}",
                data={"kind": "query", "comment": "Which council decision is this?"})
    refused = client.post(f"/assessments/{aid}/review/return", data={"message": "One question"})
    assert refused.status_code == 422
    assert f"The round closed for {w.city.city.name}" in refused.get_data(as_text=True)
    assert status(db_session, w) == AssessmentStatus.IN_REVIEW
    later = (date.today() + timedelta(days=10)).isoformat()
    response = client.post(f"/assessments/{aid}/review/return",
                           data={"message": "One question", "closes_on": later})
    assert response.status_code == 302
    assert status(db_session, w) == AssessmentStatus.RETURNED

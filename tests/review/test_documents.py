"""Evidence documents: typed from their content, within the limits, kept in the database or a
folder, and served only to those who may read the assessment."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from assessment.auth.models import Role
from assessment.config import ConfigError, load_settings
from assessment.review.models import DocumentBlob, EvidenceDocument
from assessment.review.storage import sniff
from tests.review.conftest import PDF, PNG, ReviewWorld, docx


def attach(client, assessment_id: int, question_id: str, data: bytes, name: str):
    # Encoded in memory: the test client would spool a large body to a file it leaves open.
    boundary, body = encode_multipart({"question_id": question_id,
                                       "document": FileStorage(BytesIO(data), filename=name)})
    return client.post(f"/assessments/{assessment_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def documents(session, assessment_id: int) -> list[EvidenceDocument]:
    return list(session.scalars(select(EvidenceDocument)
                                .where(EvidenceDocument.assessment_id == assessment_id)))


@pytest.fixture()
def draft(make, login, world, questionnaire, db_session):
    login(world.official)
    db_session.commit()  # refused uploads roll back what the request did not commit
    return world


def test_the_type_comes_from_the_content() -> None:
    assert sniff(PDF) == "pdf" and sniff(PNG) == "png" and sniff(docx()) == "docx"
    assert sniff(b"<html><script>alert(1)</script>", "evil.pdf") is None
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "budget.xls") == "xls"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "budget.exe") is None


def test_an_official_attaches_a_document_and_downloads_it(client, draft, questionnaire,
                                                          db_session) -> None:
    question = questionnaire.scored_questions[0].id
    minutes = docx()
    response = attach(client, draft.assessment.id, question, minutes, "Council minutes.docx")
    assert response.status_code == 302
    (document,) = documents(db_session, draft.assessment.id)
    assert document.extension == "docx" and document.storage == "database"
    assert db_session.get(DocumentBlob, document.storage_key) is not None
    download = client.get(f"/documents/{document.id}")
    assert download.status_code == 200 and download.data == minutes
    assert download.mimetype.startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/assessments/{draft.assessment.id}/documents")
    assert "Council minutes.docx" in page.text


def test_a_file_that_lies_about_its_type_is_refused(client, draft, questionnaire, db_session) -> None:
    question = questionnaire.scored_questions[0].id
    # A web page named as a PDF, and a picture named as a PDF.
    response = attach(client, draft.assessment.id, question, b"<html><body>hi</body></html>", "plan.pdf")
    assert response.status_code == 422 and "not one of the accepted types" in response.text
    response = attach(client, draft.assessment.id, question, PNG, "plan.pdf")
    assert response.status_code == 422 and "its content is png" in response.text
    assert documents(db_session, draft.assessment.id) == []


def test_limits_are_settings(client, app, draft, questionnaire, db_session, monkeypatch) -> None:
    question = questionnaire.scored_questions[0].id
    monkeypatch.setitem(app.config, "DOCUMENT_TYPES", ("pdf",))
    response = attach(client, draft.assessment.id, question, PNG, "photo.png")
    assert response.status_code == 422
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_MB", 1)
    big = PDF + b"0" * (1024 * 1024)
    response = attach(client, draft.assessment.id, question, big, "big.pdf")
    assert response.status_code == 422 and "larger than 1 MB" in response.text
    assert documents(db_session, draft.assessment.id) == []


def test_another_citys_document_is_a_404(client, login, make, draft, questionnaire, db_session) -> None:
    attach(client, draft.assessment.id, questionnaire.scored_questions[0].id, PDF, "a.pdf")
    (document,) = documents(db_session, draft.assessment.id)
    login(make.user(Role.OFFICIAL, city=make.city(name="Elsewhere")))
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/assessments/{draft.assessment.id}/documents").status_code == 404
    login(make.user(Role.REGIONAL, region=make.region("Far away")))
    assert client.get(f"/documents/{document.id}").status_code == 404
    # The city's regional office reads it.
    login(make.user(Role.REGIONAL, region=draft.city.country.region))
    assert client.get(f"/documents/{document.id}").status_code == 200
    assert client.get("/documents/999999").status_code == 404


def test_no_document_once_submitted(client, make, review_world: ReviewWorld, login, db_session) -> None:
    login(review_world.official)
    response = attach(client, review_world.assessment.id, review_world.question_id, PDF, "late.pdf")
    assert response.status_code == 403


def test_documents_in_a_folder(client, app, draft, questionnaire, db_session, monkeypatch,
                               tmp_path) -> None:
    monkeypatch.setitem(app.config, "DOCUMENT_STORAGE", "folder")
    monkeypatch.setitem(app.config, "DOCUMENT_FOLDER", str(tmp_path))
    attach(client, draft.assessment.id, questionnaire.scored_questions[0].id, PDF, "a.pdf")
    (document,) = documents(db_session, draft.assessment.id)
    assert document.storage == "folder"
    assert db_session.get(DocumentBlob, document.storage_key) is None
    assert (tmp_path / document.storage_key[:2] / document.storage_key).read_bytes() == PDF
    assert client.get(f"/documents/{document.id}").data == PDF


def test_document_settings_are_checked() -> None:
    base = {"SECRET_KEY": "x"}
    assert load_settings({**base, "DOCUMENT_TYPES": "PDF, jpeg"}).document_types == ("pdf", "jpg")
    with pytest.raises(ConfigError, match="DOCUMENT_TYPES"):
        load_settings({**base, "DOCUMENT_TYPES": "exe"})
    with pytest.raises(ConfigError, match="DOCUMENT_STORAGE"):
        load_settings({**base, "DOCUMENT_STORAGE": "s3"})
    with pytest.raises(ConfigError, match="MAX_CONTENT_LENGTH"):
        load_settings({**base, "DOCUMENT_MAX_MB": "10"})

"""The report as a PDF, through the HTTP client: the same document as the printed page, on
three A4 pages, with the city, round, version, date and page number on every page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from assessment.auth.models import Role
from assessment.results.pdf import css_string, page_margins, render_pdf

FULL = {"civic_tech": 2.5, "tech_firms": 1.0, "bottom_up": 2.0, "geographies": 1.5,
        "inclusion_privacy": 1.5, "digital_rights": 0.5}


def pdf_of(client, assessment_id: int, **query: str) -> PdfReader:
    response = client.get(f"/assessments/{assessment_id}/report.pdf", query_string=query)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return PdfReader(io.BytesIO(response.data))


@pytest.mark.slow
def test_a_full_report_is_three_a4_pages_with_its_references_on_each(make, login, client):
    city = make.city(name="Nakuru")
    round_ = make.round(name="2026")
    assessment = make.answer(make.assessment(city=city, round=round_), FULL, seed=2, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    pdf = pdf_of(client, assessment.id)

    assert len(pdf.pages) <= 3
    for number, page in enumerate(pdf.pages, start=1):
        # A4 is 595 × 842 points.
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        text = " ".join(page.extract_text().split())
        assert f"Nakuru · 2026 · Questionnaire {assessment.questionnaire_version.label}" in text
        assert f"Submitted {assessment.submitted_at:%Y-%m-%d}" in text
        assert f"Page {number} of {len(pdf.pages)}" in text
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "In 2026, Nakuru scores" in first and "Profile of the six elements" in first
    second = " ".join(pdf.pages[1].extract_text().split())
    assert "Element by element" in second and "What to do next" in second


@pytest.mark.slow
def test_the_annex_adds_every_recommendation_after_the_report(make, login, client):
    city = make.city(name="Thika")
    assessment = make.answer(make.assessment(city=city), FULL, seed=2, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    report = pdf_of(client, assessment.id)
    annexed = pdf_of(client, assessment.id, annex="1")

    assert len(annexed.pages) > len(report.pages)
    annex = " ".join(" ".join(p.extract_text().split()) for p in annexed.pages[len(report.pages):])
    assert annex.startswith("Annex: every recommendation") and "Thika · " in annex


def test_another_citys_report_is_not_found_as_a_pdf(make, login, client):
    assessment = make.answer(make.assessment(city=make.city()), 2.0, submit=True)
    login(make.user(Role.OFFICIAL, city=make.city()))

    assert client.get(f"/assessments/{assessment.id}/report.pdf").status_code == 404


def test_the_report_links_to_its_pdf_and_hides_the_print_button_until_scripts_run(
        make, login, client):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    html = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)

    assert f'href="/assessments/{assessment.id}/report.pdf"' in html
    assert f'href="/assessments/{assessment.id}/report.pdf?annex=1"' in html
    assert 'data-print hidden' in html


def test_a_pdf_reads_only_the_apps_own_files(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("h1 { color: rgb(1, 2, 3); }")
    outside = '<img src="http://192.0.2.1/tracker.png"><link rel="stylesheet" href="/other/x.css">'
    html = f'<link rel="stylesheet" href="/static/css/a.css"><h1>Title</h1>{outside}'

    pdf, pages = render_pdf(html, "http://app.example/", tmp_path)

    assert pages == 1 and pdf.startswith(b"%PDF")
    # The refused addresses are left out; a request would have timed out instead.
    with pytest.raises(ValueError, match="only the app's own files"):
        from assessment.results.pdf import _fetcher
        _fetcher(tmp_path).fetch("http://192.0.2.1/tracker.png")
    with pytest.raises(ValueError, match="No such static file"):
        _fetcher(tmp_path).fetch("http://app.example/static/../../etc/passwd")


def test_page_margins_escape_what_people_type():
    css = page_margins('Said "hi" </style><script>', "2026-01-02", "Page {page} of {pages}")
    assert "</style>" not in css and '"hi"' not in css
    assert css_string("a<b") == '"a\\00003cb"'
    assert 'content: "Page " counter(page) " of " counter(pages);' in css

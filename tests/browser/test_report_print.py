"""The report on paper, in Chromium: printed from the page (print emulation), it fits on
three A4 pages; the "Download PDF" link gives the server's PDF, which a reader can open."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.browser.conftest import SCREENSHOTS, Browsing

pytestmark = pytest.mark.browser

MAX_PAGES = 3


def submitted_reports(browsing: Browsing) -> list[tuple[int, str, int]]:
    """(assessment id, city and round, answers) of every submitted assessment in the demo's
    Africa region, the fullest (most answers) first."""
    from assessment.assessments.models import Answer, Assessment, AssessmentStatus, Round
    from assessment.places.models import City, Country, Region

    with browsing.server.session() as session:
        rows = session.execute(
            select(Assessment.id, City.name, Round.name, func.count(Answer.id))
            .join(City, City.id == Assessment.city_id)
            .join(Country, Country.id == City.country_id)
            .join(Region, Region.id == Country.region_id)
            .join(Round, Round.id == Assessment.round_id)
            .join(Answer, Answer.assessment_id == Assessment.id)
            .where(Assessment.status == AssessmentStatus.SUBMITTED, Region.name == "Africa")
            .group_by(Assessment.id, City.name, Round.name)
            .order_by(func.count(Answer.id).desc(), Assessment.id)
        ).all()
    return [(int(row[0]), f"{row[1]} {row[2]}", int(row[3])) for row in rows]


def test_printed_reports_fit_on_three_a4_pages(browsing: Browsing) -> None:
    reports = submitted_reports(browsing)
    assert reports, "the demo has submitted assessments in Africa"
    page, _watch = browsing.open("regional")
    page.emulate_media(media="print")
    counts = {}
    for assessment_id, name, _answers in reports[:4]:
        page.goto(f"/assessments/{assessment_id}/report")
        page.wait_for_load_state("load")
        # Chromium's own print: the page's @page rules, no header or footer of its own.
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
        counts[name] = len(pdf.pages)
        text = " ".join(pdf.pages[0].extract_text().split())
        assert f"Page 1 of {len(pdf.pages)}" in text, text[-200:]
    print(f"\nPrinted pages (Chromium print emulation): {counts}")
    assert all(count <= MAX_PAGES for count in counts.values()), counts


def test_the_pdf_download_opens_and_has_at_most_three_pages(browsing: Browsing,
                                                            tmp_path: Path) -> None:
    reports = submitted_reports(browsing)
    # Nairobi's current report has an action plan, so its third page shows one.
    assessment_id, name, _answers = next(
        (report for report in reports if report[1].startswith("Nairobi")), reports[0])
    page, _watch = browsing.open("regional")
    page.goto(f"/assessments/{assessment_id}/report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    assert target.suffix == ".pdf"
    pdf = PdfReader(target)
    print(f"\nPDF of {name}: {len(pdf.pages)} pages, {target.stat().st_size} bytes")
    assert 1 <= len(pdf.pages) <= MAX_PAGES
    assert name.split()[0] in pdf.pages[0].extract_text()
    write_page_pictures(target)


def write_page_pictures(pdf_path: Path) -> None:
    """A PNG of each page of the PDF for the README (docs/screenshots/report-pdf-page-N.png)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        for number, pdf_page in enumerate(document, start=1):
            # 72 points an inch: a scale of 1.1 draws an A4 page 655 pixels wide.
            picture = pdf_page.render(scale=1.1).to_pil()
            picture.save(SCREENSHOTS / f"report-pdf-page-{number}.png", optimize=True)
    finally:
        document.close()

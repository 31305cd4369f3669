"""The report page as delivered: hostile text stays text, chart data travels as JSON, no
inline script, nothing from other hosts, and a page light enough for slow connections."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import update

from assessment.assessments.models import Answer
from assessment.auth.models import Role

STATIC = Path(__file__).resolve().parents[2] / "static"
HOSTILE_CITY = "<script>alert(1)</script>"
HOSTILE_NOTE = 'Ends here </script><img src=x onerror="alert(2)"> and \'quotes\' & "more"'


@pytest.fixture()
def hostile(make, questionnaire, db_session):
    city = make.city(name=HOSTILE_CITY)
    round_ = make.round(name='2026 "</script>')
    assessment = make.answer(make.assessment(city=city, round=round_), 0.0, seed=1)
    # Level 0 everywhere: every question has a recommendation, so the note is shown with it.
    first = questionnaire.elements[0].scored_questions[0]
    db_session.execute(update(Answer).where(Answer.assessment_id == assessment.id,
                                            Answer.question_id == first.id)
                       .values(note=HOSTILE_NOTE))
    db_session.expire(assessment, ["answers"])
    return city, assessment


def test_hostile_names_and_notes_are_escaped_in_the_html(make, login, report_page, hostile):
    city, assessment = hostile
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert page.status == 200
    assert HOSTILE_CITY not in page.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
    assert '<img src=x onerror="alert(2)">' not in page.html
    assert "&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page.html
    assert "&#39;quotes&#39; &amp; &#34;more&#34;" in page.html
    # What a reader sees is the text as typed.
    assert HOSTILE_CITY in page.text and HOSTILE_NOTE in page.text


def test_hostile_names_cannot_leave_the_json_data_block(make, login, report_page, hostile):
    city, assessment = hostile
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    block = page.figure_block()
    # The block ends at its own closing tag: nothing inside can open or close a tag.
    assert "<" not in block and ">" not in block
    figure = json.loads(block)
    name = page.trace("alert(1)")["name"]
    # And plotly shows it as typed: its label markup is escaped too.
    assert name.startswith("&lt;script&gt;alert(1)&lt;/script&gt; 2026 \"&lt;/script&gt;")
    assert figure["data"][0]["name"] == name
    # Exactly one JSON block and the scripts from /static: no inline code anywhere.
    scripts = re.findall(r"<script\b([^>]*)>", page.html)
    assert scripts.count(' type="application/json" id="radar-figure"') == 1
    for attributes in scripts:
        assert 'type="application/json"' in attributes or re.search(r'src="/static/', attributes)
    assert not re.search(r"\son[a-z]+=", page.html.replace("onerror=&#34;", ""))


def test_the_chart_container_reads_its_figure(make, login, report_page):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    # Drawn on the server: the SVG is in the page, for a wide screen and for a phone.
    chart = page.html.split('<div class="chart" data-figure="radar-figure">')[1].split("</figure>")[0]
    assert chart.count('<svg viewBox="0 0 ') == 2 and chart.count('role="img"') == 2
    assert '<div class="chart-svg chart-svg-narrow" hidden>' in chart
    figure = page.figure
    assert set(figure) == {"data", "layout", "narrow"}
    assert "template" not in figure["layout"]
    assert figure["layout"]["polar"]["radialaxis"]["range"] == [0, 100]
    # plotly.js is not loaded with the page: charts.js fetches it when the reader asks.
    assert "<script src=\"/static/vendor/plotly" not in page.html
    assert re.search(r'<script src="/static/js/charts\.js\?v=\w+" '
                     r'data-plotly="/static/vendor/plotly-custom\.min\.js\?v=\w+" defer>', page.html)
    assert re.search(r'<button type="button" class="button secondary" '
                     r'data-interactive-chart="radar-figure" hidden>Interactive chart</button>', chart)
    # How to use the legend is said only once the interactive chart is there.
    assert re.search(r'<span class="hint" data-interactive-hint hidden>Select a line in the legend', chart)
    # The table is the content for screen readers and without JavaScript.
    assert "<caption>" in page.html and 'scope="col"' in page.html and 'scope="row"' in page.html


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
ABSOLUTE_URL = re.compile(r"https?://", re.I)


def test_the_page_and_its_own_assets_reference_no_other_host(make, login, client, report_page):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0, submit=True)
    login(make.user(Role.ADMIN))

    page = report_page(assessment.id)

    assert not EXTERNAL.search(page.html)
    assets = re.findall(r'(?:src|href|data-plotly)="(/static/[^"?]+)', page.html)
    assert {"/static/css/report.css", "/static/js/charts.js", "/static/js/report.js",
            "/static/vendor/plotly-custom.min.js"} <= set(assets)
    for path in assets:
        if path.endswith((".css", ".js")) and "/vendor/" not in path:
            text = (STATIC / path.removeprefix("/static/")).read_text()
            assert not ABSOLUTE_URL.search(text), path
            assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), path
    # plotly.js carries a few addresses in its attribute documentation; what matters is that
    # it is served from here and the page turns off the features that would call out.
    charts_js = (STATIC / "js" / "charts.js").read_text()
    assert "displaylogo: false" in charts_js


def test_page_weight_within_budget_on_first_and_repeat_visits(make, login, client, report_page):
    """At most 600 kB on a first visit (gzip), 60 kB on a repeat one (static files cached)."""
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0, submit=True)
    login(make.user(Role.OFFICIAL, city=city))
    gzip_ok = {"Accept-Encoding": "gzip"}

    page = client.get(f"/assessments/{assessment.id}/report", headers=gzip_ok)
    body = page.get_data()
    if page.headers.get("Content-Encoding") == "gzip":
        html_bytes, html = len(body), gzip.decompress(body).decode()
    else:
        html_bytes, html = len(gzip.compress(body)), body.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    static_bytes = 0
    for url in assets:
        with client.get(url, headers=gzip_ok) as response:
            assert response.status_code == 200, url
            assert "immutable" in response.headers.get("Cache-Control", ""), url
            body = response.get_data()
            static_bytes += len(body) if response.headers.get("Content-Encoding") == "gzip" \
                else len(gzip.compress(body))

    assert html_bytes + static_bytes <= 600 * 1024, (html_bytes, static_bytes)
    # Repeat visit: fingerprinted files come from the browser cache; only the page travels.
    assert html_bytes <= 60 * 1024, html_bytes

"""The benchmark harness's pure parts: statistics, the table, the bounded loop, form parsing."""

from __future__ import annotations

import json
import threading

import pytest

from bench.client import Client, css_urls, form_pairs, parse_page, route_of
from bench.loop import bounded_loop
from bench.report import Row, append_result, format_table, number
from bench.stats import percentile, rate, ratio, summarise


class FakeClock:
    """A clock that only moves when a task says so, so time limits are tested without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


# --- statistics ----------------------------------------------------------------------


def test_percentile_interpolates_between_ranks() -> None:
    samples = [4.0, 1.0, 3.0, 2.0]
    assert percentile(samples, 0.0) == 1.0
    assert percentile(samples, 1.0) == 4.0
    assert percentile(samples, 0.5) == pytest.approx(2.5)
    assert percentile(list(range(1, 101)), 0.95) == pytest.approx(95.05)


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


def test_summary_of_one_sample_is_that_sample() -> None:
    summary = summarise([0.25])
    assert (summary.count, summary.median, summary.p95, summary.minimum, summary.maximum) == (
        1, 0.25, 0.25, 0.25, 0.25)
    assert summary.as_dict()["p50"] == 250.0


def test_rate_and_ratio_handle_zero() -> None:
    assert rate(10, 2.0) == 5.0
    assert rate(10, 0.0) == 0.0
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(3.0, 0.0) is None
    assert ratio(None, 1.0) is None


# --- bounded loop --------------------------------------------------------------------


def test_loop_stops_at_the_count() -> None:
    seen: list[int] = []
    result = bounded_loop(lambda _w, i: seen.append(i), count=7, seconds=60)
    assert sorted(seen) == list(range(7))
    assert result.ok == 7
    assert result.stopped_by == "count"


def test_loop_stops_at_the_time_limit() -> None:
    clock = FakeClock()
    calls: list[int] = []

    def task(_worker: int, iteration: int) -> None:
        calls.append(iteration)
        clock.advance(1.0)

    result = bounded_loop(task, count=1000, seconds=5.0, clock=clock)
    assert len(calls) == 5
    assert result.stopped_by == "time"
    assert result.elapsed == pytest.approx(5.0)
    assert result.rate == pytest.approx(1.0)
    assert result.samples == [1.0] * 5


def test_loop_with_threads_runs_each_iteration_once() -> None:
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def task(worker: int, iteration: int) -> None:
        with lock:
            seen.append((worker, iteration))

    result = bounded_loop(task, count=200, seconds=60, concurrency=8)
    assert sorted(i for _, i in seen) == list(range(200))
    assert {w for w, _ in seen} <= set(range(8))
    assert result.ok == 200


def test_loop_records_errors_and_stops_after_too_many() -> None:
    def task(_worker: int, iteration: int) -> None:
        if iteration % 2:
            raise RuntimeError(f"boom {iteration}")

    result = bounded_loop(task, count=100, seconds=60, max_errors=3)
    assert len(result.errors) == 3
    assert result.errors[0] == "RuntimeError: boom 1"
    assert result.stopped_by == "errors"
    assert result.ok < 100


def test_loop_refuses_unbounded_settings() -> None:
    with pytest.raises(ValueError):
        bounded_loop(lambda _w, _i: None, count=0, seconds=1)
    with pytest.raises(ValueError):
        bounded_loop(lambda _w, _i: None, count=1, seconds=0)


# --- table and results ---------------------------------------------------------------


def test_numbers_keep_three_significant_places() -> None:
    assert number(1234.4, "req/s") == "1,234 req/s"
    assert number(12.345) == "12.3"
    assert number(1.2345, "s") == "1.23 s"
    assert number(0.01234) == "0.012"
    assert number(None) == "-"


def test_table_lines_up_columns_and_shows_ratio_and_verdict() -> None:
    rows = [
        Row("a", "submissions, 16 at once", 120.0, "/s", p95=None, ceiling=600.0,
            ceiling_label="healthz", target=">= 150 /s", met=False),
        Row("b", "dashboard", 85.4, "ms", p95=140.0, target="< 200 ms", met=True),
    ]
    table = format_table(rows, "sqlite")
    lines = table.splitlines()
    assert lines[0] == "sqlite"
    assert lines[1].startswith("figure")
    assert "0.20x" in lines[3] and "MISSED" in lines[3]
    assert " met" in lines[4] and "140 ms" in lines[4]
    # Figures are right-aligned under their heading.
    median_end = lines[1].index("median") + len("median")
    assert lines[3][:median_end].endswith("120 /s")
    assert lines[4][:median_end].endswith("85.4 ms")
    assert lines[2].split()[0] == "-" * len("submissions, 16 at once")


def test_results_are_appended_as_json_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    append_result({"run": 1}, "2026-01-01", tmp_path)
    path = append_result({"run": 2}, "2026-01-01", tmp_path)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["run"] for line in lines] == [1, 2]


# --- client --------------------------------------------------------------------------


def test_client_refuses_other_hosts() -> None:
    with pytest.raises(ValueError):
        Client("example.org", 80)
    client = Client("127.0.0.1", 9)
    with pytest.raises(ValueError):
        client.get("http://example.org/")


def test_forms_are_read_as_a_browser_would_send_them() -> None:
    page = parse_page("""
      <link rel="stylesheet" href="/static/css/app.css?v=1"><script src="/static/js/x.js"></script>
      <form method="post" action="/assessments/3/elements/civic_tech">
        <input type="hidden" name="csrf_token" value="tok">
        <input type="radio" name="q_a" value="1"><input type="radio" name="q_a" value="2" checked>
        <input type="checkbox" name="q_b" value="x" checked><input type="checkbox" name="q_b" value="y">
        <select name="q_c"><option value="k">K<option value="l" selected>L</select>
        <textarea name="note_a">some text</textarea>
        <input type="number" name="q_d" value="">
        <input type="text" name="off" value="z" disabled>
        <button type="submit" name="action" value="save">Save</button>
      </form>""")
    form = page.form(action_contains="/elements/", having="q_")
    assert form.method == "post"
    assert form.defaults() == [("csrf_token", "tok"), ("q_a", "2"), ("q_b", "x"), ("q_c", "l"),
                               ("note_a", "some text"), ("q_d", "")]
    assert [b.value for b in form.buttons()] == ["save"]
    assert page.assets == ["/static/css/app.css?v=1", "/static/js/x.js"]


def test_css_references_skip_data_urls() -> None:
    css = "a{background:url(data:image/png;base64,xx)} @font-face{src:url('/static/f.woff2')}"
    assert css_urls(css) == ["/static/f.woff2"]


def test_routes_group_ids_and_elements() -> None:
    assert route_of("/assessments/12/elements/civic_tech?x=1") == "/assessments/<id>/elements/<element>"
    assert route_of("/assessments/12/submit") == "/assessments/<id>/submit"
    assert route_of("/assessments") == "/assessments"


# --- simulated answers ---------------------------------------------------------------


def test_every_simulated_answer_is_valid_for_its_question() -> None:
    from assessment.questionnaire import parse_form_value
    from bench.client import Field, Form
    from bench.submissions import answers_for, load_questionnaire

    questionnaire = load_questionnaire()
    for element in questionnaire.elements:
        fields = [Field("input", "hidden", "csrf_token", "tok")]
        fields += [Field("input", "radio", f"q_{q.id}", "x", checked=True) for q in element.questions]
        fields += [Field("input", "url", f"url_{q.id}", "") for q in element.questions]
        form = Form(f"/assessments/1/elements/{element.id}", "post", fields)
        for iteration in range(6):
            pairs = answers_for(form.defaults(), list(element.questions), iteration)
            assert ("csrf_token", "tok") in pairs
            for question in element.questions:
                raw = [v for k, v in pairs if k == f"q_{question.id}"]
                if str(question.type) == "evidence":
                    assert raw == []
                    assert dict(pairs)[f"url_{question.id}"].startswith("https://")
                    continue
                assert raw, question.id
                value = parse_form_value(question, raw if str(question.type) == "multiple_choice" else raw[0])
                assert value is not None, question.id


def test_answers_change_between_iterations() -> None:
    from bench.client import Field, Form
    from bench.submissions import answers_for, load_questionnaire

    questionnaire = load_questionnaire()
    questions = list(questionnaire.questions)
    form = Form("/x", "post", [Field("input", "radio", f"q_{q.id}", "") for q in questions])
    assert answers_for(form.defaults(), questions, 0) != answers_for(form.defaults(), questions, 1)


def test_form_pairs_reads_a_long_form_as_the_full_parser_does() -> None:
    """The quick reader used between submissions agrees with the HTML parser (textareas aside,
    whose first newline browsers drop)."""
    html = """<form id="other"><input name="x" value="1"></form>
      <form method="post" action="/assessments/3/answers" id="answers">
        <input type="hidden" name="csrf_token" value="t&amp;k">
        <input type="radio" name="q_a" value="1"><input checked id="q_a-1" name="q_a" type="radio" value="2">
        <input checked disabled name="q_z" type="radio" value="9">
        <input type="checkbox" name="q_b" value="x" checked><input type="checkbox" name="q_b" value="y">
        <textarea name="note_a" rows="3">
some &lt;text&gt;</textarea>
        <input type="url" name="url_a" value="">
        <button type="submit" name="go" value="submit">Send</button>
      </form>"""
    expected = [("csrf_token", "t&k"), ("q_a", "2"), ("q_b", "x"), ("note_a", "some <text>"), ("url_a", "")]
    assert form_pairs(html, "answers") == expected
    full = parse_page(html).form(action_contains="/answers").defaults()
    assert [(k, v.lstrip("\n")) for k, v in full] == expected
    with pytest.raises(LookupError):
        form_pairs(html, "missing")

"""Full submissions by city officials, 1, 4 and 16 at once.

One submission is what an official's browser does without JavaScript, from "Our assessments"
to the confirmation:

    GET  /assessments                      the official's rounds
    GET  /assessments/<id>                 the overview (the "Continue" link)
    6 x  GET  /assessments/<id>/elements/<element>
         POST the page with every answer, "Save and go to the next element" (302)
    GET  /assessments/<id>/submit          the confirmation step
    POST /assessments/<id>/submit          confirm=y (302 to the report, not followed)

Each official has their own city. Their first submission (warm-up, untimed) starts the
assessment in a new open round; before every timed one the regional office reopens it
through the app's reopen page (two requests, untimed but sharing the server), and the
official then answers every question again with different values, so every timed
iteration writes every answer, re-scores and stores the scores.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench.client import Client, Form, parse_page
from bench.loop import bounded_loop
from bench.pages import signed_in
from bench.report import Row
from bench.server import PROJECT_ROOT, CpuMeter
from bench.stats import summarise

if TYPE_CHECKING:
    from assessment.questionnaire import Question, Questionnaire
    from bench.runner import Context

RATE_TARGET = 150.0  # full submissions per second, 16 officials at once
P95_TARGET_MS = 150.0
REOPEN_REASON = "Benchmark: the city asked to correct its answers."


def load_questionnaire() -> Questionnaire:
    from assessment.questionnaire import load_questionnaire as load

    return load(PROJECT_ROOT / "questionnaire.yaml")


def choices(question: Question) -> list[list[str]]:
    """Valid answers to a question as form values (a list: checkboxes send several)."""
    kind = str(question.type)
    if kind == "maturity":
        return [[str(level.value)] for level in question.levels]
    if kind == "yes_no":
        return [["yes"], ["no"]]
    if kind == "single_choice":
        return [[option.key] for option in question.options]
    if kind == "multiple_choice":
        keys = [o.key for o in question.options if not o.exclusive]
        exclusive = [[o.key] for o in question.options if o.exclusive]
        return [keys[: n + 1] for n in range(len(keys))] + exclusive
    if kind == "number":
        values = []
        for band in question.bands:
            low = band.min if band.min is not None else (question.min_value or 0)
            high = band.max if band.max is not None else low + 10
            middle = (low + high) / 2
            values.append([str(int(middle)) if question.integer else f"{middle:.1f}"])
        return values or [["1"]]
    return []


def answers_for(form: Form, questionnaire: Questionnaire, element_id: str,
                iteration: int) -> list[tuple[str, str]]:
    """The form as loaded, with every question answered (values change with ``iteration``)."""
    element = questionnaire.element(element_id)
    answered = {f"q_{q.id}" for q in element.questions}
    evidence = {f"url_{q.id}": q for q in element.questions if str(q.type) == "evidence"}
    pairs = [(k, v) for k, v in form.defaults() if k not in answered and not k.startswith(("dk_", "na_"))]
    pairs = [(k, f"https://data.city.example.org/{iteration}/{evidence[k].id}") if k in evidence else (k, v)
             for k, v in pairs]
    for position, question in enumerate(element.questions):
        options = choices(question)
        if not options:
            continue
        if not form.named(f"q_{question.id}"):
            raise LookupError(f"the {element_id} page has no field q_{question.id}")
        values = options[(iteration + position) % len(options)]
        pairs.extend((f"q_{question.id}", value) for value in values)
    return pairs


@dataclass
class Official:
    client: Client
    reopener: Client  # the regional office's own session
    assessment_id: int | None = None
    submitted: bool = False
    requests: int = 0
    timings: list[tuple[str, float]] = field(default_factory=list)


class SubmissionError(RuntimeError):
    pass


def submit_once(official: Official, questionnaire: Questionnaire, round_id: int, iteration: int) -> int:
    """One full submission; returns the number of requests it took."""
    client = official.client
    before = client.requests
    home = client.get("/assessments")
    page = parse_page(home.text)
    if official.assessment_id is None:
        form = next((f for f in page.forms if "/assessments/start" in f.action
                     and ("round_id", str(round_id)) in f.defaults()), None)
        if form is None:
            raise SubmissionError(f"no Start button for round {round_id} on /assessments")
        started = client.post(form.action, form.defaults(), expect=(302, 303))
        match = re.search(r"/assessments/(\d+)$", (started.location or "").split("?")[0])
        if match is None:
            raise SubmissionError(f"start did not lead to an assessment: {started.location}")
        official.assessment_id = int(match.group(1))
        overview = client.follow(started)
    else:
        link = f"/assessments/{official.assessment_id}"
        if not any(href.split("?")[0].endswith(link) for href in page.links):
            raise SubmissionError(f"{link} is not linked from /assessments")
        overview = client.get(link)
    prefix = f"/assessments/{official.assessment_id}/elements/"
    element_links = [h for h in parse_page(overview.text).links if prefix in h]
    if not element_links:
        raise SubmissionError("the overview links to no element page")
    url = element_links[0]
    order = [e.id for e in questionnaire.elements]
    for _ in order:
        element_id = url.split(prefix, 1)[1].split("?")[0].split("#")[0]
        page_ = client.get(url)
        form = parse_page(page_.text).form(action_contains=prefix, having="q_")
        index = order.index(element_id)
        go = order[index + 1] if index + 1 < len(order) else "submit"
        if not any(b.name == "go" and b.value == go for b in form.buttons()):
            raise SubmissionError(f"no button go={go} on {element_id}")
        saved = client.post(form.action or url, [*answers_for(form, questionnaire, element_id, iteration),
                                                 ("go", go)], expect=(200, 302, 303))
        if saved.status == 200:
            raise SubmissionError(f"saving {element_id} was refused: {_notice(saved.text)}")
        url = saved.location or ""
        if go == "submit":
            break
    if not url.split("?")[0].endswith("/submit"):
        raise SubmissionError(f"the last element led to {url}, not the confirmation step")
    confirm_page = client.get(url)
    form = parse_page(confirm_page.text).form(action_contains="/submit")
    fields = [(k, v) for k, v in form.defaults() if k != "confirm"] + [("confirm", "y")]
    done = client.post(form.action or url, fields, expect=(200, 302, 303))
    if done.status == 200 or "/report" not in (done.location or ""):
        raise SubmissionError(f"submission not accepted: {_notice(done.text)}")
    official.submitted = True
    return client.requests - before


def reopen(official: Official) -> None:
    """The regional office reopens the submitted assessment (the report's "Reopen" path)."""
    client = official.reopener
    url = f"/assessments/{official.assessment_id}/reopen"
    page = client.get(url)
    form = parse_page(page.text).form(action_contains="/reopen")
    fields = [(k, v) for k, v in form.defaults() if k != "reason"] + [("reason", REOPEN_REASON)]
    done = client.post(form.action or url, fields, expect=(200, 302, 303))
    if done.status == 200:
        raise SubmissionError(f"reopen refused: {_notice(done.text)}")
    official.submitted = False


def _notice(html: str) -> str:
    found = re.search(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', html, re.S) or re.search(
        r'class="flash[^"]*"[^>]*>(.*?)</div>', html, re.S)
    text = found.group(1) if found else html[:400]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:300]


def scenario(ctx: Context) -> list[Row]:
    questionnaire = load_questionnaire()
    world = ctx.world
    round_id = int(world.open_round["id"])  # type: ignore[call-overload]
    regional = world.accounts_with("regional")[0]
    officials = [Official(signed_in(ctx, account), signed_in(ctx, regional))
                 for account in world.accounts_with("official")]
    rows: list[Row] = []
    try:
        # Warm-up, untimed: every official starts and submits once (and every worker sees each page).
        # Then every assessment is reopened once, alone, to know what a reopen costs.
        for index, official in enumerate(officials):
            submit_once(official, questionnaire, round_id, iteration=index)
        world.questionnaire_url = (
            f"/assessments/{officials[0].assessment_id}/elements/{questionnaire.elements[0].id}")
        # The cost of a reopen alone, to tell it apart from the submission's own.
        with CpuMeter(ctx.server.worker_pids()) as cpu:
            for official in officials:
                reopen(official)
        reopen_cpu_ms = cpu.workers / len(officials) * 1000
        for concurrency in ctx.plan.concurrency:
            rows.extend(_measure(ctx, officials[:concurrency], questionnaire, round_id, reopen_cpu_ms))
    finally:
        for official in officials:
            official.client.close()
            official.reopener.close()
    return rows


def _measure(ctx: Context, officials: list[Official], questionnaire: Questionnaire, round_id: int,
             reopen_cpu_ms: float) -> list[Row]:
    concurrency = len(officials)
    budget = ctx.plan.submissions[concurrency]
    lock = threading.Lock()
    requests: list[int] = []
    for official in officials:
        official.client.timings = []

    reopens = 0

    def prepare(worker: int, _iteration: int) -> None:
        nonlocal reopens
        if officials[worker].submitted:
            reopen(officials[worker])
            with lock:
                reopens += 1

    def task(worker: int, iteration: int) -> None:
        count = submit_once(officials[worker], questionnaire, round_id, iteration + 2)
        with lock:
            requests.append(count)

    with CpuMeter(ctx.server.worker_pids()) as cpu:
        result = bounded_loop(task, count=budget.count, seconds=budget.seconds, concurrency=concurrency,
                              prepare=prepare, max_errors=5)
    if not result.samples:
        raise SubmissionError("; ".join(result.errors[:3]) or "no submission completed")
    summary = summarise(result.samples)
    per_submission = statistics.median(requests)
    by_route: dict[str, list[float]] = defaultdict(list)
    for official in officials:
        for route, seconds in official.client.timings or []:
            by_route[route].append(seconds)
        official.client.timings = None
    routes = {route: summarise(samples).as_dict() for route, samples in sorted(by_route.items())}
    all_requests = [s for samples in by_route.values() for s in samples]
    request_summary = summarise(all_requests)
    submit_cpu_ms = max((cpu.workers * 1000 - reopens * reopen_cpu_ms) / result.ok, 0.0)
    # Requests the server answered per second, reopens included (2 per iteration).
    server_rate = (sum(requests) + 2 * reopens) / result.elapsed
    healthz_rate = ctx.ceilings.get(f"healthz.c{concurrency}.rate")
    healthz_cpu = ctx.ceilings.get(f"healthz.c{concurrency}.cpu_ms")
    key = f"submit.c{concurrency}"
    ctx.raw[key] = {
        "rate": round(result.rate, 2), "latency_ms": summary.as_dict(), "ok": result.ok,
        "errors": result.errors[:5], "stopped_by": result.stopped_by,
        "requests_per_submission": per_submission,
        "request_latency_ms": request_summary.as_dict(), "routes_ms": routes,
        "server_requests_per_s": round(server_rate, 1), "cpu": cpu.as_dict(),
        "worker_cpu_ms_per_submission": round(submit_cpu_ms, 1),
        "worker_cpu_ms_per_reopen": round(reopen_cpu_ms, 1),
    }
    slowest = max(routes.items(), key=lambda item: item[1]["p50"] * len(by_route[item[0]]))[0]
    rows = [
        Row(f"{key}.rate", f"full submissions, {concurrency} at once",
            result.rate, "/s", p95=None,
            ceiling=(healthz_rate / (per_submission + 2)) if healthz_rate else None,
            ceiling_label="healthz-equivalent",
            target=f">= {RATE_TARGET:.0f} /s" if concurrency == 16 else "",
            met=(result.rate >= RATE_TARGET) if concurrency == 16 else None,
            note=f"{per_submission:.0f} requests each (+2 reopen); server {server_rate:.0f} req/s; "
                 f"worker CPU {submit_cpu_ms:.0f} ms/submission" + (
                     f" = {submit_cpu_ms / per_submission / healthz_cpu:.1f}x healthz per request"
                     if healthz_cpu else "") + f"; load generator {cpu.client / cpu.wall:.0%} of a core"),
        Row(f"{key}.latency", f"  submission latency, {concurrency} at once", summary.median * 1000, "ms",
            p95=summary.p95 * 1000,
            target=f"p95 < {P95_TARGET_MS:.0f} ms" if concurrency == 16 else "",
            met=(summary.p95 * 1000 < P95_TARGET_MS) if concurrency == 16 else None,
            note=f"n={result.ok}, stopped by {result.stopped_by}; per request p50 "
                 f"{request_summary.median * 1000:.1f} ms, p95 {request_summary.p95 * 1000:.1f} ms; "
                 f"most time in {slowest}"),
    ]
    return rows



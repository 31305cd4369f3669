"""Full submissions by city officials, 1, 4 and 16 at once.

One submission is what an official's browser does, without JavaScript, on the page that holds
every question ("All questions on one page", linked from the assessment's overview):

    GET  /assessments/<id>/answers         the form, every question as last saved
    POST /assessments/<id>/answers         every answer, the confirmation box ticked and
                                           "Save and submit" (302 to the report, not followed)

The POST saves every answer, scores the assessment and stores its scores, as the app's own
submit path does. For comparison, the same submission is also made element by element
(16 requests: the rounds list, the overview, GET and POST of each of the six element pages,
and the confirmation step), at the highest concurrency.

Each official has their own city. Their first submission (warm-up, untimed) starts the
assessment in a new open round through "Start" on /assessments; before every timed one the
regional office reopens it with the app's reopen form (one POST, untimed but sharing the
server), and the official then answers every question again with different values, so every
timed iteration writes every answer, re-scores and stores the scores.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench.client import Client, form_pairs, parse_page
from bench.loop import bounded_loop
from bench.pages import signed_in
from bench.report import Row
from bench.server import PROJECT_ROOT, CpuMeter
from bench.stats import summarise

if TYPE_CHECKING:
    from assessment.questionnaire import Question, Questionnaire
    from bench.runner import Context

# The floor a city programme needs, 16 officials at once (a city submits once a round): full
# submissions per second on each database, and the p95 of one submission.
RATE_TARGET = {"sqlite": 35.0, "postgresql": 30.0}
P95_TARGET_MS = 800.0
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


ANSWER_PREFIXES = ("q_", "dk_", "na_")


def answers_for(loaded: list[tuple[str, str]], questions: list[Question],
                iteration: int) -> list[tuple[str, str]]:
    """The form as loaded, with every question answered (values change with ``iteration``)."""
    evidence = {f"url_{q.id}": q for q in questions if str(q.type) == "evidence"}
    pairs = [(k, f"https://data.city.example.org/{iteration}/{evidence[k].id}") if k in evidence else (k, v)
             for k, v in loaded if not k.startswith(ANSWER_PREFIXES)]
    for position, question in enumerate(questions):
        options = choices(question)
        if options:
            values = options[(iteration + position) % len(options)]
            pairs.extend((f"q_{question.id}", value) for value in values)
    return pairs


@dataclass
class Official:
    client: Client
    reopener: Client  # the regional office's own session
    assessment_id: int | None = None
    form_url: str | None = None  # the page with every question
    submitted: bool = False
    reopen_token: str | None = None  # the regional session's CSRF token, from its reopen page
    timings: list[tuple[str, float]] = field(default_factory=list)


class SubmissionError(RuntimeError):
    pass


def start(official: Official, round_id: int) -> None:
    """Start the city's assessment from /assessments and find the one-page form on its overview."""
    client = official.client
    page = parse_page(client.get("/assessments").text)
    form = next((f for f in page.forms if "/assessments/start" in f.action
                 and ("round_id", str(round_id)) in f.defaults()), None)
    if form is None:
        raise SubmissionError(f"no Start button for round {round_id} on /assessments")
    started = client.post(form.action, form.defaults(), expect=(302, 303))
    match = re.search(r"/assessments/(\d+)$", (started.location or "").split("?")[0])
    if match is None:
        raise SubmissionError(f"start did not lead to an assessment: {started.location}")
    official.assessment_id = int(match.group(1))
    overview = parse_page(client.follow(started).text)
    link = next((h for h in overview.links if h.split("?")[0].endswith(f"/{official.assessment_id}/answers")),
                None)
    if link is None:
        raise SubmissionError("the overview does not link to the page with every question")
    official.form_url = link


def submit_once(official: Official, questionnaire: Questionnaire, iteration: int) -> int:
    """One full submission on the one-page form; returns the number of requests it took."""
    client = official.client
    before = client.requests
    url = official.form_url or ""
    page = client.get(url)
    loaded = form_pairs(page.text, "answers")
    if not any(k == "csrf_token" for k, _ in loaded):
        raise SubmissionError(f"{url} has no answers form")
    fields = [*answers_for(loaded, list(questionnaire.questions), iteration),
              ("confirm", "y"), ("go", "submit")]
    done = client.post(url, fields, expect=(200, 302, 303))
    if done.status == 200 or "/report" not in (done.location or ""):
        raise SubmissionError(f"submission not accepted: {_notice(done.text)}")
    official.submitted = True
    return client.requests - before


def submit_by_element(official: Official, questionnaire: Questionnaire, iteration: int) -> int:
    """The same submission element by element, from the rounds list to the confirmation step."""
    client = official.client
    before = client.requests
    page = parse_page(client.get("/assessments").text)
    link = f"/assessments/{official.assessment_id}"
    if not any(href.split("?")[0].endswith(link) for href in page.links):
        raise SubmissionError(f"{link} is not linked from /assessments")
    overview = client.get(link)
    prefix = f"{link}/elements/"
    element_links = [h for h in parse_page(overview.text).links if prefix in h]
    if not element_links:
        raise SubmissionError("the overview links to no element page")
    url = element_links[0]
    order = [e.id for e in questionnaire.elements]
    for _ in order:
        element_id = url.split(prefix, 1)[1].split("?")[0].split("#")[0]
        form = parse_page(client.get(url).text).form(action_contains=prefix, having="q_")
        index = order.index(element_id)
        go = order[index + 1] if index + 1 < len(order) else "submit"
        if not any(b.name == "go" and b.value == go for b in form.buttons()):
            raise SubmissionError(f"no button go={go} on {element_id}")
        questions = list(questionnaire.element(element_id).questions)
        fields = [*answers_for(form.defaults(), questions, iteration), ("go", go)]
        saved = client.post(form.action or url, fields, expect=(200, 302, 303))
        if saved.status == 200:
            raise SubmissionError(f"saving {element_id} was refused: {_notice(saved.text)}")
        url = saved.location or ""
    if not url.split("?")[0].endswith("/submit"):
        raise SubmissionError(f"the last element led to {url}, not the confirmation step")
    form = parse_page(client.get(url).text).form(action_contains="/submit")
    fields = [(k, v) for k, v in form.defaults() if k != "confirm"] + [("confirm", "y")]
    done = client.post(form.action or url, fields, expect=(200, 302, 303))
    if done.status == 200 or "/report" not in (done.location or ""):
        raise SubmissionError(f"submission not accepted: {_notice(done.text)}")
    official.submitted = True
    return client.requests - before


def reopen(official: Official) -> None:
    """The regional office reopens the submitted assessment with the app's reopen form.

    The first time, the form is fetched for its CSRF token; then it is posted directly, as a
    regional officer does from the reopen form on the report page. The redirect to the
    overview is not followed, so the cookie that would carry its message to that page is not
    kept either: unread messages would otherwise pile up in the regional office's cookie.
    """
    client = official.reopener
    url = f"/assessments/{official.assessment_id}/reopen"
    if official.reopen_token is None:
        form = parse_page(client.get(url).text).form(action_contains="/reopen")
        official.reopen_token = dict(form.defaults()).get("csrf_token", "")
    done = client.post(url, [("csrf_token", official.reopen_token), ("reason", REOPEN_REASON)],
                       expect=(200, 302, 303), keep_cookies=False)
    if done.status == 200:
        raise SubmissionError(f"reopen refused: {_notice(done.text)}")
    official.submitted = False


def _notice(html: str) -> str:
    found = re.search(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', html, re.S) or re.search(
        r'class="flash[^"]*"[^>]*>(.*?)</div>', html, re.S)
    text = found.group(1) if found else html[:400]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:300]


Submit = Callable[[Official, "Questionnaire", int], int]


def scenario(ctx: Context) -> list[Row]:
    questionnaire = load_questionnaire()
    world = ctx.world
    round_id = int(world.open_round["id"])  # type: ignore[call-overload]
    regional = world.accounts_with("regional")[0]
    officials = [Official(signed_in(ctx, account), signed_in(ctx, regional))
                 for account in world.accounts_with("official")]
    rows: list[Row] = []
    try:
        # Warm-up, untimed: every official starts and submits once, both ways (every worker sees
        # each page). Then every assessment is reopened once, alone, to know what a reopen costs.
        for index, official in enumerate(officials):
            start(official, round_id)
            submit_once(official, questionnaire, iteration=index)
            reopen(official)
            submit_by_element(official, questionnaire, iteration=index + 1)
        world.questionnaire_url = officials[0].form_url
        world.element_url = (
            f"/assessments/{officials[0].assessment_id}/elements/{questionnaire.elements[0].id}")
        with CpuMeter(ctx.server.worker_pids()) as cpu:
            for official in officials:
                reopen(official)
        reopen_cpu_ms = cpu.workers / len(officials) * 1000
        for concurrency in ctx.plan.concurrency:
            rows.extend(_measure(ctx, officials[:concurrency], questionnaire, submit_once, "submit",
                                 "full submissions", reopen_cpu_ms))
        top = max(ctx.plan.concurrency)
        rows.extend(_measure(ctx, officials[:top], questionnaire, submit_by_element, "submit_elements",
                             "full submissions element by element", reopen_cpu_ms, targets=False))
    finally:
        for official in officials:
            official.client.close()
            official.reopener.close()
    return rows


def _measure(ctx: Context, officials: list[Official], questionnaire: Questionnaire, submit: Submit,
             prefix: str, label: str, reopen_cpu_ms: float, *, targets: bool = True) -> list[Row]:
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
        count = submit(officials[worker], questionnaire, iteration + 2)
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
    # Requests the server answered per second, reopens included (1 per iteration).
    server_rate = (sum(requests) + reopens) / result.elapsed
    healthz_rate = ctx.ceilings.get(f"healthz.c{concurrency}.rate")
    healthz_cpu = ctx.ceilings.get(f"healthz.c{concurrency}.cpu_ms")
    key = f"{prefix}.c{concurrency}"
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
    judged = targets and concurrency == 16
    rows = [
        Row(f"{key}.rate", f"{label}, {concurrency} at once",
            result.rate, "/s", p95=None,
            ceiling=(healthz_rate / (per_submission + 1)) if healthz_rate else None,
            ceiling_label="healthz-equivalent",
            target=f">= {RATE_TARGET[ctx.world.kind]:.0f} /s" if judged else "",
            met=(result.rate >= RATE_TARGET[ctx.world.kind]) if judged else None,
            note=f"{per_submission:.0f} requests each (+1 reopen); server {server_rate:.0f} req/s; "
                 f"worker CPU {submit_cpu_ms:.0f} ms/submission" + (
                     f" = {submit_cpu_ms / per_submission / healthz_cpu:.1f}x healthz per request"
                     if healthz_cpu else "") + f"; load generator {cpu.client / cpu.wall:.0%} of a core"),
        Row(f"{key}.latency", f"  submission latency, {concurrency} at once", summary.median * 1000, "ms",
            p95=summary.p95 * 1000,
            target=f"p95 < {P95_TARGET_MS:.0f} ms" if judged else "",
            met=(summary.p95 * 1000 < P95_TARGET_MS) if judged else None,
            note=f"n={result.ok}, stopped by {result.stopped_by}; per request p50 "
                 f"{request_summary.median * 1000:.1f} ms, p95 {request_summary.p95 * 1000:.1f} ms; "
                 f"most time in {slowest}"),
    ]
    return rows

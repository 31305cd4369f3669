"""Read pages: the city report, the regional dashboard, and what each main page weighs.

Latency is timed at the client over loopback from the first byte sent to the last byte
read, one request at a time, so it is the server's time plus a fraction of a millisecond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from bench.client import Client, css_urls, parse_page
from bench.loop import bounded_loop
from bench.report import Row
from bench.server import CpuMeter
from bench.stats import summarise
from bench.world import Account

if TYPE_CHECKING:
    from bench.runner import Context

DASHBOARD_TARGET_MS = 200.0
QUESTIONNAIRE_PAGE_KB = 60.0
REPORT_PAGE_KB = 600.0


def sign_in(client: Client, account: Account) -> None:
    """Sign in through the sign-in page, as a browser does."""
    page = client.get("/sign-in")
    form = parse_page(page.text).form(having="password")
    fields = [(k, v) for k, v in form.defaults() if k not in ("email", "password")]
    fields += [("email", account.email), ("password", account.password)]
    response = client.post(form.action or "/sign-in", fields, expect=(302, 303))
    if "/sign-in" in (response.location or ""):
        raise RuntimeError(f"sign-in refused for {account.email}")


def signed_in(ctx: Context, account: Account, **kwargs: object) -> Client:
    client = ctx.server.client(**kwargs)
    sign_in(client, account)
    return client


def timed_gets(ctx: Context, client: Client, url: str, key: str, label: str, *, count: int,
               seconds: float, target_ms: float | None = None) -> Row:
    """GET ``url`` repeatedly (one at a time) after one untimed warm-up request."""
    first = client.get(url)
    if b"This page is being prepared" in first.body:
        raise LookupError(f"{url} is not built yet")

    def task(_worker: int, _iteration: int) -> None:
        client.get(url)

    with CpuMeter(ctx.server.worker_pids()) as cpu:
        result = bounded_loop(task, count=count, seconds=seconds)
    if not result.samples:
        raise RuntimeError(f"{url}: {result.errors[:1]}")
    summary = summarise(result.samples)
    cpu_ms = cpu.workers / result.ok * 1000
    ctx.raw[key] = {"url": url, "latency_ms": summary.as_dict(), "errors": result.errors[:3],
                    "stopped_by": result.stopped_by, "worker_cpu_ms": round(cpu_ms, 2),
                    "html_bytes": len(first.body), "wire_bytes": first.wire_body}
    healthz = ctx.ceilings.get("healthz.c1.p50_ms")
    met = None if target_ms is None else summary.median * 1000 < target_ms
    return Row(key, label, summary.median * 1000, "ms", p95=summary.p95 * 1000, ceiling=healthz,
               ceiling_label="healthz" if healthz else "",
               target=f"< {target_ms:.0f} ms" if target_ms else "", met=met,
               note=f"n={result.ok}; worker CPU {cpu_ms:.1f} ms/req; HTML {len(first.body) / 1000:.0f} kB")


def scenario_report(ctx: Context) -> list[Row]:
    world = ctx.world
    if world.report_assessment is None:
        raise LookupError("no submitted assessment to report on")
    official = world.accounts_with("official")[0]
    client = signed_in(ctx, official)
    try:
        url = f"/assessments/{world.report_assessment}/report"
        return [timed_gets(ctx, client, url, "report.p50",
                           f"city report ({world.rounds} rounds of history, region of {world.region_cities})",
                           count=ctx.plan.report.count, seconds=ctx.plan.report.seconds)]
    finally:
        client.close()


def dashboard_url(ctx: Context) -> str:
    world = ctx.world
    return f"/dashboard?region={world.first_region_id}&round={world.last_round_id}"


def scenario_dashboard(ctx: Context) -> list[Row]:
    world = ctx.world
    client = signed_in(ctx, world.accounts_with("regional")[0])
    try:
        return [timed_gets(ctx, client, dashboard_url(ctx), "dashboard.p50",
                           f"regional dashboard ({world.region_cities} cities x {world.rounds} rounds)",
                           count=ctx.plan.dashboard.count, seconds=ctx.plan.dashboard.seconds,
                           target_ms=DASHBOARD_TARGET_MS)]
    finally:
        client.close()


def scenario_opendata(ctx: Context) -> list[Row]:
    """The public open data page of the latest round, without signing in."""
    world = ctx.world
    client = ctx.server.client()
    try:
        return [timed_gets(ctx, client, "/open-data", "opendata.p50",
                           f"public open data page ({world.rounds} rounds, every city but one in "
                           "five published)", count=ctx.plan.dashboard.count,
                           seconds=ctx.plan.dashboard.seconds, target_ms=DASHBOARD_TARGET_MS)]
    finally:
        client.close()


# --- page weight -------------------------------------------------------------------------


def page_weight(client: Client, url: str) -> dict[str, object]:
    """A first visit: the page and every stylesheet, script, icon, image and font it references,
    fetched with ``Accept-Encoding: gzip`` and an empty cache. Bytes include response headers."""
    page = client.get(url)
    if b"This page is being prepared" in page.body:
        raise LookupError(f"{url} is not built yet")
    if "/elements/" in url and not any(
        f.name.startswith("q_") and "disabled" not in f.attrs
        for form in parse_page(page.text).forms for f in form.fields
    ):
        raise RuntimeError(f"{url} is read-only; the editable questionnaire page was expected")
    items = [{"url": url, "bytes": page.wire_headers + page.wire_body, "body": page.wire_body,
              "encoding": page.headers.get("content-encoding", "")}]
    queue = [urljoin(page.path, a) for a in parse_page(page.text).assets]
    seen = {page.path}
    while queue:
        asset = queue.pop(0)
        if asset in seen:
            continue
        seen.add(asset)
        response = client.get(asset, expect=None)
        items.append({"url": asset, "bytes": response.wire_headers + response.wire_body,
                      "body": response.wire_body, "status": response.status,
                      "encoding": response.headers.get("content-encoding", "")})
        if "css" in response.headers.get("content-type", ""):
            queue.extend(urljoin(asset, ref) for ref in css_urls(response.text))
    return {"requests": len(items), "bytes": sum(int(i["bytes"]) for i in items),  # type: ignore[call-overload]
            "items": items}


def make_editable(ctx: Context, assessment_url: str) -> None:
    """Reopen the assessment (as the regional office) if it is submitted."""
    client = signed_in(ctx, ctx.world.accounts_with("regional")[0])
    try:
        page = client.get(f"{assessment_url}/reopen", expect=(200, 302, 303))
        if page.status != 200:
            return  # not submitted: already editable
        form = parse_page(page.text).form(action_contains="/reopen")
        fields = [(k, v) for k, v in form.defaults() if k != "reason"]
        client.post(form.action, [*fields, ("reason", "Benchmark: weigh the editable page.")],
                    expect=(302, 303))
    finally:
        client.close()


def weight_row(ctx: Context, key: str, label: str, client: Client, url: str,
               limit_kb: float | None = None) -> Row:
    weight = page_weight(client, url)
    ctx.raw[key] = weight
    kb = int(weight["bytes"]) / 1000  # type: ignore[call-overload]
    biggest = max(weight["items"], key=lambda i: i["bytes"])  # type: ignore[arg-type]
    return Row(key, label, kb, "kB", target=f"<= {limit_kb:.0f} kB" if limit_kb else "",
               met=None if limit_kb is None else kb <= limit_kb,
               note=f"{weight['requests']} requests; largest {biggest['url'].split('?')[0]} "
                    f"{biggest['bytes'] / 1000:.0f} kB")


def scenario_weight(ctx: Context) -> list[Row]:
    world = ctx.world
    rows = []
    anonymous = ctx.server.client()
    rows.append(weight_row(ctx, "weight.sign_in", "sign-in page, first visit", anonymous, "/sign-in"))
    anonymous.close()
    official = world.accounts_with("official")[0]
    if world.questionnaire_url and world.element_url:
        # The editable page (with its script), not the read-only one of a submitted assessment.
        make_editable(ctx, world.questionnaire_url.rsplit("/answers", 1)[0])
        client = signed_in(ctx, official)
        rows.append(weight_row(ctx, "weight.questionnaire", "questionnaire page (every question), "
                               "first visit", client, world.questionnaire_url, QUESTIONNAIRE_PAGE_KB))
        client.close()
        client = signed_in(ctx, official)
        rows.append(weight_row(ctx, "weight.element", "  one element's page, first visit", client,
                               world.element_url, QUESTIONNAIRE_PAGE_KB))
        client.close()
    else:
        rows.append(Row("weight.questionnaire", "questionnaire page, first visit", None, "kB",
                        note="not measured: the submit scenario opens the assessment it needs"))
    if world.report_assessment is not None:
        client = signed_in(ctx, official)
        rows.append(weight_row(ctx, "weight.report", "report page with radar chart, first visit", client,
                               f"/assessments/{world.report_assessment}/report", REPORT_PAGE_KB))
        client.close()
    client = signed_in(ctx, world.accounts_with("regional")[0])
    rows.append(weight_row(ctx, "weight.dashboard", "regional dashboard, first visit", client,
                           dashboard_url(ctx)))
    client.close()
    return rows

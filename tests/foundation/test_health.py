def test_healthz_reports_database_disk_and_questionnaire(client, questionnaire) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok" and body["database"] == "ok" and body["disk"] == "ok"
    assert body["questionnaire_version"] == questionnaire.version
    assert body["disk_free_mb"] > 0


def test_healthz_is_503_when_free_space_is_below_the_setting(app, client) -> None:
    free = client.get("/healthz").json["disk_free_mb"]
    previous = app.config["HEALTH_MIN_FREE_MB"]
    app.config["HEALTH_MIN_FREE_MB"] = free + 10_000
    try:
        response = client.get("/healthz")
    finally:
        app.config["HEALTH_MIN_FREE_MB"] = previous
    assert response.status_code == 503 and response.json["disk"] == "full"


# An unreachable, locked, full or read-only database: see test_database_failures.py.


def test_pages_carry_security_headers(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert script_src.strip() == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_are_fingerprinted_and_cached_for_a_year(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "/static/css/app.css?v=" in page
    href = page.split('href="/static/css/app.css?v=')[1].split('"')[0]
    with client.get(f"/static/css/app.css?v={href}") as response:
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_unknown_page_is_a_friendly_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Back to the start page" in response.get_data(as_text=True)


def test_errors_under_the_api_are_json_even_for_unknown_paths(client) -> None:
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.is_json and response.json["error"] == "Not Found"


def test_small_static_text_files_are_gzipped_when_the_browser_accepts_it(client) -> None:
    import gzip
    from pathlib import Path

    original = (Path(__file__).parents[2] / "static" / "css" / "app.css").read_bytes()
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br"}) as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["Vary"]
        body = zipped.get_data()
    assert len(body) < len(original) / 2
    assert gzip.decompress(body) == original
    with client.get("/static/css/app.css") as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.get_data() == original

"""The plotly.js bundle and how static files with a precompressed sibling are served."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from assessment.assets import precompressed_path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "vendor" / "plotly-custom.min.js"
BUNDLE_URL = "/static/vendor/plotly-custom.min.js"


def test_bundle_holds_exactly_the_traces_the_app_draws():
    code = BUNDLE.read_text()
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', code))
    # scatter is part of plotly.js core and cannot be left out.
    assert registered == {"scatter", "scatterpolar", "bar", "heatmap", "box"}
    for trace in ("scatterpolar", "bar", "heatmap", "box"):
        assert f'"{trace}"' in code
    assert code.startswith("/*! plotly.js v")


def test_bundle_gzip_sibling_is_the_same_file():
    assert gzip.decompress((BUNDLE.parent / (BUNDLE.name + ".gz")).read_bytes()) == BUNDLE.read_bytes()


def test_build_script_and_lockfile_are_committed_without_node_modules():
    frontend = ROOT / "frontend"
    script = (frontend / "build-plotly.mjs").read_text()
    assert 'TRACES = ["scatterpolar", "bar", "heatmap", "box"]' in script
    lock = (frontend / "package-lock.json").read_text()
    assert '"node_modules/plotly.js"' in lock and '"node_modules/esbuild"' in lock
    assert "node_modules/" in (ROOT / ".gitignore").read_text().split()


def test_gzip_sibling_served_to_clients_that_accept_gzip(client):
    with client.get(BUNDLE_URL, headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        body = response.get_data()
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.mimetype == "text/javascript"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(body)
        assert "Content-Disposition" not in response.headers
        assert gzip.decompress(body) == BUNDLE.read_bytes()


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0, deflate", "br"])
def test_plain_file_served_otherwise(client, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    with client.get(BUNDLE_URL, headers=headers) as response:
        body = response.get_data()
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(body) == BUNDLE.stat().st_size


def test_fingerprinted_bundle_is_cached_for_a_year(client):
    with client.get(f"{BUNDLE_URL}?v=abc", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.immutable and response.cache_control.public


def test_revalidation_of_the_gzip_copy(client):
    gzip_ok = {"Accept-Encoding": "gzip"}
    with client.get(BUNDLE_URL, headers=gzip_ok) as first:
        etag = first.headers["ETag"]
    with client.get(BUNDLE_URL, headers={**gzip_ok, "If-None-Match": etag}) as again:
        assert again.status_code == 304
    with client.get(BUNDLE_URL, headers={"If-None-Match": etag}) as plain:
        assert plain.status_code == 200  # the plain copy is a different representation


def test_small_scripts_without_a_sibling_are_compressed_in_memory(client):
    with client.get("/static/js/charts.js", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert b"data-figure" in gzip.decompress(response.get_data())
    with client.get("/static/js/charts.js") as response:
        assert "Content-Encoding" not in response.headers
        assert b"data-figure" in response.get_data()


def test_sibling_lookup(tmp_path):
    (tmp_path / "app.js").write_bytes(b"x" * 1000)
    (tmp_path / "app.js.gz").write_bytes(gzip.compress(b"x" * 1000))
    (tmp_path / "stale.js").write_bytes(b"edited after the build")
    (tmp_path / "stale.js.gz").write_bytes(gzip.compress(b"built"))
    (tmp_path / "alone.js").write_bytes(b"y")
    folder = str(tmp_path)

    assert precompressed_path(folder, "app.js") == str(tmp_path / "app.js.gz")
    assert precompressed_path(folder, "alone.js") is None
    assert precompressed_path(folder, "app.js.gz") is None
    # A file changed without rebuilding its sibling is sent as it is now.
    assert precompressed_path(folder, "stale.js") is None
    assert precompressed_path(folder, "../app.js") is None

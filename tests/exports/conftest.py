from __future__ import annotations

import pytest

from tests.conftest import ExportWorld, build_export_world


@pytest.fixture()
def world(make) -> ExportWorld:  # type: ignore[no-untyped-def]
    return build_export_world(make)


@pytest.fixture()
def download(client):  # type: ignore[no-untyped-def]
    """Download an export through the web page's link; returns (response headers, body bytes)."""

    def get(**params: str) -> tuple[dict[str, str], bytes]:
        with client.get("/exports/download", query_string=params) as response:
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            return dict(response.headers), response.get_data()

    return get



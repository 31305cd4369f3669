from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.exports.world import World, build_world


@pytest.fixture()
def world(make) -> World:  # type: ignore[no-untyped-def]
    return build_world(make)


@pytest.fixture()
def download(client):  # type: ignore[no-untyped-def]
    """Download an export through the web page's link; returns (response headers, body bytes)."""

    def get(**params: str) -> tuple[dict[str, str], bytes]:
        with client.get("/exports/download", query_string=params) as response:
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            return dict(response.headers), response.get_data()

    return get


def read(fmt: str, body: bytes, **kwargs) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A downloaded table as pandas reads it."""
    if fmt == "csv":
        # Round names and version labels look like numbers ("2025", "2026.1"): read them as text.
        kwargs.setdefault("dtype", {"round": str, "questionnaire_version": str})
        return pd.read_csv(io.BytesIO(body), keep_default_na=False, na_values=[""], **kwargs)
    if fmt == "xlsx":
        return pd.read_excel(io.BytesIO(body), **kwargs)
    if fmt == "parquet":
        return pd.read_parquet(io.BytesIO(body), **kwargs)
    return pd.read_json(io.BytesIO(body), dtype=False, **kwargs)

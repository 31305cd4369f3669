"""The benchmark's synthetic world publishes four cities in five, so the public page is
measured with most of the cities on it (``make bench``, scenario ``opendata``)."""

from __future__ import annotations

from sqlalchemy import func, select

from assessment.demo.seed import seed_synthetic
from assessment.opendata.models import OpenDataConsent
from tests.results.conftest import text_of


def test_four_cities_in_five_publish_every_round(client, db_session, questionnaire) -> None:
    seed_synthetic(db_session, questionnaire, cities=10, rounds=2)
    assert db_session.scalar(select(func.count()).select_from(OpenDataConsent)) == 16
    text = text_of(client.get("/open-data").get_data(as_text=True))
    assert "8 cities published their scores for Synthetic 2017." in text
    assert "City 00001" not in text and "City 00006" not in text and "City 00002" in text


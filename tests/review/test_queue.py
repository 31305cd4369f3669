"""The reviewer's queue: assessments waiting for review, oldest submission first, with their open
queries and evidence coverage; only the reviewer's own."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from assessment.auth.models import Role


def test_oldest_first_with_counts(client, login, make, db_session, questionnaire) -> None:
    region = make.region("Africa")
    office = make.user(Role.REGIONAL, region=region)
    round_ = make.round(name="2026")
    older = make.assessment(city=make.city(name="Accra", region=region), round=round_,
                            updated_at=datetime(2026, 3, 2, tzinfo=UTC))
    newer = make.assessment(city=make.city(name="Bamako", region=region), round=round_,
                            updated_at=datetime(2026, 3, 5, tzinfo=UTC))
    draft = make.assessment(city=make.city(name="Cotonou", region=region), round=round_)
    far = make.assessment(city=make.city(name="Dhaka", region=make.region("Asia")), round=round_,
                          updated_at=datetime(2026, 3, 1, tzinfo=UTC))
    for assessment in (newer, older, far):
        make.answer(assessment, 2.0, submit=True)
    make.answer(draft, 2.0)
    login(office)
    question = questionnaire.scored_questions[0].id
    client.post(f"/assessments/{newer.id}/review/answers/{question}",
                data={"kind": "query", "comment": "Source?"})
    page = client.get("/review").text
    assert "Cotonou" not in page and "Dhaka" not in page
    assert page.index("Accra") < page.index("Bamako")
    bamako = page[page.index("Bamako"):]
    cells = re.findall(r"<td>([^<]*)</td>", bamako)
    # Round, status, submitted, open queries, replies to read, evidence coverage, documents.
    assert cells[1] == "In review" and cells[3] == "1" and cells[4] == "0"
    assert cells[5].endswith("%")


def test_officials_have_no_queue(client, login, world) -> None:
    login(world.official)
    assert client.get("/review").status_code in (403, 404)

"""The overview's recent history: a person's saves close together are one entry naming the elements."""

from __future__ import annotations

import re
from datetime import timedelta

from assessment.audit import services as audit_trail
from assessment.database import utcnow


def history(page: str) -> list[str]:
    section = page[page.index('id="history-title"'):]
    items = re.findall(r"<li>(.*?)</li>", section.split("</ol>")[0], re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def test_autosaves_by_one_person_are_grouped_with_their_elements(client, login, world, db_session,
                                                                 questionnaire) -> None:
    first, second = questionnaire.elements[0], questionnaire.elements[1]
    q1, q2 = first.questions[0].id, first.questions[1].id
    q3 = second.questions[0].id
    now = utcnow()
    aline, jean = world.official, world.colleague

    def save(user, minutes_ago, *questions, element=None):
        detail = {"questions": list(questions), "autosave": True}
        if element:
            detail["element"] = element
        audit_trail.record(db_session, "save", user, assessment_id=world.assessment.id,
                           at=now - timedelta(minutes=minutes_ago), **detail)

    save(aline, 180, q1)  # long before: an entry of its own
    save(jean, 100, q3, element=second.id)
    save(aline, 12, q1, element=first.id)  # from an element page
    save(aline, 8, q2)  # from the page with every question: no element in the detail
    save(aline, 7, q1)  # the same answer again
    save(aline, 1, q3)
    login(aline)
    rows = history(client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True))
    assert len(rows) == 3, rows
    newest, colleague, oldest = rows
    assert f"{aline.email} saved 3 answers in “{first.title}” and “{second.title}”" in newest
    assert f"{jean.email} saved 1 answer in “{second.title}”" in colleague
    assert f"{aline.email} saved 1 answer in “{first.title}”" in oldest
    assert "UTC" in newest

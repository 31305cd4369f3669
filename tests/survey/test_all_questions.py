"""Every question on one page: what is shown, saving, conflicts, expiry, submitting, access, autosave."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from itertools import pairwise

import pytest
import yaml
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from assessment.assessments import answers, progress, services
from assessment.assessments.models import Assessment, AssessmentStatus, ElementScore
from assessment.audit.models import AuditEvent
from assessment.auth.models import AuthSession, Role
from assessment.database import utcnow
from assessment.questionnaire import Question, Questionnaire, QuestionType, parse_questionnaire
from assessment.survey import forms
from tests.conftest import TEST_PASSWORD, first_of
from tests.forms import element_url, form_fields, load_form, set_answer

CHOICES = ("radio", "checkbox")
NOTE = "Figures from the 2025 budget, checked with the finance office"


def answers_url(assessment) -> str:
    return f"/assessments/{assessment.id}/answers"


def autosave_url(assessment) -> str:
    return answers_url(assessment) + "/autosave"


def load_all(client, assessment) -> tuple[str, MultiDict[str, str]]:
    """GET the one-page form; its HTML and what it would post unchanged."""
    response = client.get(answers_url(assessment))
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return page, form_fields(page, answers_url(assessment))


def stored(db_session, assessment):
    return services.load_answers(db_session, assessment.id)


def status_in_db(db_session, assessment) -> AssessmentStatus:
    """Read from the table, not from the (possibly stale) object in the session."""
    return db_session.scalar(select(Assessment.status).where(Assessment.id == assessment.id))


def submissions(db_session, assessment) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.assessment_id == assessment.id, AuditEvent.action == "submit"))


def element_scores(db_session, assessment) -> dict[str, float | None]:
    return {row.element_id: row.score for row in db_session.scalars(
        select(ElementScore).where(ElementScore.assessment_id == assessment.id))}


def planned_answer(question: Question) -> str | list[str]:
    """A valid answer from the middle of what each question accepts."""
    if question.type is QuestionType.MATURITY:
        return "3"
    if question.type is QuestionType.YES_NO:
        return "yes"
    options = [o.key for o in question.options if not o.exclusive]
    if question.type is QuestionType.SINGLE_CHOICE:
        return options[len(options) // 2]
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return options[:2]
    if question.type is QuestionType.NUMBER:
        low = question.min_value or 0
        high = question.max_value if question.max_value is not None else low + 100
        return str(int((low + high) / 2))
    return f"https://example.org/evidence/{question.id}"


def give(data: MultiDict[str, str], question: Question, value: str | list[str]) -> None:
    """Answer one question in posted data, unticking "don't know"/"not applicable"."""
    data.poplist(f"dk_{question.id}")
    data.poplist(f"na_{question.id}")
    if question.type is QuestionType.EVIDENCE:
        data[f"url_{question.id}"] = str(value)
    else:
        set_answer(data, question, value)


def shown(fields: MultiDict[str, str], question: Question) -> str | list[str] | None:
    """What the page shows as the answer to ``question`` (as ``planned_answer`` gives it)."""
    if question.type is QuestionType.EVIDENCE:
        return fields.get(f"url_{question.id}")
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return fields.getlist(question.field_name)
    return fields.get(question.field_name)


def change_one(client, assessment, question: Question) -> tuple[MultiDict[str, str], str]:
    """The one-page form as loaded, with ``question`` (a maturity question) given a new level;
    the posted data and that level."""
    _page, data = load_all(client, assessment)
    new_value = "4" if data.get(question.field_name) != "4" else "0"
    give(data, question, new_value)
    return data, new_value


def one_per_element(questionnaire: Questionnaire) -> list[Question]:
    """The first maturity question of each element."""
    return [next(q for q in e.questions if q.type is QuestionType.MATURITY) for e in questionnaire.elements]


# --- reading the page's structure ----------------------------------------------------------------


class _Structure(HTMLParser):
    """Ids, headings, label targets and ARIA references of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.headings: list[tuple[int, str, str]] = []  # level, id, text
        self.references: list[str] = []  # ids that labels and aria-* point at
        self.names: list[str] = []  # names of the inputs that are not radios or checkboxes
        self._heading: tuple[int, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.references.append(attrs["for"])
        for name in ("aria-describedby", "aria-labelledby"):
            self.references.extend(attrs.get(name, "").split())
        if tag in ("input", "textarea") and attrs.get("name") and attrs.get("type") not in CHOICES:
            self.names.append(attrs["name"])
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = (int(tag[1]), attrs.get("id", "")), []

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading[0]}":
            level, id_ = self._heading
            self.headings.append((level, id_, " ".join("".join(self._text).split())))
            self._heading = None


def structure(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    return parser


def check_lists_every_question_once(page: str, questionnaire: Questionnaire) -> None:
    found = structure(page)
    repeated = [id_ for id_, count in Counter(found.ids).items() if count > 1]
    assert not repeated, f"ids used more than once: {repeated[:10]}"
    dangling = sorted(set(found.references) - set(found.ids))
    assert not dangling, f"labels or aria attributes point at missing ids: {dangling[:10]}"
    names = Counter(found.names)
    for question in questionnaire.questions:
        qid = question.id
        assert page.count(f'id="q-{qid}"') == 1, qid
        for prefix in ("url_", "note_", "rev_", "was_"):
            assert names[prefix + qid] == 1, prefix + qid
        if question.type is QuestionType.NUMBER:
            assert names[question.field_name] == 1, qid
    question_ids = {f"q-{q.id}" for q in questionnaire.questions}
    assert len([i for i in found.ids if i.startswith("q-") and i in question_ids]) == len(question_ids)

    # One h1; one h2 per element, in order; each question an h3 under its element's h2.
    headings = found.headings
    assert [h for h in headings if h[0] == 1] == [(1, "", "All questions")]
    levels = [level for level, _id, _text in headings]
    assert all(b <= a + 1 for a, b in pairwise(levels)), f"a level is skipped: {levels}"
    element_titles = [f"{n}. {e.title}" for n, e in enumerate(questionnaire.elements, 1)]
    section_heads = [text for level, id_, text in headings if level == 2 and id_.startswith("element-")]
    assert section_heads == element_titles
    under: dict[str, list[str]] = {}
    current = None
    for level, id_, _text in headings:
        if level == 2:
            is_element = id_.startswith("element-")
            current = id_.removeprefix("element-").removesuffix("-title") if is_element else None
        elif level == 3 and id_.startswith("q-"):
            assert current is not None, f"{id_} is not under an element heading"
            under.setdefault(current, []).append(id_.removeprefix("q-").removesuffix("-title"))
    assert under == {e.id: [q.id for q in e.questions] for e in questionnaire.elements}
    question_headings = [(level, text) for level, id_, text in headings if id_.startswith("q-")]
    assert len(question_headings) == len(questionnaire.questions)
    for (level, text), question in zip(question_headings, questionnaire.questions, strict=True):
        assert level == 3 and " ".join(str(question.text).split()) in text, (question.id, text)

    # A contents list that leads to each element's section.
    for element in questionnaire.elements:
        assert page.count(f'href="#element-{element.id}"') >= 1
        assert f"element-{element.id}" in found.ids


# --- what the page shows ---------------------------------------------------------------------------


def test_the_page_lists_every_question_once_under_its_element(client, login, world, make, db_session,
                                                            questionnaire) -> None:
    make.answer(world.assessment, 2.0, fill=0.5, seed=7)
    login(world.official)
    page, fields = load_all(client, world.assessment)
    check_lists_every_question_once(page, questionnaire)
    assert f"The {len(questionnaire.questions)} questions of the six elements" in page

    # The overall completeness and each element's count, as the overview computes them.
    rows = stored(db_session, world.assessment)
    state = progress.progress(questionnaire, rows)
    assert 0 < state.percent < 100
    assert f"Completeness: {state.percent}%" in page
    assert f'<progress id="overall-progress" max="100" value="{state.percent}">' in page
    for element in state.elements:
        contents = page[page.index(f'href="#element-{element.element.id}"'):][:400]
        assert f"{element.answered} of {element.total}" in contents

    # Every stored answer is shown as stored, with its revision.
    for question in questionnaire.questions:
        for name, value in forms.answer_data(question, rows.get(question.id)).items():
            if isinstance(value, bool):
                assert (name in fields) is value, name
            elif isinstance(value, list):
                assert fields.getlist(name) == value, name
            elif value is None:
                assert name not in fields, name
            else:
                assert fields.get(name) == value, name

    # Autosave, the page's buttons and the submission box, unticked.
    assert f'data-autosave-url="{autosave_url(world.assessment)}"' in page
    assert 'id="save-status" role="status" aria-live="polite"' in page and "js/survey.js" in page
    for go, label in (("save", "Save draft"), ("overview", "Save and return to the overview"),
                      ("submit", "Save and submit")):
        assert re.search(rf'<button[^>]*name="go" value="{go}"[^>]*>{label}</button>', page), go
    [confirm] = re.findall(r'<input[^>]*name="confirm"[^>]*>', page)
    assert 'type="checkbox"' in confirm and "checked" not in confirm and "confirm" not in fields
    assert "I confirm" in page
    assert page.index('name="confirm"') > max(page.index(f'id="q-{q.id}"') for q in questionnaire.questions)


def test_the_page_follows_the_assessments_questionnaire_version(client, login, make, world,
                                                                questionnaire) -> None:
    data = yaml.safe_load(questionnaire.source_text)
    data["version"] = "2024.1"
    dropped = data["elements"][0]["questions"].pop()
    data["elements"][0]["questions"][0]["text"] = "How did the city reach out to civic technologists then?"
    older = parse_questionnaire(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), source="older")
    assessment = make.assessment(city=world.city, round=make.round(name="2024", questionnaire=older))
    login(world.official)
    page, _fields = load_all(client, assessment)
    check_lists_every_question_once(page, older)
    assert f'id="q-{dropped["id"]}"' not in page and f'name="rev_{dropped["id"]}"' not in page
    assert "How did the city reach out to civic technologists then?" in page
    assert str(questionnaire.questions[0].text) not in page
    assert f"The {len(older.questions)} questions" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, world) -> None:
    response = client.get(answers_url(world.assessment))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_overview_links_to_the_page(client, login, make, world) -> None:
    login(world.official)
    overview = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert re.search(rf'href="{answers_url(world.assessment)}">All questions on one page</a>', overview)
    make.answer(world.assessment, 2.0, submit=True)
    overview = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert re.search(rf'href="{answers_url(world.assessment)}">All answers on one page</a>', overview)
    assert "All questions on one page" not in overview


# --- saving -----------------------------------------------------------------------------------------


def test_saving_stores_answers_from_every_element_and_comes_back(client, login, world, db_session,
                                                                 questionnaire) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    chosen = one_per_element(questionnaire)
    for level, question in enumerate(chosen):
        give(data, question, str(level % 5))
    evidence = first_of(questionnaire, QuestionType.EVIDENCE)
    data[f"url_{evidence.id}"] = "https://kigali.example.org/open-data-plan.pdf"
    data[f"note_{chosen[2].id}"] = NOTE
    data["go"] = "save"
    response = client.post(answers_url(world.assessment), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(answers_url(world.assessment))

    rows = stored(db_session, world.assessment)
    assert set(rows) == {q.id for q in chosen} | {evidence.id}  # untouched questions are not written
    for level, question in enumerate(chosen):
        row = rows[question.id]
        assert (row.value, row.score, row.revision) == (str(level % 5), float(level % 5), 1)
        assert row.updated_by_id == world.official.id
    assert rows[chosen[2].id].note == NOTE
    assert rows[evidence.id].evidence_url == "https://kigali.example.org/open-data-plan.pdf"
    assert world.assessment.updated_by_id == world.official.id and world.assessment.completeness > 0
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "save",
                                                          AuditEvent.assessment_id == world.assessment.id))
    assert event.detail["questions"] == sorted({q.id for q in chosen} | {evidence.id})
    assert event.detail["autosave"] is False and "element" not in event.detail
    assert status_in_db(db_session, world.assessment) == AssessmentStatus.DRAFT

    page, fields = load_all(client, world.assessment)
    assert "Saved at" in page
    for level, question in enumerate(chosen):
        assert fields[question.field_name] == str(level % 5) and fields[f"rev_{question.id}"] == "1"
    # Saving the page again unchanged writes nothing and is no conflict.
    fields["go"] = "save"
    again = client.post(answers_url(world.assessment), data=fields)
    assert again.status_code == 302
    assert "Nothing had changed" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert {row.revision for row in stored(db_session, world.assessment).values()} == {1}


def test_save_and_return_to_the_overview(client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    question = questionnaire.elements[-1].questions[0]
    give(data, question, planned_answer(question))
    data["go"] = "overview"
    response = client.post(answers_url(world.assessment), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{world.assessment.id}")
    assert question.id in stored(db_session, world.assessment)


def test_validation_errors_keep_everything_typed_and_save_the_valid_answers(
        client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    number = next(q for q in questionnaire.questions if q.type is QuestionType.NUMBER
                  and q.min_value is not None)
    linked = next(q for q in questionnaire.elements[-1].questions if q.type is QuestionType.MATURITY)
    good = [q for q in one_per_element(questionnaire) if q.id != linked.id]
    for question in good:
        give(data, question, "2")
    give(data, number, "-40")
    data[f"note_{number.id}"] = NOTE
    give(data, linked, "4")
    data[f"url_{linked.id}"] = "not a link"
    data["go"] = "save"
    response = client.post(answers_url(world.assessment), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a number of at least" in page and "Enter a full web address" in page
    assert "need correcting" in page and f"{len(good)} answers were saved." in page
    for wrong in (number, linked):  # the summary links to each question to correct
        assert f'href="#q-{wrong.id}"' in page
    assert 'aria-invalid="true"' in page

    # Every field shows what was posted; only the saved answers' revisions moved on.
    kept = form_fields(page, answers_url(world.assessment))
    # The CSRF token is signed with the time to the second: a page rendered a second later has
    # a new (equally valid) one.
    for name in set(data) - {"go", "csrf_token"}:
        if name.startswith(("rev_", "was_")) and name[4:] in {q.id for q in good}:
            continue
        assert kept.getlist(name) == data.getlist(name), name
    assert {kept[f"rev_{q.id}"] for q in good} == {"1"}

    rows = stored(db_session, world.assessment)
    assert set(rows) == {q.id for q in good}
    assert {rows[q.id].value for q in good} == {"2"}

    # Correcting both and saving again stores them, without a conflict for the saved ones.
    give(kept, number, str(int(number.min_value)))
    kept[f"url_{linked.id}"] = "https://kigali.example.org/plan"
    kept["go"] = "save"
    assert client.post(answers_url(world.assessment), data=kept).status_code == 302
    rows = stored(db_session, world.assessment)
    assert rows[number.id].note == NOTE and rows[linked.id].value == "4"
    assert rows[linked.id].evidence_url == "https://kigali.example.org/plan"
    assert {rows[q.id].revision for q in good} == {1}


def test_a_colleagues_change_is_shown_as_a_conflict_and_nothing_is_overwritten(
        client, second_client, login_on, world, db_session, questionnaire) -> None:
    login_on(client, world.official)
    login_on(second_client, world.colleague)
    clash, theirs_only, mine_only = one_per_element(questionnaire)[:3]
    _page, aline = load_all(client, world.assessment)
    _page, jean = load_all(second_client, world.assessment)

    give(aline, clash, "1")
    give(aline, theirs_only, "2")
    aline["go"] = "save"
    assert client.post(answers_url(world.assessment), data=aline).status_code == 302

    give(jean, clash, "4")
    give(jean, mine_only, "3")
    jean["go"] = "save"
    response = second_client.post(answers_url(world.assessment), data=jean)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "changed by a colleague while you edited it" in page and f'href="#q-{clash.id}"' in page
    section = page[page.index(f'id="q-{clash.id}"'):]
    conflict = section[section.index('class="conflict"'):]
    conflict = conflict[:conflict.index("</fieldset>")]
    assert f"1 · {clash.level(1).label}" in conflict and f"4 · {clash.level(4).label}" in conflict
    assert world.official.email in conflict and "UTC" in conflict
    assert 'name="resolve_' + clash.id + '"' in conflict

    rows = stored(db_session, world.assessment)
    assert (rows[clash.id].value, rows[clash.id].updated_by_id) == ("1", world.official.id)
    assert (rows[theirs_only.id].value, rows[theirs_only.id].updated_by_id) == ("2", world.official.id)
    assert (rows[mine_only.id].value, rows[mine_only.id].updated_by_id) == ("3", world.colleague.id)

    # Jean's choice is still on the page; Aline's untouched answer is shown as she saved it.
    shown_now = form_fields(page, answers_url(world.assessment))
    assert shown_now[clash.field_name] == "4" and shown_now[theirs_only.field_name] == "2"
    # Saving again without choosing still asks; choosing "mine" saves it knowingly.
    shown_now["go"] = "save"
    again = second_client.post(answers_url(world.assessment), data=shown_now).get_data(as_text=True)
    assert 'class="conflict"' in again and stored(db_session, world.assessment)[clash.id].value == "1"
    resolved = form_fields(again, answers_url(world.assessment))
    resolved[f"resolve_{clash.id}"] = "mine"
    resolved["go"] = "save"
    assert second_client.post(answers_url(world.assessment), data=resolved).status_code == 302
    rows = stored(db_session, world.assessment)
    assert (rows[clash.id].value, rows[clash.id].updated_by_id) == ("4", world.colleague.id)
    assert rows[theirs_only.id].value == "2"


# --- saving and submitting --------------------------------------------------------------------------


@pytest.fixture()
def ready(make, db_session, world, questionnaire):
    """Every question of the world's assessment is answered: it may be submitted."""
    make.answer(world.assessment, 2.0, fill=1.0, user=world.official)
    assert progress.progress(questionnaire, stored(db_session, world.assessment)).ready
    return world.assessment


def test_filling_in_every_question_and_submitting_takes_one_post(client, login, world, db_session,
                                                                 questionnaire) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    for question in questionnaire.questions:
        give(data, question, planned_answer(question))
    data["confirm"], data["go"] = "y", "submit"
    response = client.post(answers_url(world.assessment), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{world.assessment.id}/report")

    rows = stored(db_session, world.assessment)
    assert set(rows) == {q.id for q in questionnaire.questions}
    assert status_in_db(db_session, world.assessment) == AssessmentStatus.SUBMITTED
    assessment = world.assessment
    assert assessment.submitted_by_id == world.official.id and assessment.submitted_at is not None
    expected = progress.progress(questionnaire, rows).score
    assert element_scores(db_session, assessment) == pytest.approx(
        {e.element_id: e.score for e in expected.elements})
    assert None not in element_scores(db_session, assessment).values()
    assert assessment.overall_index == pytest.approx(expected.overall)
    assert submissions(db_session, assessment) == 1
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the assessment is submitted" in report

    # The answers page now shows them all, read-only, as they were given.
    page, fields = load_all(client, assessment)
    assert "cannot be changed" in page and "Save and submit" not in page
    for question in questionnaire.questions:
        assert f'id="q-{question.id}"' in page
    assert not [name for name in fields if name.startswith(("q_", "url_", "note_", "dk_", "na_"))]


def test_save_and_submit_with_the_box_ticked_submits_once(client, login, world, ready, db_session,
                                                          questionnaire) -> None:
    login(world.official)
    question = one_per_element(questionnaire)[3]
    data, new_value = change_one(client, ready, question)
    data["confirm"], data["go"] = "y", "submit"
    first = client.post(answers_url(ready), data=data)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/assessments/{ready.id}/report")
    row = stored(db_session, ready)[question.id]
    assert (row.value, row.updated_by_id) == (new_value, world.official.id)
    assert status_in_db(db_session, ready) == AssessmentStatus.SUBMITTED
    scores = element_scores(db_session, ready)
    expected = progress.progress(questionnaire, stored(db_session, ready)).score
    assert scores == pytest.approx({e.element_id: e.score for e in expected.elements})
    submitted_at, revision = ready.submitted_at, row.revision

    # The same POST again (a double click, a resent form) submits nothing more and changes nothing.
    # It leads to the report, saying the assessment is already submitted.
    second = client.post(answers_url(ready), data=data)
    assert second.status_code == 302
    assert second.headers["Location"].endswith(f"/assessments/{ready.id}/report")
    assert "already submitted" in client.get(second.headers["Location"]).get_data(as_text=True)
    # A different answer posted after the submission is refused and kept on the page to copy.
    give(data, question, "1" if new_value != "1" else "2")
    third = client.post(answers_url(ready), data=data)
    assert third.status_code == 200 and "can no longer be changed" in third.get_data(as_text=True)
    assert submissions(db_session, ready) == 1
    assert db_session.scalar(select(Assessment.submitted_at).where(Assessment.id == ready.id)) == submitted_at
    assert stored(db_session, ready)[question.id].revision == revision
    assert element_scores(db_session, ready) == scores


def test_save_and_submit_without_the_box_saves_and_asks_for_it(client, login, world, ready, db_session,
                                                              questionnaire) -> None:
    login(world.official)
    question = one_per_element(questionnaire)[1]
    data, new_value = change_one(client, ready, question)
    data["go"] = "submit"
    response = client.post(answers_url(ready), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert stored(db_session, ready)[question.id].value == new_value  # saved
    assert status_in_db(db_session, ready) == AssessmentStatus.DRAFT and submissions(db_session, ready) == 0
    assert "tick the box at the end of the page" in page

    # The message sits by the box, which is unticked and points at it.
    submit_section = page[page.index('id="submit-title"'):]
    [box] = re.findall(r'<input[^>]*name="confirm"[^>]*>', submit_section)
    assert "checked" not in box and 'aria-invalid="true"' in box
    assert 'aria-describedby="confirm-error"' in box
    # The page opens at the box (focused, so scrolled to, without JavaScript), and the notice
    # at the top links to it.
    assert " autofocus" in box
    assert page.count("autofocus") == 1
    notice = page[page.index('id="page-notice"'):page.index('id="submit-title"')]
    assert 'href="#confirm"' in notice
    error = re.search(r'<p class="error" id="confirm-error">([^<]*)</p>', submit_section)
    assert error and error.group(1) == "Tick the box to confirm the submission."
    assert abs(submit_section.index('id="confirm-error"') - submit_section.index('name="confirm"')) < 400

    # Ticking it now submits; the page carried the new revision, so there is no conflict.
    again = form_fields(page, answers_url(ready))
    assert again[question.field_name] == new_value and "confirm" not in again
    again["confirm"], again["go"] = "y", "submit"
    response = client.post(answers_url(ready), data=again)
    assert response.status_code == 302 and response.headers["Location"].endswith("/report")
    assert status_in_db(db_session, ready) == AssessmentStatus.SUBMITTED
    assert submissions(db_session, ready) == 1


def test_save_and_submit_when_an_element_lacks_answers_saves_only(client, login, world, db_session,
                                                                  questionnaire) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    chosen = one_per_element(questionnaire)
    for question in chosen:
        give(data, question, "3")
    data["confirm"], data["go"] = "y", "submit"
    response = client.post(answers_url(world.assessment), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not submitted yet: some elements do not have enough answers" in page
    assert {row.value for row in stored(db_session, world.assessment).values()} == {"3"}
    assert set(stored(db_session, world.assessment)) == {q.id for q in chosen}
    assert status_in_db(db_session, world.assessment) == AssessmentStatus.DRAFT
    assert submissions(db_session, world.assessment) == 0
    assert element_scores(db_session, world.assessment) == {}
    assert db_session.scalar(select(Assessment.submitted_at).where(
        Assessment.id == world.assessment.id)) is None
    # The summary at the end names the elements still short, and submitting stays possible.
    submit_section = page[page.index('id="submit-title"'):]
    for element in questionnaire.elements:
        assert f'href="#element-{element.id}"' in submit_section
    assert "Save and submit" in submit_section
    # The page goes on from the saved revisions: saving it again is no conflict.
    again = form_fields(page, answers_url(world.assessment))
    again["go"] = "save"
    assert client.post(answers_url(world.assessment), data=again).status_code == 302


def test_save_and_submit_with_an_answer_to_correct_submits_nothing(client, login, world, ready, db_session,
                                                                   questionnaire) -> None:
    login(world.official)
    number = first_of(questionnaire, QuestionType.NUMBER)
    good = one_per_element(questionnaire)[0]
    data, new_value = change_one(client, ready, good)
    give(data, number, "about twelve")
    data["confirm"], data["go"] = "y", "submit"
    response = client.post(answers_url(ready), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was submitted: correct the answers listed below first." in page
    assert 'value="about twelve"' in page and f'href="#q-{number.id}"' in page
    assert stored(db_session, ready)[good.id].value == new_value
    assert status_in_db(db_session, ready) == AssessmentStatus.DRAFT and submissions(db_session, ready) == 0


# --- an expired page or an ended sign-in ---------------------------------------------------------------


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def typed_everywhere(data: MultiDict[str, str], questionnaire: Questionnaire) -> list[Question]:
    """Answers typed in every element, a note on the last one; returns the questions answered."""
    chosen = one_per_element(questionnaire)
    for question in chosen:
        give(data, question, "3")
    data[f"note_{chosen[-1].id}"] = NOTE
    return chosen


def shows_what_was_typed(page: str, url: str, chosen: list[Question]) -> bool:
    fields = form_fields(page, url)
    return (all(fields.get(q.field_name) == "3" for q in chosen)
            and fields.get(f"note_{chosen[-1].id}") == NOTE)


@pytest.mark.parametrize("go", ["save", "submit"])
def test_an_expired_csrf_token_keeps_everything_posted_and_saves_nothing(
        app, client, login, world, ready, db_session, questionnaire, csrf_on, monkeypatch, go) -> None:
    login(world.official)
    before = {qid: row.revision for qid, row in stored(db_session, ready).items()}
    _page, data = load_all(client, ready)
    assert data["csrf_token"]
    chosen = typed_everywhere(data, questionnaire)
    data["confirm"], data["go"] = "y", go
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", -1)  # every token is now too old
    response = client.post(answers_url(ready), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This page had expired" in page
    assert shows_what_was_typed(page, answers_url(ready), chosen)
    assert {qid: row.revision for qid, row in stored(db_session, ready).items()} == before
    assert status_in_db(db_session, ready) == AssessmentStatus.DRAFT and submissions(db_session, ready) == 0

    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    again = form_fields(page, answers_url(ready))  # with the page's fresh token
    again["confirm"], again["go"] = "y", go
    response = client.post(answers_url(ready), data=again)
    assert response.status_code == 302
    rows = stored(db_session, ready)
    assert {rows[q.id].value for q in chosen} == {"3"} and rows[chosen[-1].id].note == NOTE
    expected = AssessmentStatus.SUBMITTED if go == "submit" else AssessmentStatus.DRAFT
    assert status_in_db(db_session, ready) == expected


def test_an_ended_sign_in_keeps_everything_posted_and_saves_after_signing_in_again(
        client, login, world, db_session, questionnaire, csrf_on) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    chosen = typed_everywhere(data, questionnaire)
    data["confirm"], data["go"] = "y", "submit"
    db_session.execute(update(AuthSession).where(AuthSession.user_id == world.official.id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    response = client.post(answers_url(world.assessment), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your sign-in has ended" in page and "Sign in again to save" in page
    assert shows_what_was_typed(page, answers_url(world.assessment), chosen)
    assert 'name="confirm"' not in page  # nothing can be submitted before signing in
    assert stored(db_session, world.assessment) == {}
    assert status_in_db(db_session, world.assessment) == AssessmentStatus.DRAFT

    wrong = form_fields(page, answers_url(world.assessment))
    wrong["reauth_email"], wrong["reauth_password"], wrong["go"] = world.official.email, "wrong", "save"
    page = client.post(answers_url(world.assessment), data=wrong).get_data(as_text=True)
    assert "The email or password is not right" in page
    assert shows_what_was_typed(page, answers_url(world.assessment), chosen)
    assert stored(db_session, world.assessment) == {}

    right = form_fields(page, answers_url(world.assessment))
    right["reauth_email"], right["reauth_password"], right["go"] = world.official.email, TEST_PASSWORD, "save"
    response = client.post(answers_url(world.assessment), data=right)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(answers_url(world.assessment))
    rows = stored(db_session, world.assessment)
    assert {rows[q.id].value for q in chosen} == {"3"} and rows[chosen[-1].id].note == NOTE
    assert {row.updated_by_id for row in rows.values()} == {world.official.id}


def test_a_signed_out_post_shows_nothing_stored_about_the_city(app, client, world, make,
                                                                questionnaire) -> None:
    """Like an element page, the page kept for a signed-out visitor holds only what was posted:
    anyone can post to the address, so it must not name the city or the round."""
    make.answer(world.assessment, 2.0, fill=0.5)
    question = one_per_element(questionnaire)[0]
    posted = {question.field_name: "3", f"rev_{question.id}": "0", "go": "save"}
    stranger = app.test_client()  # no cookie at all
    page = stranger.post(answers_url(world.assessment), data=posted).get_data(as_text=True)
    assert "Sign in again to save" in page
    assert form_fields(page, answers_url(world.assessment))[question.field_name] == "3"
    element_page = stranger.post(element_url(world.assessment, question.element_id),
                                 data=posted).get_data(as_text=True)
    assert world.city.name not in element_page and world.round.name not in element_page
    assert world.city.name not in page, "the signed-out one-page form names the city"
    assert f"{world.city.name}, {world.round.name}" not in page


def test_a_signed_out_post_to_autosave_says_so_in_json(client, world, questionnaire, db_session) -> None:
    question = questionnaire.questions[0]
    response = client.post(autosave_url(world.assessment),
                           data={question.field_name: "3", f"rev_{question.id}": "0"})
    assert response.status_code == 401 and response.get_json()["status"] == "signed_out"
    assert stored(db_session, world.assessment) == {}


# --- a submitted assessment ---------------------------------------------------------------------------


def test_a_submitted_assessment_is_shown_read_only_and_a_post_is_refused(client, login, make, world,
                                                                         db_session, questionnaire) -> None:
    make.answer(world.assessment, 2.0, submit=True)
    assert submissions(db_session, world.assessment) == 1
    login(world.official)
    page, fields = load_all(client, world.assessment)
    check_lists_every_question_once(page, questionnaire)
    assert "cannot be changed" in page
    for absent in ("Save draft", "Save and submit", 'name="confirm"', "data-autosave-url", "js/survey.js"):
        assert absent not in page, absent
    # Every answer field is there, and disabled.
    answer_fields = re.findall(r'<(?:input|textarea)[^>]*name="(?:q|url|note|dk|na)_[^>]*>', page)
    assert len(answer_fields) > len(questionnaire.questions) * 2
    assert all(" disabled" in tag for tag in answer_fields)
    assert not [name for name in fields if name.startswith(("q_", "url_", "note_", "dk_", "na_"))]

    question = one_per_element(questionnaire)[0]
    before = stored(db_session, world.assessment)[question.id]
    value, revision = before.value, before.revision
    data = MultiDict(fields)
    give(data, question, "0" if value != "0" else "1")
    data["go"], data["confirm"] = "submit", "y"
    response = client.post(answers_url(world.assessment), data=data)
    locked = response.get_data(as_text=True)
    assert response.status_code == 200 and "can no longer be changed" in locked
    kept = form_fields(locked, answers_url(world.assessment))
    assert kept[question.field_name] == data[question.field_name]
    row = stored(db_session, world.assessment)[question.id]
    assert (row.value, row.revision) == (value, revision)
    assert submissions(db_session, world.assessment) == 1  # the refused POST submitted nothing more

    autosave = client.post(autosave_url(world.assessment), data=data)
    assert autosave.status_code == 409 and autosave.get_json()["status"] == "locked"


# --- who may see and change it -------------------------------------------------------------------------


def a_post(questionnaire: Questionnaire) -> dict[str, str]:
    question = questionnaire.questions[0]
    return {question.field_name: "4", f"rev_{question.id}": "0", "go": "save"}


def test_another_citys_official_gets_404_and_saves_nothing(client, make, login, world, db_session,
                                                           questionnaire) -> None:
    login(make.user(Role.OFFICIAL))
    assert client.get(answers_url(world.assessment)).status_code == 404
    assert client.post(answers_url(world.assessment), data=a_post(questionnaire)).status_code == 404
    assert client.post(autosave_url(world.assessment), data=a_post(questionnaire)).status_code == 404
    assert stored(db_session, world.assessment) == {}


def test_a_regional_user_of_another_region_gets_404(client, make, login, world, db_session,
                                                   questionnaire) -> None:
    login(make.user(Role.REGIONAL))
    assert client.get(answers_url(world.assessment)).status_code == 404
    assert client.post(answers_url(world.assessment), data=a_post(questionnaire)).status_code == 404
    assert stored(db_session, world.assessment) == {}


def test_an_unknown_assessment_is_404(client, login, world) -> None:
    login(world.official)
    assert client.get(f"/assessments/{world.assessment.id + 1000}/answers").status_code == 404


def test_the_regional_user_of_the_region_reads_but_cannot_save(client, make, login, world, db_session,
                                                               questionnaire) -> None:
    make.answer(world.assessment, 2.0, fill=0.5)
    login(make.user(Role.REGIONAL, region=world.city.country.region))
    page, fields = load_all(client, world.assessment)
    check_lists_every_question_once(page, questionnaire)
    assert "only its officials can change them" in page
    for absent in ("Save draft", "Save and submit", 'name="confirm"', "data-autosave-url"):
        assert absent not in page, absent
    assert not [name for name in fields if name.startswith(("q_", "url_", "note_", "dk_", "na_"))]
    before = {qid: row.revision for qid, row in stored(db_session, world.assessment).items()}
    assert client.post(answers_url(world.assessment), data=a_post(questionnaire)).status_code == 403
    assert client.post(autosave_url(world.assessment), data=a_post(questionnaire)).status_code == 403
    assert {qid: row.revision for qid, row in stored(db_session, world.assessment).items()} == before
    overview = client.get(f"/assessments/{world.assessment.id}").get_data(as_text=True)
    assert re.search(rf'href="{answers_url(world.assessment)}">All answers on one page</a>', overview)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_admins_and_analysts_cannot_save(client, make, login, world, db_session, questionnaire, role) -> None:
    login(make.user(role))
    assert client.post(answers_url(world.assessment), data=a_post(questionnaire)).status_code == 403
    assert stored(db_session, world.assessment) == {}


# --- autosave -----------------------------------------------------------------------------------------


def test_autosave_saves_across_elements_with_the_element_autosaves_answer(
        client, login, world, db_session, questionnaire) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    first, *others = one_per_element(questionnaire)
    give(data, first, "2")
    give(data, others[-1], "1")
    response = client.post(autosave_url(world.assessment), data=data)
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "saved" and body["message"] == "Saved"
    assert body["saved_at"] and body["completeness"] == round(100 * world.assessment.completeness) > 0
    rows = stored(db_session, world.assessment)
    assert set(rows) == {first.id, others[-1].id}
    for question in (first, others[-1]):
        assert body["answers"][question.id] == {"rev": 1, "was": answers.row_fingerprint(rows[question.id]),
                                                 "answered": True}
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == world.assessment.id))
    assert event.detail["autosave"] is True and "element" not in event.detail
    assert event.detail["questions"] == sorted([first.id, others[-1].id])

    # The script copies rev/was into the page; posting that again is "unchanged".
    for question in (first, others[-1]):
        data[f"rev_{question.id}"] = str(body["answers"][question.id]["rev"])
        data[f"was_{question.id}"] = body["answers"][question.id]["was"]
    unchanged = client.post(autosave_url(world.assessment), data=data).get_json()
    assert unchanged["status"] == "unchanged" and unchanged["saved_at"] is None

    # The same answer as the element page's autosave gives, key for key.
    element = questionnaire.element_of(others[0].id)
    element_data = load_form(client, world.assessment, element.id)
    set_answer(element_data, others[0], "4")
    from_element = client.post(element_url(world.assessment, element.id) + "/autosave",
                               data=element_data).get_json()
    assert from_element["status"] == "saved"
    assert set(body) == set(from_element)


def test_autosave_reports_invalid_answers_and_conflicts(client, second_client, login_on, world, db_session,
                                                        questionnaire) -> None:
    login_on(client, world.official)
    login_on(second_client, world.colleague)
    _page, aline = load_all(client, world.assessment)
    _page, jean = load_all(second_client, world.assessment)
    number = first_of(questionnaire, QuestionType.NUMBER)
    give(aline, number, "12,5 percent")
    invalid = client.post(autosave_url(world.assessment), data=aline).get_json()
    assert invalid["status"] == "invalid" and invalid["message"].startswith("Not saved:")
    [message] = invalid["errors"][number.id]["messages"]
    assert message.startswith("Enter a number, such as 42 or 12.5")
    assert number.id not in stored(db_session, world.assessment)

    question = one_per_element(questionnaire)[4]
    give(aline, number, planned_answer(number))
    give(aline, question, "2")
    assert client.post(autosave_url(world.assessment), data=aline).get_json()["status"] == "saved"
    give(jean, question, "0")
    conflict = second_client.post(autosave_url(world.assessment), data=jean).get_json()
    assert conflict["status"] == "conflict" and "Not saved" in conflict["message"]
    assert conflict["conflicts"][0]["question_id"] == question.id
    assert conflict["conflicts"][0]["by"] == world.official.email
    assert question.id not in conflict["answers"]
    # Jean never touched the number: Aline's answer stands and is reported as refreshed.
    assert [r["question_id"] for r in conflict["refreshed"]] == [number.id]
    rows = stored(db_session, world.assessment)
    assert rows[question.id].value == "2" and rows[number.id].value is not None


def test_autosave_with_an_expired_token_returns_a_fresh_one(app, client, login, world, db_session,
                                                           questionnaire, csrf_on) -> None:
    login(world.official)
    _page, data = load_all(client, world.assessment)
    question = one_per_element(questionnaire)[2]
    give(data, question, "1")
    data["csrf_token"] = "expired-or-forged"
    response = client.post(autosave_url(world.assessment), data=data)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == "csrf" and body["csrf_token"]
    assert stored(db_session, world.assessment) == {}
    data["csrf_token"] = body["csrf_token"]
    retried = client.post(autosave_url(world.assessment), data=data)
    assert retried.status_code == 200 and retried.get_json()["status"] == "saved"
    assert stored(db_session, world.assessment)[question.id].value == "1"

"""What the official's pages show, built from the domain for the templates: rows, sentences and
the autosave answer. Nothing here handles a request; the routes are in ``views.py``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel.lists import format_list
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from assessment.assessments import answers, services
from assessment.assessments.deadline_text import DeadlineNotice, deadline_notice
from assessment.assessments.deadlines import Deadline, describe_instant
from assessment.assessments.labels import status_label
from assessment.assessments.models import SCORED, Assessment, AssessmentStatus, Round
from assessment.assessments.progress import has_answer
from assessment.audit import services as audit
from assessment.formatting import clock, day, moment
from assessment.i18n import current_language, localized
from assessment.questionnaire import Element, Question, Questionnaire
from assessment.survey import presentation


def report_url(assessment_id: int) -> str:
    """The city report."""
    return url_for("results.report", assessment_id=assessment_id)


@dataclass(frozen=True)
class RoundRow:
    round_id: int
    round_name: str
    period: str
    status: str
    status_label: str
    percent: int | None
    last_saved: str | None
    open_url: str | None
    open_label: str
    report_url: str | None
    report_label: str
    can_start: bool
    note: str | None
    deadline: DeadlineNotice


def period(round_: Round) -> str:
    opens = day(round_.opens_on)
    if round_.closes_on is None:
        return _("from %(opens)s", opens=opens)
    closes = day(round_.closes_on)
    return _("%(opens)s to %(closes)s", opens=opens, closes=closes)


def round_row(entry: services.RoundEntry, now: datetime) -> RoundRow:
    round_, assessment = entry.round, entry.assessment
    deadline = deadline_notice(entry.deadline, now)
    if assessment is None:
        note = None  # a round still to open says when, with its time, in its deadline line
        if not entry.is_open and not entry.opens_later:
            note = _("This round has closed; the city did not take part.")
        return RoundRow(round_.id, round_.name, period(round_), "not_started",
                        status_label("not_started"), None, None, None, "", None, "",
                        entry.is_open, note, deadline)
    status = assessment.status.value
    editing = assessment.status in services.EDITABLE
    last = None
    if entry.updated_by_name:
        last = _("%(name)s, %(when)s", name=entry.updated_by_name, when=moment(assessment.updated_at))
    elif assessment.updated_at:
        last = moment(assessment.updated_at)
    report = report_url(assessment.id)
    return RoundRow(
        round_.id, round_.name, period(round_), status, status_label(status),
        round(100 * assessment.completeness), last,
        url_for("survey.overview", assessment_id=assessment.id),
        _("Continue") if editing else _("View answers"), report,
        _("Report") if assessment.status in SCORED else _("Preview report"), False, None,
        deadline,
    )


# --- the deadline: what the pages of a closed round say ---------------------------------------


def closed_readonly_notice(deadline: Deadline) -> str:
    """On a questions page of a draft whose deadline has passed."""
    return _("This round closed for your city on %(when)s, so answers can no longer be changed. "
             "Your regional office can extend your city's deadline if you need more time.",
             when=_closing(deadline))


def closed_save_notice(deadline: Deadline) -> str:
    """A save refused because the deadline passed; the page shows what was typed."""
    return _("Nothing was saved: the round closed for your city on %(when)s. Everything you entered is "
             "still below; copy anything you need. Your regional office can extend your city's "
             "deadline, and you can then save it again.", when=_closing(deadline))


def closed_autosave_message(deadline: Deadline) -> str:
    return _("Not saved: the round closed for your city on %(when)s. Your regional office can extend "
             "the deadline; what you entered stays on this page until you leave it.",
             when=_closing(deadline))


def closed_submit_notice(deadline: Deadline) -> str:
    return _("Not submitted: the round closed for your city on %(when)s. Your saved answers are kept. "
             "Your regional office can extend your city's deadline so that you can submit.",
             when=_closing(deadline))


def _closing(deadline: Deadline) -> str:
    return describe_instant(deadline.closes_at, deadline.zone) if deadline.closes_at else ""



# Saves by one person with no more than this between them are one entry of the history.
SAVE_GROUP = timedelta(minutes=30)


@dataclass(frozen=True)
class HistoryRow:
    when: str
    what: str


def history_rows(entries: Sequence[audit.HistoryEntry], questionnaire: Questionnaire,
                 limit: int = 10) -> list[HistoryRow]:
    """The history as people read it, newest first: a person's saves close together are one entry
    that says how many answers changed and in which elements."""
    rows: list[HistoryRow] = []
    index = 0
    while index < len(entries) and len(rows) < limit:
        entry = entries[index]
        group = [entry]
        if entry.event.action == "save":
            while index + 1 < len(entries):
                following = entries[index + 1]
                if (following.event.action != "save" or following.event.user_id != entry.event.user_id
                        or group[-1].event.at - following.event.at > SAVE_GROUP):
                    break
                group.append(following)
                index += 1
        index += 1
        who = entry.user_name or _("Someone")
        rows.append(HistoryRow(moment(entry.event.at), _describe(group, who, questionnaire)))
    return rows


def _describe(group: list[audit.HistoryEntry], who: str, questionnaire: Questionnaire) -> str:
    event, detail = group[0].event, group[0].event.detail or {}
    if event.action == "start":
        return _("%(name)s started the assessment", name=who)
    if event.action == "submit":
        return _("%(name)s submitted the assessment", name=who)
    if event.action == "reopen":
        return _("%(name)s reopened it: “%(reason)s”", name=who, reason=detail.get("reason", ""))
    if event.action in ("deadline.extend", "deadline.change"):
        return _("%(name)s set the city's deadline to %(when)s: “%(reason)s”", name=who,
                 when=_stored_instant(detail.get("closes_at")), reason=detail.get("reason", ""))
    if event.action == "deadline.remove":
        return _("%(name)s removed the city's deadline extension", name=who)
    if event.action != "save":
        return f"{who}: {event.action}"
    questions: set[str] = set()
    counted = 0
    elements: list[str] = []
    for item in reversed(group):  # oldest first, so elements are named in the order worked on
        saved = (item.event.detail or {}).get("questions", [])
        if isinstance(saved, int):  # older entries kept only a count
            counted += saved
            continue
        questions.update(saved)
        for question_id in saved:
            try:
                element_id = questionnaire.question(question_id).element_id
            except KeyError:
                continue
            if element_id not in elements:
                elements.append(element_id)
    count = len(questions) + counted
    if not elements:
        return ngettext("%(name)s saved %(num)d answer", "%(name)s saved %(num)d answers", count, name=who)
    titles = format_list([f"“{localized(questionnaire.element(e).title)}”" for e in elements],
                         locale=current_language().code)
    return ngettext("%(name)s saved %(num)d answer in %(elements)s",
                    "%(name)s saved %(num)d answers in %(elements)s", count, name=who, elements=titles)


def _stored_instant(value: object) -> str:
    """An instant kept in an audit event as ISO text, written as it was given (its own zone)."""
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if instant.tzinfo is None:
        return str(value)
    return moment(instant)


def last_saved(assessment: Assessment) -> str | None:
    if assessment.updated_by is None:
        return None
    return _("Last saved by %(name)s, %(when)s", name=assessment.updated_by.display_name,
             when=moment(assessment.updated_at))


def submitted_text(assessment: Assessment) -> str | None:
    if assessment.submitted_at is None:
        return None
    name = assessment.submitted_by.display_name if assessment.submitted_by else _("someone")
    return _("Submitted by %(name)s, %(when)s", name=name, when=moment(assessment.submitted_at))



@dataclass(frozen=True)
class Scope:
    """The questions of one questions page: one element, or the whole questionnaire (``element``
    is then None)."""

    elements: tuple[Element, ...]
    element: Element | None

    @property
    def questions(self) -> list[Question]:
        return [q for e in self.elements for q in e.questions]



@dataclass
class PageState:
    """What a questions page shows besides the stored answers."""

    values: dict[str, Any]
    errors: dict[str, Any] = field(default_factory=dict)  # question id -> field name -> messages
    result: answers.SaveResult | None = None



def save_notice(result: answers.SaveResult) -> str:
    parts = []
    if result.saved:
        parts.append(ngettext("%(num)d answer was saved.", "%(num)d answers were saved.", len(result.saved)))
    if result.errors:
        parts.append(ngettext("%(num)d answer needs correcting and is not saved yet.",
                              "%(num)d answers need correcting and are not saved yet.", len(result.errors)))
    if result.conflicts:
        parts.append(ngettext(
            "%(num)d answer was changed by a colleague while you edited it: choose which to keep.",
            "%(num)d answers were changed by a colleague while you edited them: choose which to keep.",
            len(result.conflicts)))
    return " ".join(parts)



@dataclass(frozen=True)
class AutosaveAnswer:
    """What the autosave address answers: a status, a sentence, an HTTP code and the details."""

    status: str
    message: str
    code: int = 200
    extra: Mapping[str, Any] = field(default_factory=dict)


def involved_users(result: answers.SaveResult) -> list[int | None]:
    """The colleagues whose answers a save result shows."""
    return ([c.theirs.updated_by_id for c in result.conflicts.values() if c.theirs]
            + [row.updated_by_id for row in result.refreshed.values()])


def autosave_payload(assessment: Assessment, questionnaire: Questionnaire, result: answers.SaveResult,
                     names: Mapping[int, str]) -> AutosaveAnswer:
    """The autosave answer for ``result``; ``names`` are the colleagues' display names."""
    if result.locked:
        return AutosaveAnswer("locked", _("%(submitted)s; answers can no longer be changed.",
                                          submitted=submitted_text(assessment)
                                          or _("This assessment was submitted")), 409)

    def text(question_id: str) -> str:
        return localized(questionnaire.question(question_id).text)

    conflicts = [
        {"question_id": qid, "question": text(qid),
         "theirs": presentation.describe_row(questionnaire.question(qid), c.theirs),
         "by": names.get(c.theirs.updated_by_id or 0, _("a colleague")) if c.theirs else _("a colleague"),
         "at": c.theirs.updated_at.isoformat() if c.theirs else None}
        for qid, c in result.conflicts.items()
    ]
    refreshed = [
        {"question_id": qid, "question": text(qid), "by": names.get(row.updated_by_id or 0, _("a colleague")),
         "at": row.updated_at.isoformat()}
        for qid, row in result.refreshed.items()
    ]
    errors: dict[str, dict[str, Any]] = {
        qid: {"question": text(qid), "messages": [m for ms in by_field.values() for m in ms],
              # Field name -> messages, so the page can show each message at its field.
              "fields": {name: list(messages) for name, messages in by_field.items()}}
        for qid, by_field in result.errors.items()
    }
    if result.conflicts:
        status = "conflict"
        first = conflicts[0]
        message = _("Not saved: %(name)s also changed “%(question)s”. "
                    "Press “Save draft” to compare and choose.", name=first["by"], question=first["question"])
    elif result.errors:
        status = "invalid"
        first_id = next(iter(errors))
        message = _("Not saved: “%(question)s”: %(error)s", question=errors[first_id]["question"],
                    error=errors[first_id]["messages"][0])
    elif result.saved:
        status, message = "saved", _("Saved")
    else:
        status, message = "unchanged", _("Saved")
    return AutosaveAnswer(status, message, 200, dict(
        saved_at=result.saved_at.isoformat() if result.saved_at else None,
        # The time as the page writes it, in the same format and time zone.
        saved_label=_("Saved at %(time)s.", time=clock(result.saved_at)) if result.saved_at else None,
        answers={qid: {"rev": kept.revision, "was": kept.fingerprint,
                       "answered": has_answer(questionnaire.question(qid), result.answers.get(qid))}
                 for qid, kept in result.current.items()},
        conflicts=conflicts, refreshed=refreshed, errors=errors,
        completeness=round(100 * assessment.completeness),
    ))




@dataclass(frozen=True)
class ReopenNotice:
    """Why the regional office reopened an assessment, shown on its pages until it is resubmitted."""

    reason: str
    by: str
    when: str


def reopen_notice(entry: audit.HistoryEntry | None) -> ReopenNotice | None:
    """The notice for the latest reopen event of an assessment, if there is one."""
    if entry is None:
        return None
    return ReopenNotice(str((entry.event.detail or {}).get("reason", "")),
                        entry.user_name or _("the regional office"), moment(entry.event.at))


@dataclass(frozen=True)
class ReviewLinks:
    """Where an assessment's review is, for its overview: the city's queries page, the
    reviewer's page, its documents, and a sentence when the city has something to do."""

    documents_url: str
    queries_url: str | None
    review_url: str | None
    notice: str | None


def review_links(assessment: Assessment, *, own_city: bool, reviewer: bool) -> ReviewLinks:
    reviewed = assessment.status in (AssessmentStatus.IN_REVIEW, AssessmentStatus.RETURNED,
                                     AssessmentStatus.RESUBMITTED, AssessmentStatus.VALIDATED)
    notice = None
    if own_city and assessment.status == AssessmentStatus.RETURNED:
        notice = _("The reviewer sent this assessment back with queries. Answer each one (reply, "
                   "change the answer or add a document), then send it back for review.")
    return ReviewLinks(
        url_for("review.documents", assessment_id=assessment.id),
        url_for("review.queries", assessment_id=assessment.id) if reviewed else None,
        url_for("review.review", assessment_id=assessment.id)
        if reviewer and assessment.status in SCORED else None,
        notice,
    )

"""Questionnaire forms: the fields of each question, and reading what a questions page posts.

Field names per question (``<id>`` is the question id):

- ``q_<id>``: the answer. Radios for maturity, yes/no and single choice, where "Don't know"
  (value ``_dk``) and, if the question allows it, "Not applicable" (``_na``) are two more
  radios of the same group, so only one of them can be chosen. Checkboxes for multiple
  choice, a text box for numbers; evidence questions have no ``q_`` field.
- ``dk_<id>`` / ``na_<id>``: "Don't know" / "Not applicable" checkboxes, for multiple-choice
  and number questions only (where they cannot be radios of the answer itself).
- ``url_<id>``, ``note_<id>``: a link to evidence and a note, on every question.
- ``rev_<id>``, ``was_<id>`` (hidden): the answer's revision when the page was loaded and a
  fingerprint of what it showed, so a save can tell a colleague's change from one's own.
- ``theirs_<id>``, ``resolve_<id>``: only in a conflict, written by the template.

The values themselves are checked by the questionnaire core (``parse_form_value``), whose
messages are shown next to the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField
from wtforms.validators import DataRequired

from assessment import storable
from assessment.assessments.answers import KEEP_MINE, KEEP_THEIRS, PostedAnswer, row_fingerprint
from assessment.assessments.models import StoredAnswer
from assessment.forms import AppForm, field_problem
from assessment.i18n import localized
from assessment.questionnaire import (
    KINDS,
    AnswerError,
    Question,
    decode_value,
    encode_value,
    kind_of,
    parse_form_value,
)

DONT_KNOW = "_dk"
NOT_APPLICABLE = "_na"
# Option keys start with a letter or digit, so these never collide with a real answer.
SPECIAL_VALUES = frozenset({DONT_KNOW, NOT_APPLICABLE})
MAX_URL = 2000
MAX_NOTE = 5000
_TICKED = frozenset({"y", "yes", "on", "1", "true"})
# The types answered with one group of radios, where don't know and N/A are radios too.
RADIO_TYPES = frozenset(qtype for qtype, kind in KINDS.items() if kind.widget == "radio")


# --- stored answers -> form data -------------------------------------------------------------


def answer_data(question: Question, row: StoredAnswer | None) -> dict[str, Any]:
    """The form values that show one stored answer."""
    qid = question.id
    data: dict[str, Any] = {
        f"url_{qid}": (row.evidence_url if row else None) or "",
        f"note_{qid}": (row.note if row else None) or "",
        f"rev_{qid}": str(row.revision if row else 0),
        f"was_{qid}": row_fingerprint(row),
    }
    kind = kind_of(question)
    if not kind.has_value:
        return data
    value = _stored_value(question, row)
    dont_know = bool(row and row.dont_know)
    not_applicable = bool(row and row.not_applicable and question.allow_na)
    if kind.widget == "radio":
        if dont_know:
            shown: Any = DONT_KNOW
        elif not_applicable:
            shown = NOT_APPLICABLE
        else:
            shown = None if value is None else kind.form_input(question, value)
        data[question.field_name] = shown
    else:
        data[question.field_name] = kind.form_input(question, value)
        data[f"dk_{qid}"] = dont_know
        if question.allow_na:
            data[f"na_{qid}"] = not_applicable
    return data


def _stored_value(question: Question, row: StoredAnswer | None) -> Any:
    if row is None or row.value is None:
        return None
    try:
        return decode_value(question, row.value)
    except ValueError:
        return None  # stored under rules this version no longer has: show it as blank


# --- posted form -> checked answers ----------------------------------------------------------


def read_posted(question: Question, formdata: MultiDict[str, str],
                sent_twice: frozenset[str] | None = None) -> PostedAnswer | None:
    """What the form says about one question, checked; ``None`` when it was not on the form.

    ``sent_twice``: the names of the fields the form sent more than once, when already known."""
    qid = question.id
    if f"rev_{qid}" not in formdata:
        return None
    errors: dict[str, list[str]] = {}
    value_field = question.field_name
    kind = kind_of(question)
    _check_sent_once(question, repeated(formdata) if sent_twice is None else sent_twice, errors)
    dont_know = ticked(formdata.get(f"dk_{qid}"))
    not_applicable = ticked(formdata.get(f"na_{qid}"))
    value: str | None = None
    if kind.has_value:
        raw: str | list[str]
        if kind.multiple:
            raw = formdata.getlist(value_field)
        else:
            raw = formdata.get(value_field, "")
            if raw == DONT_KNOW:
                dont_know, raw = True, ""
            elif raw == NOT_APPLICABLE:
                not_applicable, raw = True, ""
        unstorable = next((p for v in (raw if isinstance(raw, list) else [raw])
                           if (p := field_problem(value_field, v))), None)
        if unstorable:
            errors.setdefault(value_field, []).append(unstorable)
        else:
            try:
                value = encode_value(question, parse_form_value(question, raw))
            except ValueError as error:
                errors.setdefault(value_field, []).append(answer_message(error))
        if not_applicable and not question.allow_na:
            errors.setdefault(value_field, []).append(
                _("“Not applicable” is not offered for this question."))
        elif dont_know and not_applicable:
            errors.setdefault(value_field, []).append(
                _("Choose either “Don't know” or “Not applicable”, not both."))
        elif (dont_know or not_applicable) and value is not None:
            errors.setdefault(value_field, []).append(
                _("Either give an answer or tick “Don't know” or “Not applicable”, not both."))
    url = (formdata.get(f"url_{qid}") or "").strip() or None
    if url is not None:
        message = field_problem(f"url_{qid}", url) or check_url(url)
        if message:
            errors.setdefault(f"url_{qid}", []).append(message)
    note = normalise_note(formdata.get(f"note_{qid}"))
    unstorable = field_problem(f"note_{qid}", note) if note is not None else None
    if unstorable:
        errors.setdefault(f"note_{qid}", []).append(unstorable)
    elif note is not None and len(note) > MAX_NOTE:
        errors.setdefault(f"note_{qid}", []).append(
            _("Keep the note under %(count)s characters (it has %(length)s).",
              count=f"{MAX_NOTE:,}", length=f"{len(note):,}"))
    resolve = formdata.get(f"resolve_{qid}")
    return PostedAnswer(
        question_id=qid,
        value=value,
        dont_know=dont_know,
        not_applicable=not_applicable,
        evidence_url=url,
        note=note,
        base_revision=_whole(formdata.get(f"rev_{qid}")) or 0,
        base_fingerprint=formdata.get(f"was_{qid}") or None,
        theirs_revision=_whole(formdata.get(f"theirs_{qid}")),
        resolve=resolve if resolve in (KEEP_MINE, KEEP_THEIRS) else None,
        errors={name: tuple(messages) for name, messages in errors.items()},
    )


def read_questions(questions: Iterable[Question], formdata: MultiDict[str, str]) -> list[PostedAnswer]:
    sent_twice = repeated(formdata)
    posted = (read_posted(question, formdata, sent_twice) for question in questions)
    return [item for item in posted if item is not None]


def repeated(formdata: MultiDict[str, str]) -> frozenset[str]:
    """The names of the fields sent more than once, found in one pass over the form."""
    return frozenset(name for name, values in formdata.lists() if len(values) > 1)


def answer_message(error: ValueError) -> str:
    """The core's message about a value, in the reader's language."""
    if isinstance(error, AnswerError):
        return _(error.template, **{name: localized(value) for name, value in error.params.items()})
    return str(error)


def _check_sent_once(question: Question, sent_twice: frozenset[str],
                     errors: dict[str, list[str]]) -> None:
    """A field of one answer sent twice (a tampered or broken form) is refused, not guessed."""
    if not sent_twice:
        return
    qid = question.id
    kind = kind_of(question)
    answer_field = question.field_name if kind.has_value else f"url_{qid}"
    single = [f"rev_{qid}", f"was_{qid}", f"dk_{qid}", f"na_{qid}", f"theirs_{qid}", f"resolve_{qid}"]
    if kind.has_value and not kind.multiple:
        single.append(question.field_name)
    for name in (f"url_{qid}", f"note_{qid}", *single):
        if name in sent_twice:
            target = name if name in (f"url_{qid}", f"note_{qid}") else answer_field
            message = _("This field was sent more than once, so it was not saved. Check the answer and "
                        "save again.")
            if message not in errors.get(target, []):
                errors.setdefault(target, []).append(message)


def check_url(url: str) -> str | None:
    """A message when ``url`` is not a full web address; ``None`` when it is fine."""
    unstorable = storable.problem(url)
    if unstorable:
        return unstorable
    if len(url) > MAX_URL:
        return _("Keep the link under %(count)s characters.", count=f"{MAX_URL:,}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return _("Enter a full web address starting with https:// or http://.")
    return None


def normalise_note(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def ticked(raw: str | None) -> bool:
    return raw is not None and raw.strip().lower() in _TICKED


def _whole(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- submitting and reopening -----------------------------------------------------------------


CONFIRM_LABEL = _l("I confirm that these answers describe our city and may be shared with our regional "
                   "office. After submitting, answers can only be changed if the regional office reopens "
                   "the assessment.")
CONFIRM_MISSING = _l("Tick the box to confirm the submission.")


class SubmitForm(AppForm):
    """The confirmation step of a submission (CSRF checked by the view, like the answers)."""

    class Meta:
        csrf = False

    confirm = BooleanField(CONFIRM_LABEL, validators=[DataRequired(message=CONFIRM_MISSING)])

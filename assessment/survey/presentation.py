"""What a questions page shows, as plain data: no form library, nothing decided in the template.

A questions page shows one element or the whole questionnaire. It renders a few hundred
inputs, so it is built in two layers:

- ``QuestionSpec``: everything about a question that depends only on the questionnaire
  version and the reader's language (texts, choices, ids, translated labels). Built once per
  process and language, then reused by every page.
- ``QuestionView``: one question on one page: the spec plus what the fields hold (stored
  answers, or what was just posted), its messages, and a colleague's conflicting change.

Field names and ids are the ones described in ``forms``; an option's id is the field name
and its position (``q_x-0``, ``q_x-1``, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import get_template_attribute
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from assessment.assessments.answers import Conflict, SaveResult
from assessment.assessments.models import StoredAnswer
from assessment.assessments.progress import ElementProgress, Progress, has_answer
from assessment.i18n import current_language, localized
from assessment.questionnaire import Element, Question, Questionnaire, decode_value, kind_of
from assessment.survey.forms import DONT_KNOW, NOT_APPLICABLE, answer_data, ticked

FRAGMENTS = "survey/_fragments.html"



@dataclass(frozen=True)
class Choice:
    value: str
    id: str
    label: str
    description: str = ""
    special: bool = False  # "Don't know" / "Not applicable"
    exclusive: bool = False  # cannot be combined with the other boxes
    # Its markup from survey/_fragments.html, by (checked, disabled).
    html: Mapping[tuple[bool, bool], Markup] = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    """A "Don't know" / "Not applicable" checkbox (multiple-choice and number questions)."""

    name: str
    label: str
    html: Mapping[tuple[bool, bool], Markup] = field(default_factory=dict)  # by (checked, disabled)


STATES = ((False, False), (True, False), (False, True), (True, True))


@dataclass(frozen=True)
class QuestionSpec:
    question: Question
    id: str
    number: str  # "2.3": element and position
    kind: str  # radio, checkboxes, number, evidence
    text: str
    help: str
    source: str  # what the question measures and where it comes from
    is_maturity: bool
    value_name: str  # the answer's field (also the number input's id)
    choices: tuple[Choice, ...]
    flags: tuple[Flag, ...]
    unit: str


@dataclass(frozen=True)
class Texts:
    """The fixed sentences of a questions page, translated once per language."""

    answered: str
    tick_all: str
    evidence_only: str
    evidence_summary: str
    for_question: str
    link_label: str
    evidence_intro: str
    source_label: str
    link_hint: str
    note_label: str
    note_hint: str
    answered_mark: Markup = field(default_factory=Markup)


_specs: dict[tuple[str, str], dict[str, QuestionSpec]] = {}
_texts: dict[str, Texts] = {}
_lock = threading.Lock()


def _locale_key() -> str:
    return str(get_locale() or "")


def texts() -> Texts:
    key = _locale_key()
    found = _texts.get(key)
    if found is None:
        found = Texts(
            answered=_("answered"),
            tick_all=_("Tick every one that applies."),
            evidence_only=_("Answer with a link to the document and, if useful, a note."),
            evidence_summary=_("Evidence link and note"),
            for_question=_("for question"),
            link_label=_("Link to evidence"),
            evidence_intro=_("Under each question, “Evidence link and note” is optional:"),
            source_label=_("Source:"),
            link_hint=_("the link is a web address where a reader can check the answer, such as a "
                        "published plan, decision or dataset;"),
            note_label=_("Note"),
            note_hint=_("the note is anything a colleague or reader should know, such as who gave the "
                        "answer."),
        )
        found = replace(found, answered_mark=escape(get_template_attribute(FRAGMENTS, "answered")(found)))
        with _lock:
            _texts.setdefault(key, found)
    return found


def specs(questionnaire: Questionnaire) -> dict[str, QuestionSpec]:
    """Every question's spec, by question id, for this version in the reader's language."""
    key = (questionnaire.content_hash, _locale_key())
    found = _specs.get(key)
    if found is None:
        found = {}
        for number, element in enumerate(questionnaire.elements, 1):
            for position, question in enumerate(element.questions, 1):
                found[question.id] = _spec(question, f"{number}.{position}")
        with _lock:
            _specs.setdefault(key, found)
    return _specs[key]


def _spec(question: Question, number: str) -> QuestionSpec:
    name = question.field_name
    kind = kind_of(question)
    # value, label, description, special, exclusive; fixed words (Yes, No) translated here.
    language = current_language().code
    pairs = [(c.key, kind.choice_text(c), c.description, False, c.exclusive)
             for c in kind.choices(question, language, translate=_)]
    flags: tuple[Flag, ...] = ()
    if kind.widget == "radio":
        pairs.append((DONT_KNOW, _("Don't know"), "", True, False))
        if question.allow_na:
            pairs.append((NOT_APPLICABLE, _("Not applicable"), "", True, False))
    elif kind.has_value:
        flags = (Flag(f"dk_{question.id}", _("Don't know")),)
        if question.allow_na:
            flags += (Flag(f"na_{question.id}", _("Not applicable")),)
    choices = tuple(Choice(value, f"{name}-{index}", label, description, special, exclusive)
                    for index, (value, label, description, special, exclusive) in enumerate(pairs))
    spec = QuestionSpec(
        question=question, id=question.id, number=number, kind=kind.widget, text=localized(question.text),
        help=localized(question.help), source=localized(question.source), is_maturity=kind.shows_levels,
        value_name=name, choices=choices, flags=flags, unit=localized(question.unit),
    )
    # A macro returns Markup (the template autoescapes); escape() keeps it as is and would
    # escape a plain string rather than trust it.
    choice = get_template_attribute(FRAGMENTS, "choice")
    flag = get_template_attribute(FRAGMENTS, "flag")
    return replace(
        spec,
        choices=tuple(replace(c, html={state: escape(choice(c, spec, *state)) for state in STATES})
                      for c in choices),
        flags=tuple(replace(f, html={state: escape(flag(f, *state)) for state in STATES}) for f in flags),
    )


# --- what the fields hold --------------------------------------------------------------------


def stored_values(questions: list[Question], rows: Mapping[str, StoredAnswer]) -> dict[str, Any]:
    """Field name -> value, showing the stored answers."""
    values: dict[str, Any] = {}
    for question in questions:
        values.update(answer_data(question, rows.get(question.id)))
    return values


def posted_values(questions: list[Question], formdata: MultiDict[str, str]) -> dict[str, Any]:
    """Field name -> value, showing exactly what was posted (nothing typed is lost)."""
    values: dict[str, Any] = {}
    for question in questions:
        qid = question.id
        for prefix in ("url_", "note_", "rev_", "was_"):
            values[prefix + qid] = formdata.get(prefix + qid, "")
        kind = kind_of(question)
        if not kind.has_value:
            continue
        if kind.multiple:
            values[question.field_name] = formdata.getlist(question.field_name)
        else:
            values[question.field_name] = formdata.get(question.field_name)
        if kind.widget != "radio":
            values[f"dk_{qid}"] = ticked(formdata.get(f"dk_{qid}"))
            values[f"na_{qid}"] = ticked(formdata.get(f"na_{qid}"))
    return values


@dataclass(frozen=True)
class ConflictView:
    theirs: str
    by: str
    at: str
    yours: str
    theirs_revision: int


@dataclass(frozen=True)
class QuestionView:
    spec: QuestionSpec
    value: str  # radio: the chosen value; number: the text
    selected: frozenset[str]  # radio and checkboxes: the values shown as chosen
    flags_on: frozenset[str]  # names of the ticked flags
    url: str
    note: str
    revision: str
    was: str
    answered: bool
    errors: tuple[str, ...]
    url_errors: tuple[str, ...]
    note_errors: tuple[str, ...]
    conflict: ConflictView | None
    refreshed: str | None
    readonly: bool
    level: int  # the heading level of the question on its page
    texts: Texts

    @property
    def answered_mark(self) -> Markup:
        return self.texts.answered_mark if self.answered else Markup("")

    @property
    def open_attribute(self) -> Markup:
        """Evidence and note are shown open when they hold something (or on evidence questions)."""
        return Markup(" open") if self.evidence_open else Markup("")

    @property
    def choices_html(self) -> Markup:
        """The answer's choices and boxes, as checked now (one string: a page has hundreds)."""
        disabled = self.readonly
        parts = [c.html[(c.value in self.selected, disabled)] for c in self.spec.choices]
        parts += [f.html[(f.name in self.flags_on, disabled)] for f in self.spec.flags]
        return Markup("").join(parts)

    @property
    def flags_html(self) -> Markup:
        return Markup("").join(f.html[(f.name in self.flags_on, self.readonly)] for f in self.spec.flags)

    @property
    def all_errors(self) -> tuple[str, ...]:
        return self.errors + self.url_errors + self.note_errors

    @property
    def described_by(self) -> str:
        """What describes the answer itself: the help, and the answer's own messages."""
        return described_by(self.spec, has_errors=bool(self.errors))

    @property
    def url_described_by(self) -> str:
        errors = [f"q-{self.spec.id}-url-errors"] if self.url_errors else []
        return " ".join(["evidence-link-hint", *errors])

    @property
    def note_described_by(self) -> str:
        errors = [f"q-{self.spec.id}-note-errors"] if self.note_errors else []
        return " ".join(["evidence-note-hint", *errors])

    @property
    def shown_answered_mark(self) -> Markup:
        """No "answered" mark while the question shows something that is not saved yet."""
        return Markup("") if self.all_errors or self.conflict is not None else self.answered_mark

    @property
    def evidence_open(self) -> bool:
        return self.spec.kind == "evidence" or bool(self.url or self.note or self.url_errors
                                                    or self.note_errors)


def described_by(spec: QuestionSpec, *, has_errors: bool) -> str:
    """The ids that describe a question's answer: its help and its messages."""
    ids = ([f"q-{spec.id}-help"] if spec.help else []) + ([f"q-{spec.id}-errors"] if has_errors else [])
    return " ".join(ids)


def question_view(spec: QuestionSpec, values: Mapping[str, Any], *, answered: bool, level: int,
                  page_texts: Texts,
                  errors: Mapping[str, tuple[str, ...]] | None = None,
                  conflict: ConflictView | None = None, refreshed: str | None = None,
                  readonly: bool = False) -> QuestionView:
    qid = spec.id
    errors = errors or {}
    raw = values.get(spec.value_name)
    if isinstance(raw, list | tuple):
        selected, value = frozenset(str(v) for v in raw), ""
    else:
        value = "" if raw is None else str(raw)
        selected = frozenset({value}) if value else frozenset()
    return QuestionView(
        spec=spec, value=value, selected=selected,
        flags_on=frozenset(flag.name for flag in spec.flags if values.get(flag.name)),
        url=values.get(f"url_{qid}") or "", note=values.get(f"note_{qid}") or "",
        revision=str(values.get(f"rev_{qid}") or "0"), was=values.get(f"was_{qid}") or "",
        answered=answered,
        errors=tuple(errors.get(spec.value_name, ())),
        url_errors=tuple(errors.get(f"url_{qid}", ())),
        note_errors=tuple(errors.get(f"note_{qid}", ())),
        conflict=conflict, refreshed=refreshed, readonly=readonly, level=level, texts=page_texts,
    )


@dataclass(frozen=True)
class Section:
    """One element's questions on a questions page."""

    element: Element
    number: int
    questions: list[QuestionView]
    progress: ElementProgress | None  # none for a signed-out page


def sections(questionnaire: Questionnaire, elements: tuple[Element, ...], values: Mapping[str, Any],
             errors: Mapping[str, Mapping[str, tuple[str, ...]]], result: SaveResult | None,
             rows: Mapping[str, StoredAnswer], names: Mapping[int, str], state: Progress | None, *,
             level: int, readonly: bool, page_texts: Texts) -> list[Section]:
    """The questions of ``elements`` as a page shows them: ``values`` in the fields, each
    question's messages, and, after a save, colleagues' conflicting or newer answers (``names``:
    who they are)."""
    found = specs(questionnaire)
    shown = []
    for element in elements:
        views = []
        for question in element.questions:
            qid = question.id
            conflict = refreshed = None
            if result is not None and qid in result.conflicts:
                conflict = _conflict_view(question, result.conflicts[qid], names)
            if result is not None and qid in result.refreshed:
                row = result.refreshed[qid]
                refreshed = _("%(name)s changed this answer at %(when)s; their answer is shown.",
                              name=names.get(row.updated_by_id or 0, _("A colleague")),
                              when=when(row.updated_at))
            views.append(question_view(
                found[qid], values, answered=has_answer(question, rows.get(qid)), level=level,
                page_texts=page_texts, errors=errors.get(qid), conflict=conflict, refreshed=refreshed,
                readonly=readonly))
        shown.append(Section(element, questionnaire.elements.index(element) + 1, views,
                             state.element(element.id) if state else None))
    return shown


def _conflict_view(question: Question, item: Conflict, names: Mapping[int, str]) -> ConflictView:
    theirs = item.theirs
    return ConflictView(
        theirs=describe_row(question, theirs),
        by=names.get(theirs.updated_by_id or 0, _("a colleague")) if theirs else _("a colleague"),
        at=when(theirs.updated_at) if theirs else "",
        yours=describe(question, item.yours.value, item.yours.dont_know, item.yours.not_applicable,
                       item.yours.evidence_url, item.yours.note),
        theirs_revision=theirs.revision if theirs else 0,
    )


# --- an answer in words ----------------------------------------------------------------------


def when(moment: datetime | None) -> str:
    """A moment as people read it, in UTC (the server does not know the reader's time zone)."""
    if moment is None:
        return ""
    return _("%(moment)s UTC", moment=format_datetime(moment, "d MMM y, HH:mm"))



def describe(question: Question, value: str | None, dont_know: bool, not_applicable: bool,
             evidence_url: str | None, note: str | None) -> str:
    """One answer in words, for comparing two versions of it."""
    if dont_know:
        text = _("Don't know")
    elif not_applicable:
        text = _("Not applicable")
    elif value is None:
        text = _("No answer") if kind_of(question).has_value else ""
    else:
        text = _describe_value(question, value)
    extras = []
    if evidence_url:
        extras.append(_("link: %(url)s", url=evidence_url))
    if note:
        extras.append(_("note: “%(note)s”", note=note if len(note) <= 200 else note[:197] + "…"))
    return "; ".join(part for part in [text, *extras] if part) or _("No answer")


def _describe_value(question: Question, value: str) -> str:
    try:
        decoded = decode_value(question, value)
    except ValueError:
        return value
    if decoded is None:
        return value
    return kind_of(question).describe(question, decoded, current_language().code, translate=_)


def describe_row(question: Question, row: StoredAnswer | None) -> str:
    if row is None:
        return _("No answer")
    return describe(question, row.value, row.dont_know, row.not_applicable, row.evidence_url, row.note)

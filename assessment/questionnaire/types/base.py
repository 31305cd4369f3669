"""What every question type knows, and the registry of the types.

A ``QuestionKind`` is everything particular to one ``QuestionType``: the settings it takes in
questionnaire.yaml, what its answer value is and how it is checked, stored, read from a form
and scored, how it is put in words, what a codebook says about it, the widget a page shows
and some plausible values for demo data and tests. Everything else reads a question's type
through ``kind_of(question)`` instead of branching on ``question.type``.

Answer values (``None`` always means "no answer"): see each type's module for its own.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Literal, TypeAlias, TypeVar

from assessment.questionnaire.checks import Reader
from assessment.questionnaire.model import Question, QuestionType
from assessment.questionnaire.problems import Path_

AnswerValue: TypeAlias = int | float | str | tuple[str, ...] | None
# What a form posts for a question: one string, or a list (checkboxes).
RawInput: TypeAlias = str | Sequence[str]
Widget: TypeAlias = Literal["radio", "checkboxes", "number", "evidence"]
# Turns a fixed word marked with ``N_`` into the reader's language (the app passes gettext).
Translate: TypeAlias = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a fixed word for translation without translating it: the core has no languages
    of its own, so the app translates it later (pybabel extracts ``N_`` by default)."""
    return message


class AnswerError(ValueError):
    """A value that does not fit its question. ``str()`` is the English message; a page shows
    ``template`` translated, filled with ``params`` (each message is marked with ``N_``)."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % {k: str(v) for k, v in params.items()} if params else template)


def untranslated(message: str) -> str:
    """The fixed word as written (exports and the codebook are in English)."""
    return message


@dataclass(frozen=True)
class AnswerChoice:
    """One answer a question offers: a level, yes or no, an option."""

    key: str  # as stored and posted
    label: str  # its name: the level's name, Yes/No, the option's label
    description: str = ""  # a maturity level's description
    points: float | None = None  # on the 0-4 scale, when the question is scored
    exclusive: bool = False  # cannot be ticked together with other choices


@dataclass(frozen=True)
class AnswerCode:
    """One answer a question offers, as the codebook lists it and the wide table codes it.

    ``kind`` is ``level`` (maturity), ``answer`` (yes or no), ``option`` (single and multiple
    choice) or ``band`` (a range of a scored number). ``code`` is the number that stands for
    the answer in the wide table and the statistical files; a band has none (the number itself
    is the value).
    """

    kind: str
    key: str  # as stored: "3", "yes", an option key; a band's range, "[0, 25)"
    code: int | None
    label: str
    description: str = ""
    points: float | None = None  # on the 0-4 scale, when the question is scored
    level: int | None = None  # the level of the scale it evidences, when the file declares it
    exclusive: bool = False
    low: float | None = None  # a band's range: low <= value < high; a missing end is open
    high: float | None = None


# Why a cell of the wide table holds no answer, in the order of their codes.
DONT_KNOW = "dont_know"
NOT_APPLICABLE = "not_applicable"
NOT_ANSWERED = "not_answered"
NOT_ASKED = "not_asked"
MISSING_REASONS = (DONT_KNOW, NOT_APPLICABLE, NOT_ANSWERED, NOT_ASKED)
MISSING_WORDS = {
    DONT_KNOW: N_("Don't know"),
    NOT_APPLICABLE: N_("Not applicable"),
    NOT_ANSWERED: N_("Not answered"),
    NOT_ASKED: N_("Not asked in this version"),
}
# The codes: below every value a level, a yes/no, an option code or a 0/1 column can take.
MISSING_CODES: Mapping[str, int] = MappingProxyType(
    {reason: -(index + 1) for index, reason in enumerate(MISSING_REASONS)})
# For number questions that accept negative numbers: far below any plausible answer.
LOW_MISSING_CODES: Mapping[str, int] = MappingProxyType(
    {reason: -999_999_990 - (index + 1) for index, reason in enumerate(MISSING_REASONS)})


@dataclass(frozen=True)
class CodebookEntry:
    """What the codebook says about a question's answers."""

    value_type: str | None  # the answer column's cell type; None: the question has no value
    choices: str | None  # the answers accepted and their points, in one line
    cap: float | None = None  # multiple choice: points needed for the top score


class QuestionKind(ABC):
    """Everything particular to one question type; one instance per type, in ``KINDS``."""

    type: ClassVar[QuestionType]
    # How a page asks for the answer.
    widget: ClassVar[Widget]
    # How it is answered, in a few words (marked for translation).
    summary: ClassVar[str]
    # The questionnaire.yaml settings only this type takes (the common ones are the loader's).
    keys: ClassVar[tuple[str, ...]] = ()
    # False when the answer is only the link and note every question carries.
    has_value: ClassVar[bool] = True
    # True when the value is a set of option keys (a list of checkboxes on a form).
    multiple: ClassVar[bool] = False
    # True when the choices are the steps of the 0-4 scale, each with its description.
    shows_levels: ClassVar[bool] = False
    # True when the answer is one of ``answer_codes`` (a level, yes or no, an option), so the
    # wide table holds its code; False for numbers (the number itself) and evidence.
    coded: ClassVar[bool] = False
    # True when the codes follow the order of the options: the same key keeps its code across
    # versions, so codes are given by first appearance, oldest version first.
    positional_codes: ClassVar[bool] = False

    # -- questionnaire.yaml -------------------------------------------------------------------

    def is_scored(self, data: Mapping[Any, Any]) -> bool:
        """Whether a question of this type, written as ``data``, counts towards a score."""
        return True

    @abstractmethod
    def read(self, reader: Reader, data: dict[str, Any], path: Path_) -> dict[str, Any] | None:
        """The ``Question`` fields particular to this type, read from ``data`` and checked.

        Problems are reported to ``reader`` (a missing required setting included); the
        result is used only when none was reported.
        """

    # -- values -------------------------------------------------------------------------------

    @abstractmethod
    def check(self, question: Question, value: AnswerValue) -> None:
        """Raise ``ValueError`` with a readable message when ``value`` (not None) does not fit."""

    def encode(self, question: Question, value: AnswerValue) -> str:
        """The text stored for a checked value (not None)."""
        return str(value)

    def decode(self, question: Question, text: str) -> AnswerValue:
        """The value stored as ``text`` (not empty); stored text reads like form input."""
        return self.parse(question, text)

    def parse(self, question: Question, raw: RawInput) -> AnswerValue:
        """A form's raw input as a value; ``None`` when empty, ``ValueError`` when invalid."""
        text = one_answer(raw)
        if not text:
            return None
        return self.parse_text(question, text)

    @abstractmethod
    def parse_text(self, question: Question, text: str) -> AnswerValue:
        """One non-empty, stripped answer typed or chosen on a form, as a value."""

    def form_input(self, question: Question, value: AnswerValue) -> str | list[str]:
        """What a form's field holds to show ``value``: what ``parse`` reads back."""
        return "" if value is None else self.encode(question, value)

    # -- scoring ------------------------------------------------------------------------------

    @abstractmethod
    def points(self, question: Question, value: AnswerValue) -> float | None:
        """The points a checked value (not None) of a scored question earns, before the
        result is kept within the 0-4 scale; ``None`` when the type is never scored."""

    # -- words --------------------------------------------------------------------------------

    def choices(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerChoice, ...]:
        """The answers offered, in questionnaire order; none for typed or absent values."""
        return ()

    def choice_text(self, choice: AnswerChoice) -> str:
        """How a page shows one choice."""
        return choice.label

    @abstractmethod
    def describe(
        self,
        question: Question,
        value: AnswerValue,
        language: str | None = None,
        translate: Translate = untranslated,
    ) -> str:
        """A checked value (not None) in words, as a page shows it."""

    @abstractmethod
    def codebook(self, question: Question) -> CodebookEntry:
        """What the codebook says about this question's answers."""

    # -- tables for analysts --------------------------------------------------------------------

    def answer_codes(
        self, question: Question, language: str | None = None, translate: Translate = untranslated
    ) -> tuple[AnswerCode, ...]:
        """The answers offered, each with its code, label, points and level: one codebook row
        each. None for evidence questions."""
        return ()

    def wide_type(self, question: Question) -> str | None:
        """The cell type of the question's wide column (one per option for multiple choice):
        ``integer`` or ``number``; None when the question has no value and so no column."""
        return "integer" if self.has_value else None

    def wide_number(self, question: Question, text: str) -> int | float | None:
        """The stored answer ``text`` as a number, for kinds whose value is a number; None
        otherwise, or when the text is not a number. Unlike ``decode`` it does not check the
        question's limits: a table shows what is stored."""
        return None

    def chosen_keys(self, question: Question, text: str) -> tuple[str, ...]:
        """The option keys the stored answer ``text`` chose; none for kinds without options."""
        return ()

    def missing_codes(self, question: Question) -> Mapping[str, int]:
        """The code of each reason for a missing answer (``MISSING_REASONS``), distinct from
        every value the question's columns can hold."""
        return MISSING_CODES

    # -- generated values ---------------------------------------------------------------------

    @abstractmethod
    def candidates(self, question: Question) -> tuple[AnswerValue, ...]:
        """A few valid values spread over the scale, for demo answers chosen by their score;
        none when the question has no value or no score to aim at."""

    @abstractmethod
    def sample(self, question: Question, rng: random.Random) -> AnswerValue:
        """A random valid value (``None`` when the question has no value)."""


def one_answer(raw: RawInput) -> str:
    """The single answer in a form's raw input, stripped; ``""`` when there is none."""
    if isinstance(raw, str):
        return raw.strip()
    filled = [item.strip() for item in raw if item.strip()]
    if len(filled) > 1:
        raise AnswerError(N_("Choose only one answer."))
    return filled[0] if filled else ""


def points_text(value: float) -> str:
    """Points as the codebook writes them: 4, 2.5."""
    return f"{value:g}"


_REGISTRY: dict[QuestionType, QuestionKind] = {}
# Every question type's kind, in the order of ``QuestionType`` (the package registers them all).
KINDS: Mapping[QuestionType, QuestionKind] = MappingProxyType(_REGISTRY)

K = TypeVar("K", bound=type[QuestionKind])


def register(cls: K) -> K:
    """Class decorator: the one instance of a question type's kind goes into ``KINDS``."""
    if cls.type in _REGISTRY:
        raise ValueError(f"the question type '{cls.type}' already has a kind")
    _REGISTRY[cls.type] = cls()
    # Kept in the order of the enum, whatever the order the modules were imported in.
    ordered = [(qtype, _REGISTRY[qtype]) for qtype in QuestionType if qtype in _REGISTRY]
    _REGISTRY.clear()
    _REGISTRY.update(ordered)
    return cls


def kind_of(question: Question) -> QuestionKind:
    """Everything particular to the question's type."""
    return _REGISTRY[question.type]

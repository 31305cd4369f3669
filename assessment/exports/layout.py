"""How the questions of an export are laid out: their order, the wide table's columns with their
codes, value labels and missing-value codes, and which version asked what.

A question keeps its id across versions, so the tables have one place per question id of the
versions in the export. Its layout follows the newest version that asks it (text, options);
codes come from the question's type (``kind_of(question).answer_codes``). Options are coded
1, 2, ... by first appearance, oldest version in use first, so an option keeps its code in every
export, whatever the filters, and a new version's new option gets the next code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from assessment.assessments.versions import questionnaire_for
from assessment.exports.catalog import Catalog, QuestionMeta, translator
from assessment.exports.columns import WIDE_FIXED_NAMES, Column
from assessment.exports.filters import Filters
from assessment.questionnaire import Question, QuestionKind, Questionnaire, kind_of
from assessment.questionnaire.types import MISSING_REASONS, MISSING_WORDS, N_

# The value labels of a per-option column.
CHOSEN_WORDS = {1: N_("Chosen"), 0: N_("Not chosen")}
# Stata and SPSS labels are short; a longer text is cut with an ellipsis.
MAX_LABEL = 80


@dataclass(frozen=True)
class QuestionLayout:
    """One question id of the export, as the tables show it."""

    question_id: str
    element_id: str
    type: str
    kind: QuestionKind
    question: Question  # the newest version's
    cell_type: str | None  # the wide cells' type; None: no wide column (evidence)
    columns: tuple[str, ...]  # its wide columns: one, or one per option (multiple choice)
    option_keys: tuple[str, ...]  # the option behind each per-option column
    codes: Mapping[str, int]  # answer key -> code in the wide table
    code_labels: Mapping[int, str]  # code -> label, in the export's language
    missing: Mapping[str, int]  # reason -> code

    @property
    def per_option(self) -> bool:
        return self.kind.multiple


@dataclass
class Layout:
    catalog: Catalog
    questions: list[QuestionLayout]
    asked: dict[int, dict[str, Question]]  # version id -> the questions it asks, by id
    metas: dict[tuple[int, str], QuestionMeta] = field(default_factory=dict)
    translate: Callable[[str], str] = str

    @classmethod
    def load(cls, session: Session, filters: Filters, catalog: Catalog | None = None) -> Layout:
        """The layout of the versions ``filters`` select (the round and version filters)."""
        catalog = catalog or Catalog.load(session, filters)
        # Every version in use fixes the options' codes, whatever the filters.
        in_use = [questionnaire_for(v) for v in Catalog.load(session, Filters(lang=filters.lang),
                                                              parse=False).versions]
        chosen = [catalog.questionnaires[v.id] for v in catalog.versions]  # oldest first
        translate = translator(catalog.language)
        newest: dict[str, Question] = {}
        for questionnaire in reversed(chosen):
            for question in questionnaire.questions:
                newest.setdefault(question.id, question)
        elements = {element_id: index for index, element_id in enumerate(catalog.element_order())}
        # By element, and within an element the newest version's order (its sort is stable).
        order = sorted(newest, key=lambda qid: elements.get(newest[qid].element_id, len(elements)))
        layouts = [_question_layout(newest[qid], [*in_use, *chosen], catalog.language, translate)
                   for qid in order]
        asked = {vid: {q.id: q for q in questionnaire.questions}
                 for vid, questionnaire in catalog.questionnaires.items()}
        return cls(catalog, layouts, asked, catalog.question_metas(), translate)

    # -- columns ------------------------------------------------------------------------------

    def missing_labels(self, item: QuestionLayout) -> list[tuple[int, str]]:
        return [(item.missing[reason], self.translate(MISSING_WORDS[reason]))
                for reason in MISSING_REASONS]

    def wide_columns(self) -> list[Column]:
        """The question columns of the wide table, with labels and missing-value codes."""
        columns = []
        language = self.catalog.language
        for item in self.questions:
            if item.cell_type is None:
                continue
            text = item.question.text.get(language)
            missing = tuple(item.missing[reason] for reason in MISSING_REASONS)
            codes = ", ".join(f"{item.missing[r]} = {MISSING_WORDS[r].lower()}" for r in MISSING_REASONS)
            if item.per_option:
                options = {o.key: o.label.get(language) for o in item.question.options}
                for name, key in zip(item.columns, item.option_keys, strict=True):
                    option = options.get(key) or item.code_labels.get(item.codes[key], key)
                    columns.append(Column(
                        name, "integer",
                        f"Question {item.question_id}, option {key} (code {item.codes[key]}): 1 when "
                        f"chosen, 0 when not; {codes}.",
                        label=short_label(f"{text}: {option}"),
                        value_labels=(*((code, self.translate(word))
                                        for code, word in CHOSEN_WORDS.items()),
                                      *self.missing_labels(item)),
                        missing=missing))
                continue
            if item.kind.coded:
                what = "the code of the answer (see the codebook)"
                value_labels = tuple(sorted(item.code_labels.items()))
            else:
                what = "the number given"
                value_labels = ()
            columns.append(Column(
                item.columns[0], item.cell_type,
                f"Question {item.question_id} ({item.type}): {what}; {codes}.",
                label=short_label(text),
                value_labels=(*value_labels, *self.missing_labels(item)), missing=missing))
        return columns


def _same_question(questionnaire: Questionnaire, question: Question) -> Question | None:
    """The question with ``question``'s id and type in ``questionnaire``, if it asks it."""
    try:
        found = questionnaire.question(question.id)
    except KeyError:
        return None
    return found if found.type is question.type else None


def _question_layout(question: Question, versions: list[Questionnaire], language: str,
                     translate: Callable[[str], str]) -> QuestionLayout:
    kind = kind_of(question)
    codes: dict[str, int] = {}
    labels: dict[int, str] = {}
    if kind.positional_codes:
        # Oldest first: a key keeps the code it got when it first appeared.
        for questionnaire in versions:
            earlier = _same_question(questionnaire, question)
            for code in kind.answer_codes(earlier, language, translate) if earlier else ():
                codes.setdefault(code.key, len(codes) + 1)
        # Labels from the newest wording of each option.
        sources = [question, *(_same_question(v, question) for v in reversed(versions))]
        for source in sources:
            for code in kind.answer_codes(source, language, translate) if source else ():
                labels.setdefault(codes.setdefault(code.key, len(codes) + 1), code.label)
    else:
        for code in kind.answer_codes(question, language, translate):
            if code.code is not None:
                codes[code.key] = code.code
                labels[code.code] = code.label
    base = f"q_{question.id}" if question.id in WIDE_FIXED_NAMES else question.id
    cell_type = kind.wide_type(question)
    keys: tuple[str, ...] = ()
    if cell_type is None:
        columns: tuple[str, ...] = ()
    elif kind.multiple:
        keys = tuple(sorted(codes, key=codes.__getitem__))
        columns = tuple(f"{base}__{key}" for key in keys)
    else:
        columns = (base,)
    return QuestionLayout(question.id, question.element_id, question.type.value, kind, question,
                          cell_type, columns, keys, codes, labels, kind.missing_codes(question))


def short_label(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

"""Hypothesis strategies shared by the questionnaire tests."""

from __future__ import annotations

from hypothesis import strategies as st

from assessment.questionnaire import AnswerValue, Question, QuestionType


def values_for(question: Question) -> st.SearchStrategy[AnswerValue]:
    """Every valid, non-empty value of a question."""
    qtype = question.type
    if qtype is QuestionType.MATURITY:
        return st.integers(0, 4)
    if qtype is QuestionType.YES_NO:
        return st.sampled_from(["yes", "no"])
    keys = [option.key for option in question.options]
    if qtype is QuestionType.SINGLE_CHOICE:
        return st.sampled_from(keys)
    if qtype is QuestionType.MULTIPLE_CHOICE:
        plain = [o.key for o in question.options if not o.exclusive]
        subsets = st.sets(st.sampled_from(plain), min_size=1).map(
            lambda chosen: tuple(key for key in plain if key in chosen)
        )
        exclusive = [(o.key,) for o in question.options if o.exclusive]
        return st.one_of(st.sampled_from(exclusive), subsets) if exclusive else subsets
    if qtype is QuestionType.NUMBER:
        low = question.min_value if question.min_value is not None else -1e6
        high = question.max_value if question.max_value is not None else 1e6
        if question.integer:
            return st.integers(int(low), int(high))
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.none()

"""One definition and one wording of an element's counts on every page of the questionnaire."""

from __future__ import annotations

import re

from assessment.assessments import progress, services


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_page_counts_an_element_the_same_way(client, login, make, world, db_session,
                                                   questionnaire) -> None:
    make.answer(world.assessment, 2.0, fill=0.4, seed=3)
    login(world.official)
    state = progress.progress(questionnaire, services.load_answers(db_session, world.assessment.id))
    element = next(e for e in state.elements if not e.enough and e.answered < e.total)
    answered = f"{element.answered} of {element.total} questions answered"
    noun = "answer" if element.scored_answered == 1 else "answers"
    real = f"{element.scored_answered} real {noun}; a score needs {element.needed}"
    base = f"/assessments/{world.assessment.id}"
    pages = {
        "overview": base, "all questions": f"{base}/answers",
        "element": f"{base}/elements/{element.element.id}", "review": f"{base}/submit",
    }
    for name, url in pages.items():
        text = plain(client.get(url).get_data(as_text=True))
        assert answered in text, f"{name} does not say “{answered}”"
        assert real in text, f"{name} does not say “{real}”"
        # No other wording of the same counts survives anywhere.
        for old in (r"\d+ of \d+ real answers needed", r"real answers to its \d+ scored questions",
                    rf"(?<!Element )\b{element.answered} of {element.total}\b(?! questions answered)"):
            assert not re.search(old, text), f"{name} still says {old}"

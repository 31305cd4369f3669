"""Labels in the analyst's language: two exports of the same data differ only in their label columns."""

from __future__ import annotations

import pytest

from assessment.auth.models import Role
from tests.conftest import read

# The columns that carry words from the questionnaire; every other column is an id, a code,
# a number or a name typed by people, the same in every language.
LABEL_COLUMNS = {
    "long": {"value_label"},
    "wide": set(),
    "scores": {"element_title"},
    "choices": {"option_label"},
    "codebook": {"element_title", "text", "unit", "source", "label", "description"},
}


@pytest.fixture()
def analyst(make, login, world):  # type: ignore[no-untyped-def]
    return login(make.user(Role.ANALYST))


@pytest.mark.parametrize("table", sorted(LABEL_COLUMNS))
def test_french_and_english_exports_differ_only_in_label_columns(table, analyst, download) -> None:
    _english_headers, english_body = download(table=table, format="csv")
    french_headers, french_body = download(table=table, format="csv", lang="fr")
    english, french = read("csv", english_body), read("csv", french_body)
    assert list(english.columns) == list(french.columns)
    assert len(english) == len(french) > 0
    labels = LABEL_COLUMNS[table]
    for column in english.columns:
        if column in labels:
            continue
        assert english[column].equals(french[column]), f"{table}.{column} differs between languages"
    for column in labels:
        shown = english[column].notna()
        assert shown.any(), f"{table}.{column} is empty in the test data"
        assert (english.loc[shown, column] != french.loc[shown, column]).any(), (
            f"{table}.{column} is not translated")
    # The file says which language its labels are in.
    assert "fr" in french_headers["Content-Disposition"].split("filename=")[1]


def test_an_unknown_label_language_is_refused_with_a_message(analyst, client) -> None:
    response = client.get("/exports/download", query_string={"table": "long", "lang": "xx"})
    assert response.status_code == 400
    assert "The label language must be one of" in response.get_data(as_text=True)


def test_the_command_line_takes_the_label_language(runner, world, tmp_path) -> None:
    english, french = tmp_path / "en.csv", tmp_path / "fr.csv"
    assert runner.invoke(args=["export", "--table", "codebook", "-o", str(english)]).exit_code == 0
    result = runner.invoke(args=["export", "--table", "codebook", "--lang", "fr", "-o", str(french)])
    assert result.exit_code == 0, result.output
    a, b = read("csv", english.read_bytes()), read("csv", french.read_bytes())
    assert a["question_id"].equals(b["question_id"]) and not a["text"].equals(b["text"])



def test_a_refused_filter_is_explained_in_the_readers_language(analyst, client) -> None:
    from babel.messages.pofile import read_po

    from tests.i18n.test_every_page import TRANSLATIONS

    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        spanish = read_po(handle)["Status must be one of %(choices)s, not %(value)s."].string
    response = client.get("/exports/download", query_string={"table": "long", "status": "lost"},
                          headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert spanish.split("%(")[0].strip() in response.get_data(as_text=True)

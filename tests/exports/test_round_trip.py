"""An answer of every question type, given on the questionnaire's page, read back from every table
in every format: its type, its code and label, and the reason when there is no answer."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import openpyxl
import pyarrow.parquet as pq
import pyreadstat
import pytest
import yaml
from sqlalchemy import select

from assessment.assessments.models import Answer, Assessment
from assessment.auth.models import Role, User
from assessment.exports.layout import short_label
from assessment.exports.names import short_name
from assessment.places.models import City
from assessment.places.peers import PeerGroup, PeerGroupCity
from assessment.questionnaire import Question, Questionnaire, QuestionType, parse_questionnaire
from assessment.survey import forms
from tests.conftest import read
from tests.forms import form_fields

# The question the older version does not ask: its answers there are "not asked in this version".
NEW_QUESTION = "bottom_up_dataset_count"
DONT_KNOW_CODE, NOT_APPLICABLE_CODE, NOT_ANSWERED_CODE, NOT_ASKED_CODE = -1, -2, -3, -4


@dataclass
class Given:
    """What the official typed, question by question."""

    maturity: Question
    yes_no: Question
    single: Question
    multiple: Question
    integer: Question  # a whole number given for context (unscored)
    decimal: Question  # a decimal number given for context
    scored_number: Question
    evidence: Question
    dont_know: Question  # a maturity question answered "don't know"
    not_applicable: Question  # a yes/no question answered "not applicable"
    blank: Question  # a maturity question left blank
    chosen: list[str]  # the multiple choice's ticked options


@dataclass
class Trip:
    city: City
    official: User
    analyst: User
    old: Assessment  # an assessment of the older version, which does not ask NEW_QUESTION
    new: Assessment  # answered through the page
    given: Given


def older_without(questionnaire: Questionnaire, question_id: str) -> Questionnaire:
    data = yaml.safe_load(questionnaire.source_text)
    data["version"] = "2025.9"
    for element in data["elements"]:
        element["questions"] = [q for q in element["questions"] if q["id"] != question_id]
    older = parse_questionnaire(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                source="older questionnaire")
    assert question_id not in {q.id for q in older.questions}
    return older


def _pick(questionnaire: Questionnaire) -> Given:
    by_type: dict[QuestionType, list[Question]] = {}
    for question in questionnaire.questions:
        by_type.setdefault(question.type, []).append(question)
    maturity = by_type[QuestionType.MATURITY]
    numbers = by_type[QuestionType.NUMBER]
    multiple = by_type[QuestionType.MULTIPLE_CHOICE][0]
    return Given(
        maturity=maturity[0], yes_no=next(q for q in by_type[QuestionType.YES_NO] if not q.allow_na),
        single=by_type[QuestionType.SINGLE_CHOICE][0], multiple=multiple,
        integer=next(q for q in numbers if q.id == NEW_QUESTION),
        decimal=next(q for q in numbers if not q.integer and not q.scored),
        scored_number=next(q for q in numbers if q.scored),
        evidence=by_type[QuestionType.EVIDENCE][0], dont_know=maturity[1],
        not_applicable=next(q for q in by_type[QuestionType.YES_NO] if q.allow_na),
        blank=maturity[2],
        chosen=[o.key for o in multiple.options if not o.exclusive][:2],
    )


@pytest.fixture()
def trip(make, db_session, questionnaire, client, login) -> Trip:  # type: ignore[no-untyped-def]
    city = make.city(name="Kigali", population=1_745_000)
    group = PeerGroup(name="Capitals")
    db_session.add(group)
    db_session.flush()
    db_session.add(PeerGroupCity(group_id=group.id, city_id=city.id))
    official = make.user(Role.OFFICIAL, city=city)
    old_round = make.round(name="2025", questionnaire=older_without(questionnaire, NEW_QUESTION))
    old = make.answer(make.assessment(city=city, round=old_round), 2.0, submit=True, seed=3)
    new = make.assessment(city=city, round=make.round(name="2026"))
    given = _pick(questionnaire)
    login(official)
    url = f"/assessments/{new.id}/answers"
    data = form_fields(client.get(url).get_data(as_text=True), url)
    data[given.maturity.field_name] = "3"
    data[given.yes_no.field_name] = "yes"
    data[given.single.field_name] = given.single.options[1].key
    data.setlist(given.multiple.field_name, given.chosen)
    data[given.integer.field_name] = "12"
    data[given.decimal.field_name] = "7.5"
    data[given.scored_number.field_name] = "40"
    data[f"url_{given.evidence.id}"] = "https://kigali.example.org/strategy.pdf"
    data[given.dont_know.field_name] = forms.DONT_KNOW
    data[given.not_applicable.field_name] = forms.NOT_APPLICABLE
    data["go"] = "save"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return Trip(city, official, make.user(Role.ANALYST), old, new, given)


def _stored(db_session, assessment: Assessment) -> dict[str, Answer]:  # type: ignore[no-untyped-def]
    return {a.question_id: a for a in db_session.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id))}


def test_every_question_type_is_stored_as_given(trip, db_session) -> None:
    g = trip.given
    stored = _stored(db_session, trip.new)
    assert stored[g.maturity.id].value == "3"
    assert stored[g.yes_no.id].value == "yes"
    assert stored[g.single.id].value == g.single.options[1].key
    assert stored[g.multiple.id].value == ",".join(g.chosen)
    # The numbers given for context only are stored like every other answer.
    assert stored[g.integer.id].value == "12"
    assert stored[g.decimal.id].value == "7.5"
    assert float(stored[g.scored_number.id].value) == 40
    assert stored[g.evidence.id].evidence_url == "https://kigali.example.org/strategy.pdf"
    assert stored[g.dont_know.id].dont_know and stored[g.not_applicable.id].not_applicable


def _download(client, login, user, **params):  # type: ignore[no-untyped-def]
    login(user)
    with client.get("/exports/download", query_string=params) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_data()


def test_the_long_table_keeps_every_answer_and_says_why_one_is_missing(trip, client, login) -> None:
    g = trip.given
    for fmt in ("csv", "json", "parquet", "xlsx"):
        body = _download(client, login, trip.analyst, table="long", format=fmt)
        frame = read(fmt, body, **({"dtype": {"round": str, "questionnaire_version": str}}
                                  if fmt == "xlsx" else {}))
        rows = {(r["assessment_id"], r["question_id"]): r for r in frame.to_dict("records")}
        new = {qid: row for (aid, qid), row in rows.items() if aid == trip.new.id}

        def flags(row) -> tuple[bool, bool, bool, bool]:  # type: ignore[no-untyped-def]
            return tuple(bool(row[name]) for name in ("dont_know", "not_applicable",
                                                      "not_answered", "not_asked"))

        assert str(new[g.maturity.id]["value"]) == "3" and new[g.maturity.id]["value_code"] == 3
        assert new[g.maturity.id]["value_label"] == str(g.maturity.level(3).label)
        assert new[g.yes_no.id]["value_code"] == 1 and new[g.yes_no.id]["value_label"] == "Yes"
        assert new[g.single.id]["value_code"] == 2
        assert new[g.single.id]["value_label"] == str(g.single.options[1].label)
        assert new[g.multiple.id]["value"] == ",".join(g.chosen)
        assert new[g.multiple.id]["value_label"] == "; ".join(
            str(g.multiple.option(k).label) for k in g.chosen)
        assert new[g.integer.id]["value_code"] == 12 and str(new[g.integer.id]["value"]) == "12"
        assert new[g.decimal.id]["value_code"] == 7.5
        assert new[g.scored_number.id]["value_code"] == 40
        assert not math.isnan(new[g.scored_number.id]["score"])
        assert new[g.evidence.id]["evidence_url"] == "https://kigali.example.org/strategy.pdf"
        assert flags(new[g.evidence.id]) == (False, False, False, False), fmt
        assert new[g.dont_know.id]["missing"] == "dont_know"
        assert flags(new[g.dont_know.id]) == (True, False, False, False), fmt
        assert new[g.not_applicable.id]["missing"] == "not_applicable"
        assert flags(new[g.not_applicable.id]) == (False, True, False, False), fmt
        assert new[g.blank.id]["missing"] == "not_answered"
        assert flags(new[g.blank.id]) == (False, False, True, False), fmt
        not_asked = rows[(trip.old.id, NEW_QUESTION)]
        assert not_asked["missing"] == "not_asked"
        assert flags(not_asked) == (False, False, False, True), fmt
        # Context columns in every row.
        row = new[g.maturity.id]
        assert (row["population"], row["size_class"], row["peer_groups"]) == (
            1_745_000, "large", "Capitals"), fmt


def _wide_expected(trip) -> dict[str, int | float]:  # type: ignore[no-untyped-def]
    g = trip.given
    expected: dict[str, int | float] = {
        g.maturity.id: 3, g.yes_no.id: 1, g.single.id: 2, g.integer.id: 12, g.decimal.id: 7.5,
        g.scored_number.id: 40, g.dont_know.id: DONT_KNOW_CODE,
        g.not_applicable.id: NOT_APPLICABLE_CODE, g.blank.id: NOT_ANSWERED_CODE,
    }
    for option in g.multiple.options:
        expected[f"{g.multiple.id}__{option.key}"] = int(option.key in g.chosen)
    return expected


def test_the_wide_table_codes_every_answer_and_every_reason(trip, client, login) -> None:
    expected = _wide_expected(trip)
    for fmt in ("csv", "json", "parquet", "xlsx"):
        frame = read(fmt, _download(client, login, trip.analyst, table="wide", format=fmt))
        rows = {r["assessment_id"]: r for r in frame.to_dict("records")}
        new, old = rows[trip.new.id], rows[trip.old.id]
        for name, value in expected.items():
            assert new[name] == value, (fmt, name)
        assert old[NEW_QUESTION] == NOT_ASKED_CODE, fmt
        assert trip.given.evidence.id not in frame.columns
        assert (new["population"], new["size_class"], new["peer_groups"]) == (
            1_745_000, "large", "Capitals")
    schema = pq.read_schema(io.BytesIO(_download(client, login, trip.analyst, table="wide",
                                                 format="parquet")))
    integer = schema.field(trip.given.maturity.id)
    assert str(integer.type) == "int64" and str(schema.field(trip.given.decimal.id).type) == "double"
    labels = json.loads(integer.metadata[b"value_labels"])
    assert labels["3"] == str(trip.given.maturity.level(3).label) and labels["-1"] == "Don't know"
    assert json.loads(integer.metadata[b"missing_codes"]) == [-1, -2, -3, -4]
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, login, trip.analyst,
                                                           table="wide", format="xlsx")))
    header = [cell.value for cell in workbook["wide"][1]]
    cells = dict(zip(header, workbook["wide"][2], strict=True))
    assert cells[trip.given.maturity.id].data_type == "n"


def test_the_choices_table_has_a_row_per_chosen_option(trip, client, login) -> None:
    g = trip.given
    frame = read("csv", _download(client, login, trip.analyst, table="choices", format="csv"))
    mine = frame[frame["assessment_id"] == trip.new.id]
    multiple = mine[mine["question_id"] == g.multiple.id]
    codes = {o.key: index for index, o in enumerate(g.multiple.options, start=1)}
    assert list(multiple["option_key"]) == g.chosen
    assert list(multiple["option_code"]) == [codes[k] for k in g.chosen]
    assert list(multiple["option_label"]) == [str(g.multiple.option(k).label) for k in g.chosen]
    single = mine[mine["question_id"] == g.single.id]
    assert list(single["option_key"]) == [g.single.options[1].key]
    assert list(single["option_code"]) == [2]
    assert set(mine["city"]) == {"Kigali"} and set(mine["population"]) == {1_745_000}


def test_spss_has_labels_value_labels_and_user_missing_codes(trip, client, login, tmp_path) -> None:
    g = trip.given
    path = tmp_path / "wide.sav"
    path.write_bytes(_download(client, login, trip.analyst, table="wide", format="sav"))
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    rows = {int(r["assessment_id"]): r for r in frame.to_dict("records")}
    new, old = rows[trip.new.id], rows[trip.old.id]
    for name, value in _wide_expected(trip).items():
        assert new[short_name(name)] == value, name
    assert old[NEW_QUESTION] == NOT_ASKED_CODE
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels[g.maturity.id] == short_label(str(g.maturity.text))
    value_labels = meta.variable_value_labels[g.maturity.id]
    assert value_labels[3] == str(g.maturity.level(3).label)
    assert value_labels[-1] == "Don't know" and value_labels[-4] == "Not asked in this version"
    assert meta.variable_value_labels[g.yes_no.id][1] == "Yes"
    assert meta.missing_ranges[g.maturity.id] == [{"lo": -4.0, "hi": -1.0}]
    # Read as SPSS users see it: the codes are missing, not numbers.
    plain, _ = pyreadstat.read_sav(str(path))
    assert math.isnan(plain.loc[plain["assessment_id"] == trip.new.id, g.dont_know.id].iloc[0])
    assert "2026" in meta.file_label or "wide" in meta.file_label
    assert any("questionnaire_versions" in line for line in (meta.notes or []))


def test_stata_has_labels_value_labels_and_extended_missing_values(trip, client, login,
                                                                   tmp_path) -> None:
    g = trip.given
    path = tmp_path / "wide.dta"
    path.write_bytes(_download(client, login, trip.analyst, table="wide", format="dta"))
    frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    rows = {int(r["assessment_id"]): r for r in frame.to_dict("records")}
    new, old = rows[trip.new.id], rows[trip.old.id]
    # Don't know, not applicable, not answered, not asked: .a, .b, .c, .d
    assert new[g.dont_know.id] == "a" and new[g.not_applicable.id] == "b"
    assert new[g.blank.id] == "c" and old[NEW_QUESTION] == "d"
    assert new[g.maturity.id] == 3 and new[g.decimal.id] == 7.5 and new[g.integer.id] == 12
    value_labels = meta.variable_value_labels[g.maturity.id]
    assert value_labels[3] == str(g.maturity.level(3).label)
    assert value_labels["a"] == "Don't know" and value_labels["d"] == "Not asked in this version"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels[g.maturity.id] == short_label(str(g.maturity.text))
    assert meta.file_label.startswith("wide")
    # Long names are cut to 27 characters the same way the codebook says.
    for name in _wide_expected(trip):
        assert short_name(name) in meta.column_names
    assert max(len(name) for name in meta.column_names) <= 27


def test_every_table_reads_back_in_stata_and_spss(trip, client, login, tmp_path) -> None:
    for table in ("long", "wide", "choices", "scores", "codebook", "actions"):
        csv_frame = read("csv", _download(client, login, trip.analyst, table=table, format="csv"))
        for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
            path = tmp_path / f"{table}.{fmt}"
            path.write_bytes(_download(client, login, trip.analyst, table=table, format=fmt))
            frame, meta = reader(str(path))
            assert len(frame) == len(csv_frame), (table, fmt)
            assert len(meta.column_names) == len(csv_frame.columns), (table, fmt)
            assert all(meta.column_labels), (table, fmt)


def test_codebook_lists_the_wide_columns_short_names_and_missing_codes(trip, client, login,
                                                                      questionnaire) -> None:
    frame = read("csv", _download(client, login, trip.analyst, table="codebook", format="csv"))
    assert set(frame["questionnaire_version"]) == {"2025.9", questionnaire.version}
    questions = frame[frame["row_type"] == "question"]
    old = questions[questions["questionnaire_version"] == "2025.9"]
    assert NEW_QUESTION not in set(old["question_id"])
    row = questions[(questions["question_id"] == trip.given.maturity.id)
                    & (questions["questionnaire_version"] == questionnaire.version)].iloc[0]
    assert row["wide_column"] == trip.given.maturity.id and row["value_type"] == "integer"
    assert [row[f"{r}_code"] for r in ("dont_know", "not_applicable", "not_answered",
                                        "not_asked")] == [-1, -2, -3, -4]
    source = questions["source"].dropna()
    assert not source.empty  # the questionnaire says where each question comes from


def test_file_names_carry_table_filters_and_date_and_files_their_metadata(trip, client,
                                                                          login) -> None:
    login(trip.analyst)
    with client.get("/exports/download", query_string={"table": "wide", "format": "csv",
                                                       "round": "2026"}) as response:
        disposition = response.headers["Content-Disposition"]
        link = response.headers["Link"]
    assert 'filename="city-innovation-wide-round-2026-' in disposition
    assert disposition.endswith('.csv"')
    described = link.split(">")[0].lstrip("<")
    sidecar = client.get(described)
    assert sidecar.status_code == 200
    document = sidecar.get_json() if sidecar.is_json else json.loads(sidecar.get_data())
    about = document["about"]
    assert about["table"] == "wide" and about["filters"] == {"round": "2026"}
    assert [v["label"] for v in about["questionnaire_versions"]] == [
        trip.new.questionnaire_version.label]
    assert about["app_version"] and about["exported_at"].endswith("Z")
    columns = {c["name"]: c for c in document["tableSchema"]["columns"]}
    assert columns[trip.given.maturity.id]["missing_codes"] == [-1, -2, -3, -4]
    body = _download(client, login, trip.analyst, table="wide", format="xlsx", round="2026")
    about_sheet = openpyxl.load_workbook(io.BytesIO(body))["about"]
    facts = {row[0].value: row[1].value for row in about_sheet.iter_rows(min_row=2)}
    assert facts["filters"] == "round=2026" and "app_version" in facts
    schema = pq.read_schema(io.BytesIO(_download(client, login, trip.analyst, table="wide",
                                                 format="parquet", round="2026")))
    meta = json.loads(schema.metadata[b"city_innovation"])
    assert meta["filters"] == {"round": "2026"} and meta["table"] == "wide"


def test_the_command_line_writes_stata_and_spss_files(trip, runner, tmp_path) -> None:
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        target = tmp_path / f"wide.{fmt}"
        result = runner.invoke(args=["export", "--table", "wide", "--format", fmt, "--lang", "fr",
                                     "-o", str(target)])
        assert result.exit_code == 0, result.output
        frame, meta = reader(str(target))
        assert set(frame["assessment_id"]) == {trip.old.id, trip.new.id}
        labels = meta.variable_value_labels[trip.given.maturity.id]
        assert labels[3] == str(trip.given.maturity.level(3).label.get("fr"))

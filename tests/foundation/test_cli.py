"""The command line, as an operator uses it."""

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from assessment import mail
from assessment.assessments.models import Answer, Assessment, AssessmentStatus, ElementScore
from assessment.auth.models import Role, User
from assessment.mail.models import MailStatus, OutgoingMail
from assessment.places.models import City

ROOT = Path(__file__).parents[2]


def test_users_create_reads_the_password_from_standard_input(runner, make, get_user) -> None:
    city = make.city(name="Kigali")
    result = runner.invoke(args=["users", "create", "--email", "new@kigali.example.org",
                                 "--role", "official", "--city", "Kigali"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = get_user("new@kigali.example.org")
    assert user is not None and user.role == Role.OFFICIAL and user.city_id == city.id
    assert "a long enough password" not in user.password_hash


def test_users_create_explains_what_is_wrong(runner, make) -> None:
    make.city(name="Kigali")
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role",
                                 "official", "--city", "Atlantis"], input="a long enough password\n")
    assert result.exit_code != 0 and "No city named “Atlantis”" in result.output
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role",
                                 "official"], input="a long enough password\n")
    assert result.exit_code != 0 and "An official account needs a city" in result.output
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role",
                                 "admin"], input="short\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_users_create_has_no_password_option(runner) -> None:
    result = runner.invoke(args=["users", "create", "--help"])
    assert result.exit_code == 0
    assert "--password" not in result.output


def test_cities_list_prints_name_country_region(runner, make) -> None:
    region = make.region("Africa")
    country = make.country(region=region, name="Rwanda")
    make.city(country=country, name="Kigali")
    result = runner.invoke(args=["cities", "list"])
    assert result.exit_code == 0
    assert "Kigali\tRwanda\tAfrica" in result.output.splitlines()


def test_seed_demo_fills_an_empty_database_and_prints_sign_ins(runner, db_session) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    sign_ins = [line.split() for line in lines if line.split()[:1] in
                (["official"], ["regional"], ["analyst"], ["admin"])]
    assert {s[0] for s in sign_ins} == {"official", "regional", "analyst", "admin"}
    for role, email, _password in sign_ins:
        user = db_session.scalar(select(User).where(User.email == email))
        assert user is not None and user.role.value == role
    submitted = db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.status == AssessmentStatus.SUBMITTED))
    drafts = db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.status == AssessmentStatus.DRAFT))
    assert submitted and submitted > 10 and drafts and drafts > 0
    # Every submitted assessment carries stored element scores.
    assert db_session.scalar(select(func.count()).select_from(ElementScore)) >= submitted * 6
    # The demo's outbox: an invitation waiting to be accepted, and reminders of the open round.
    sent = db_session.scalars(select(OutgoingMail)).all()
    kinds = sorted({row.kind for row in sent})
    assert kinds == ["invitation", "reminder"] and all(row.status == MailStatus.SENT for row in sent)
    assert all(mail.outbox_file(row).is_file() for row in sent)

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already has data" in again.output
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "admin admin@example.org" in quiet.output


def test_seed_demo_if_empty_lists_only_the_demo_sign_ins_that_work_there(runner, make) -> None:
    make.user(Role.REGIONAL, email="someone@city.example")  # a region and an account, no demo ones
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "nothing seeded" in result.output
    assert "None of the demo sign-ins works on this database." in result.output
    assert "admin@example.org" not in result.output


def test_seed_demo_generates_synthetic_data_at_scale(runner, db_session, questionnaire) -> None:
    result = runner.invoke(args=["seed-demo", "--cities", "12", "--rounds", "3"])
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(func.count()).select_from(City)) == 12
    assessments = db_session.scalar(select(func.count()).select_from(Assessment))
    assert assessments == 36
    answered = len([q for q in questionnaire.questions if q.scored])
    assert db_session.scalar(select(func.count()).select_from(Answer)) >= assessments * answered


def test_every_command_has_help(runner) -> None:
    for args in (["db"], ["db", "upgrade"], ["db", "downgrade"], ["db", "check"], ["seed-demo"],
                 ["users", "create"], ["cities", "list"], ["tokens"], ["export"]):
        result = runner.invoke(args=[*args, "--help"])
        assert result.exit_code == 0, args
        assert "Usage:" in result.output


def test_db_check_from_the_real_command_line(app, database_url: str) -> None:
    # The `flask` program, not the test runner: the app's `db` group is the one that answers.
    env = {**os.environ, "DATABASE_URL": database_url}
    flask = [sys.executable, "-m", "flask", "--app", "assessment", "db"]
    check = subprocess.run([*flask, "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=60)
    assert check.returncode == 0, check.stderr
    assert "Models and migrations agree." in check.stdout
    downgrade = subprocess.run([*flask, "downgrade", "--help"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=60)
    assert downgrade.returncode == 0 and "--yes" in downgrade.stdout


def test_questionnaire_check_from_the_real_command_line(tmp_path) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "assessment", "questionnaire", "check"]
    ok = subprocess.run(flask, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK")
    broken = tmp_path / "broken.yaml"
    text = (ROOT / "questionnaire.yaml").read_text()
    broken.write_text(text.replace("weight: 1", "weight: -1", 1))
    bad = subprocess.run([*flask, str(broken)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 1
    assert "broken.yaml" in bad.stderr and "line" in bad.stderr and "weight" in bad.stderr
    # A text left untranslated fails the check, named with its language and line.
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("ru: ") and i > 100)
    untranslated = tmp_path / "untranslated.yaml"
    untranslated.write_text("".join(lines[:index] + lines[index + 1:]))
    gap = subprocess.run([*flask, str(untranslated)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert gap.returncode == 1, gap.stdout
    assert "1 missing translation, in ru:" in gap.stderr
    # The line of the text whose Russian wording went missing (its key, just above the wordings).
    reported = int(re.search(r"\[ru\] untranslated\.yaml, line (\d+)", gap.stderr).group(1))
    assert lines[reported - 1].strip().endswith(":") and index - 20 <= reported <= index, gap.stderr


def test_factory_answers_and_submits_through_the_scoring_engine(make, questionnaire) -> None:
    high = make.answer(make.assessment(), 4.0, submit=True)
    low = make.answer(make.assessment(), 0.0, submit=True)
    assert high.status == AssessmentStatus.SUBMITTED
    assert len(high.element_scores) == len(questionnaire.elements)
    assert high.overall_index is not None and low.overall_index is not None
    assert high.overall_index > low.overall_index


def test_commands_that_only_migrate_or_seed_load_no_chart_or_table_library() -> None:
    # make run starts three flask commands; each should start in about a second.
    code = ("import sys; from assessment import create_app; create_app(); "
            "heavy = sorted(m for m in ('pandas', 'numpy', 'plotly', 'pyarrow', 'xlsxwriter') "
            "if m in sys.modules); print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"imported at start: {result.stdout.strip()}"

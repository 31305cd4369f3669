"""flask --app assessment cities import / users import, as an operator runs them."""

from __future__ import annotations

from sqlalchemy import func, select

from assessment.audit.models import AuditEvent
from assessment.auth import services as accounts
from assessment.auth.models import Role, User
from assessment.imports import MAX_ROWS
from assessment.imports.cli import cities_import, users_import
from assessment.places.models import City, Country, SizeClass


def write(tmp_path, text: str, name: str = "file.csv", *, encoding: str = "utf-8", bom: bool = False):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode(encoding))
    return path


def city(session, name: str) -> City | None:
    return session.scalar(select(City).where(City.name == name))


def imports(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def world(make):
    africa = make.region("Africa")
    asia = make.region("Asia-Pacific")
    rwanda = make.country(region=africa, name="Rwanda")
    make.country(region=asia, name="Indonesia")
    return africa, asia, rwanda


# --- cities -----------------------------------------------------------------------------


def test_cities_are_added_with_new_countries_in_their_region(runner, make, db_session, tmp_path) -> None:
    africa, _asia, rwanda = world(make)
    path = write(tmp_path, "name,country,region,population\n"
                           "Kigali,Rwanda,Africa,1745000\n"
                           "Huye,  rwanda ,africa,\n"
                           "Nakuru,Kenya,Africa,570 674\n"
                           "Mombasa,Kenya,Africa,\"1,208,333\"\n")
    result = runner.invoke(args=["cities", "import", str(path)])
    assert result.exit_code == 0, result.output
    kigali, huye, nakuru = city(db_session, "Kigali"), city(db_session, "Huye"), city(db_session, "Nakuru")
    assert (kigali.country_id, kigali.population, kigali.size_class) == (rwanda.id, 1_745_000,
                                                                          SizeClass.LARGE)
    assert huye.country_id == rwanda.id and huye.population is None and huye.size_class is None
    kenya = db_session.scalar(select(Country).where(Country.name == "Kenya"))
    assert kenya.region_id == africa.id and nakuru.country_id == kenya.id
    assert (nakuru.population, city(db_session, "Mombasa").population) == (570_674, 1_208_333)
    assert "line 2: added: Kigali (Rwanda)" in result.output
    assert "in a new country of Africa" in result.output
    assert "4 rows: 4 added, 0 updated, 0 unchanged, 0 refused" in result.output
    assert "Every row was imported." in result.output
    event, = imports(db_session, "admin.city.import")
    assert event.user_id is None
    assert event.detail == {"file": "file.csv", "mode": "all", "written": True, "rows": 4, "added": 4,
                            "updated": 0, "unchanged": 0, "refused": 0, "countries_added": 1}
    assert len(imports(db_session, "admin.city.create")) == 4
    assert len(imports(db_session, "admin.country.create")) == 1


def test_a_broken_row_means_nothing_is_written(runner, make, db_session, tmp_path) -> None:
    world(make)
    path = write(tmp_path, "name,country,region,population\n"
                           "Kigali,Rwanda,Africa,1745000\n"
                           "Bandung,Indonesia,Afrika,lots\n"
                           "Jakarta,Indonesia,Africa,10000000\n")
    result = runner.invoke(args=["cities", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert city(db_session, "Kigali") is None and city(db_session, "Jakarta") is None
    lines = result.output.splitlines()
    at = lines.index("line 3: refused: Bandung (Indonesia)")
    problems = lines[at + 1:at + 3]
    # Every problem of the row, in plain words.
    assert any("“lots” is not a whole number" in line for line in problems)
    assert any("There is no region called “Afrika”" in line and "Africa, Asia-Pacific" in line
               for line in problems)
    assert "The country Indonesia is in the region Asia-Pacific, not Africa." in result.output
    assert "3 rows: 1 to add, 0 to update, 0 unchanged, 2 refused" in result.output
    assert "Nothing was written: 2 rows are refused" in result.output
    event, = imports(db_session, "admin.city.import")
    assert event.detail["written"] is False and event.detail["refused"] == 2


def test_valid_rows_only_imports_the_others(runner, make, db_session, tmp_path) -> None:
    world(make)
    path = write(tmp_path, "name,country,region\nKigali,Rwanda,Africa\nBandung,Indonesia,Africa\n"
                           "Kigali,Rwanda,Africa\n")
    result = runner.invoke(args=["cities", "import", "--valid-rows-only", str(path)])
    assert result.exit_code == 0, result.output
    assert city(db_session, "Kigali") is not None and city(db_session, "Bandung") is None
    assert "Line 2 already has this city." in result.output
    assert "The valid rows were imported; 2 refused rows were left out." in result.output
    event, = imports(db_session, "admin.city.import")
    assert (event.detail["mode"], event.detail["added"], event.detail["refused"]) == ("valid", 1, 2)


def test_a_dry_run_writes_nothing(runner, make, db_session, tmp_path) -> None:
    world(make)
    events = db_session.scalar(select(func.count(AuditEvent.id)))
    path = write(tmp_path, "name,country,region\nKigali,Rwanda,Africa\nNakuru,Kenya,Africa\n")
    result = runner.invoke(args=["cities", "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "line 3: to add: Nakuru (Kenya)" in result.output
    assert "Checked only: nothing was written. Every row can be imported." in result.output
    assert city(db_session, "Kigali") is None
    assert db_session.scalar(select(Country).where(Country.name == "Kenya")) is None
    assert db_session.scalar(select(func.count(AuditEvent.id))) == events
    # A dry run of a file with a refused row fails, so scripts can check files.
    path = write(tmp_path, "name,country,region\nKigali,Rwanda,Nowhere\n")
    assert runner.invoke(args=["cities", "import", "--dry-run", str(path)]).exit_code == 1


def test_bom_semicolons_and_header_case(runner, make, db_session, tmp_path) -> None:
    world(make)
    path = write(tmp_path, " Name ;COUNTRY; Region;Population;Notes\r\nSão Tomé;Rwanda;Africa;"
                           "90 000;capital\r\n", bom=True)
    result = runner.invoke(args=["cities", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert city(db_session, "São Tomé").population == 90_000
    assert "Columns ignored: Notes" in result.output


def test_a_file_that_is_not_utf8_is_refused(runner, make, db_session, tmp_path) -> None:
    world(make)
    path = write(tmp_path, "name,country,region\nKigali,Rwanda,Africa\nSão Tomé,Rwanda,Africa\n",
                 encoding="latin-1")
    result = runner.invoke(args=["cities", "import", str(path)])
    assert result.exit_code == 1
    assert "is not UTF-8 text: line 3" in result.output and "CSV UTF-8" in result.output
    assert city(db_session, "Kigali") is None


def test_files_that_are_not_csv_are_refused(runner, make, tmp_path) -> None:
    world(make)
    workbook = tmp_path / "cities.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    result = runner.invoke(args=["cities", "import", str(workbook)])
    assert result.exit_code == 1 and "spreadsheet workbook" in result.output
    result = runner.invoke(args=["cities", "import", str(write(tmp_path, "city;land\nKigali;Rwanda\n"))])
    assert result.exit_code == 1
    assert "lacks the columns name, country, region." in result.output
    assert "name, country, region, population" in result.output
    result = runner.invoke(args=["cities", "import", str(write(tmp_path, ""))])
    assert result.exit_code == 1 and "The file is empty." in result.output
    unclosed = write(tmp_path, 'name,country,region\n"Kigali,Rwanda,Africa\n')
    result = runner.invoke(args=["cities", "import", str(unclosed)])
    assert result.exit_code == 1 and "cannot be read as CSV from line 2" in result.output


def test_a_file_over_the_row_limit_is_refused(runner, make, db_session, tmp_path) -> None:
    world(make)
    rows = "".join(f"City {n},Rwanda,Africa\n" for n in range(MAX_ROWS + 1))
    result = runner.invoke(args=["cities", "import", str(write(tmp_path, "name,country,region\n" + rows))])
    assert result.exit_code == 1 and "more than 5,000 rows" in result.output
    assert city(db_session, "City 1") is None
    assert "5,000 rows" in (cities_import.help or "") and "5,000 rows" in (users_import.help or "")


def test_an_existing_city_is_updated_or_left_unchanged(runner, make, db_session, tmp_path) -> None:
    _africa, _asia, rwanda = world(make)
    kigali = make.city(country=rwanda, name="Kigali", population=200_000)
    huye = make.city(country=rwanda, name="Huye", population=90_000)
    path = write(tmp_path, "name,country,region,population\nKIGALI,Rwanda,Africa,1745000\n"
                           "huye,Rwanda,Africa,\n")
    result = runner.invoke(args=["cities", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (kigali.name, kigali.population, kigali.size_class) == ("Kigali", 1_745_000, SizeClass.LARGE)
    assert huye.population == 90_000
    assert "population: 200,000 → 1,745,000 (size: large)" in result.output
    assert "line 3: unchanged: huye (Rwanda)" in result.output
    updated, = imports(db_session, "admin.city.update")
    assert updated.detail["changes"]["population"] == [200_000, 1_745_000]


# --- users ------------------------------------------------------------------------------


def test_accounts_are_added_without_a_usable_password(runner, make, db_session, get_user, tmp_path) -> None:
    africa, _asia, rwanda = world(make)
    kigali = make.city(country=rwanda, name="Kigali")
    path = write(tmp_path, "Email;Name;Role;City;Region;Language\n"
                           "Aline@Kigali.example.org;Aline Mukamana;official;Kigali;;FR\n"
                           "africa@regional.example.org;;Regional;;Africa;\n"
                           "analyst@example.org;Ana;analyst;;;es\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    aline = get_user("aline@kigali.example.org")
    assert (aline.role, aline.city_id, aline.name, aline.language) == (Role.OFFICIAL, kigali.id,
                                                                      "Aline Mukamana", "fr")
    office = get_user("africa@regional.example.org")
    assert (office.role, office.region_id, office.language) == (Role.REGIONAL, africa.id, None)
    assert get_user("analyst@example.org").role == Role.ANALYST
    for user in (aline, office):
        assert user.password_hash.startswith("!")
        assert not accounts.password_matches(user, "")
        assert accounts.authenticate(db_session, user.email, "") is None
    assert "line 2: added: aline@kigali.example.org" in result.output
    assert "official, Kigali (Rwanda)" in result.output
    event, = imports(db_session, "admin.user.import")
    assert (event.detail["added"], event.detail["invited"]) == (3, 0)
    assert {e.detail["email"] for e in imports(db_session, "admin.user.create")} == {
        "aline@kigali.example.org", "africa@regional.example.org", "analyst@example.org"}


def test_every_problem_of_an_account_row_is_named(runner, make, db_session, tmp_path) -> None:
    world(make)
    path = write(tmp_path, "email,role,city,region,language\n"
                           "not-an-address,boss,,,pt\n"
                           "x@example.org,official,,,\n"
                           "y@example.org,regional,Kigali,,\n"
                           "z@example.org,analyst,,Africa,\n"
                           "X@example.org,analyst,,,\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "“not-an-address” is not an e-mail address." in out
    assert "“boss” is not a role: write one of official, regional, analyst, admin." in out
    assert "“pt” is not one of the languages: ar, zh, en, fr, ru, es." in out
    assert "An official needs a city" in out
    assert "Only officials have a city" in out and "A regional office needs a region" in out
    assert "Analysts and administrators have no city or region" in out
    assert "Line 3 already has this address." in out
    assert db_session.scalar(select(func.count(User.id))) == 0


def test_an_ambiguous_city_name_needs_its_country(runner, make, db_session, get_user, tmp_path) -> None:
    arab = make.region("Arab States")
    lebanon = make.country(region=arab, name="Lebanon")
    libya = make.country(region=arab, name="Libya")
    tripoli_lb = make.city(country=lebanon, name="Tripoli")
    tripoli_ly = make.city(country=libya, name="Tripoli")
    path = write(tmp_path, "email,role,city,country\n"
                           "a@example.org,official,Tripoli,\n"
                           "b@example.org,official,Tripoli (Libya),\n"
                           "c@example.org,official,tripoli,lebanon\n"
                           "d@example.org,official,Tripoli,Egypt\n")
    result = runner.invoke(args=["users", "import", "--valid-rows-only", str(path)])
    assert result.exit_code == 0, result.output
    assert ("2 cities are called “Tripoli” (in Lebanon, Libya): write it as “Tripoli (Lebanon)” "
            "or fill in the column “country”.") in result.output
    assert "There is no city called “Tripoli” in “Egypt”." in result.output
    assert get_user("a@example.org") is None and get_user("d@example.org") is None
    assert get_user("b@example.org").city_id == tripoli_ly.id
    assert get_user("c@example.org").city_id == tripoli_lb.id


def test_an_existing_account_is_updated_but_no_administrator_demoted(runner, make, tmp_path) -> None:
    africa, _asia, rwanda = world(make)
    kigali = make.city(country=rwanda, name="Kigali")
    official = make.user(Role.OFFICIAL, city=kigali, email="aline@kigali.example.org")
    official.name, official.language = "Aline", "en"
    admin = make.user(Role.ADMIN, email="root@example.org")
    path = write(tmp_path, "email,name,role,city,region,language\n"
                           "ALINE@kigali.example.org,,regional,,Africa,fr\n"
                           "root@example.org,Root,analyst,,,\n"
                           "root@example.org,,admin,,,\n")
    result = runner.invoke(args=["users", "import", "--valid-rows-only", str(path)])
    assert result.exit_code == 0, result.output
    assert (official.role, official.region_id, official.city_id) == (Role.REGIONAL, africa.id, None)
    assert (official.name, official.language) == ("Aline", "fr")  # an empty name keeps the old one
    assert "role: official → regional" in result.output
    assert "place: Kigali (Rwanda) → Africa" in result.output and "language: en → fr" in result.output
    assert "an import does not change an administrator's role" in result.output
    assert admin.role == Role.ADMIN and admin.name == ""
    assert "line 4: unchanged: root@example.org" in result.output or "Line 3 already" in result.output
    assert not official.password_hash.startswith("!")  # an update keeps the password


def test_invite_sends_an_invitation_to_each_account_nobody_can_use_yet(runner, make, db_session,
                                                                       get_user, tmp_path) -> None:
    from assessment.mail.models import OutgoingMail

    africa, _asia, _rwanda = world(make)
    with_password = make.user(Role.ANALYST, email="has-password@example.org")
    path = write(tmp_path, "email,role,region\nnew@example.org,regional,Africa\n"
                           "has-password@example.org,analyst,\n")
    first = runner.invoke(args=["users", "import", str(path)])
    assert first.exit_code == 0, first.output
    path = write(tmp_path, "email,role,region\nnew@example.org,regional,Africa\n"
                           "has-password@example.org,analyst,\nother@example.org,analyst,\n")
    result = runner.invoke(args=["users", "import", "--invite", str(path)])
    assert result.exit_code == 0, result.output
    # The account added earlier without an invitation gets one now; the one with a password does not.
    invited = {mail.to_address for mail in db_session.scalars(
        select(OutgoingMail).where(OutgoingMail.kind == "invitation"))}
    assert invited == {"new@example.org", "other@example.org"}
    assert get_user("new@example.org").invited_at is not None and with_password.invited_at is None
    assert "Invitations sent: 2" in result.output
    assert imports(db_session, "admin.user.import")[-1].detail["invited"] == 2
    # Once invited, a later import does not invite again.
    again = runner.invoke(args=["users", "import", "--invite", str(path)])
    assert again.exit_code == 0 and "Invitations sent" not in again.output
    assert db_session.scalar(select(func.count(OutgoingMail.id))) == 2
    assert africa.id == get_user("new@example.org").region_id

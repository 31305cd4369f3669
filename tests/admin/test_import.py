"""Importing cities and accounts on the admin pages: upload, check, import; regional offices."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from assessment.auth.models import Role, User
from assessment.imports import CITY_COLUMNS, USER_COLUMNS
from assessment.imports.files import read_table
from assessment.mail.models import OutgoingMail
from assessment.places.models import City
from tests.admin.conftest import page


def upload(client, url: str, content: bytes | str, name: str = "file.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def checked_token(html: str) -> str:
    return re.search(r'name="checked" type="hidden" value="([^"]+)"', html)[1]


def run(client, url: str, token: str, rows: str = "all", **extra):
    return client.post(url, data={"checked": token, "rows": rows, **extra},
                       content_type="multipart/form-data")


def city(session, name: str) -> City | None:
    return session.scalar(select(City).where(City.name == name))


def places(make, save):
    africa = make.region("Africa")
    asia = make.region("Asia-Pacific")
    rwanda = make.country(region=africa, name="Rwanda")
    indonesia = make.country(region=asia, name="Indonesia")
    save()
    return africa, asia, rwanda, indonesia


def test_upload_check_then_import_cities(client, admin, make, save, db_session, events) -> None:
    places(make, save)
    html = page(client, "/admin/cities/import")
    assert "Check the file" in html and "<code>population</code>" in html
    assert 'href="/admin/cities/import/example.csv"' in html
    response = upload(client, "/admin/cities/import", "name,country,region,population\n"
                                                      "Kigali,Rwanda,Africa,1745000\n"
                                                      "Nakuru,Kenya,Africa,570674\n", "east.csv")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "What the import would do" in html and "File: east.csv" in html
    assert "2 rows: 2 to add, 0 to update, 0 unchanged, 0 refused" in html
    assert "Checked only: nothing was written." in html and "Import the 2 rows" in html
    assert city(db_session, "Kigali") is None and not events("admin.city.import")
    response = run(client, "/admin/cities/import/run", checked_token(html))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Every row was imported." in html and "What the import did" in html
    assert "2 rows: 2 added" in html and "Import the 2 rows" not in html
    assert city(db_session, "Kigali").population == 1_745_000 and city(db_session, "Nakuru")
    event, = events("admin.city.import")
    assert event.user_id == admin.id and event.detail["file"] == "east.csv"
    assert (event.detail["added"], event.detail["countries_added"]) == (2, 1)
    # Sending the same check again changes nothing more: every row is now there.
    html = run(client, "/admin/cities/import/run", checked_token(
        upload(client, "/admin/cities/import", "name,country,region\nKigali,Rwanda,Africa\n")
        .get_data(as_text=True))).get_data(as_text=True)
    assert "1 row: 0 added, 0 updated, 1 unchanged, 0 refused" in html
    assert db_session.scalar(select(func.count(City.id))) == 2


def test_a_refused_row_writes_nothing_unless_the_valid_rows_are_chosen(client, admin, make, save,
                                                                        db_session, events) -> None:
    places(make, save)
    html = upload(client, "/admin/cities/import", "name;country;region\nKigali;Rwanda;Africa\n"
                                                  "Bandung;Indonesia;Africa\n").get_data(as_text=True)
    assert "Refused rows" in html
    assert "The country Indonesia is in the region Asia-Pacific, not Africa." in html
    assert "Import the 1 valid row" in html
    token = checked_token(html)
    # All or nothing: the refused row stops the whole file (and the attempt is recorded).
    html = run(client, "/admin/cities/import/run", token, "all").get_data(as_text=True)
    assert "Nothing was written: 1 row is refused" in html
    assert city(db_session, "Kigali") is None
    assert events("admin.city.import")[-1].detail["written"] is False
    html = run(client, "/admin/cities/import/run", token, "valid").get_data(as_text=True)
    assert "The valid rows were imported; 1 refused row was left out." in html
    assert city(db_session, "Kigali") is not None and city(db_session, "Bandung") is None


def test_files_that_cannot_be_read_are_refused_on_the_page(client, admin, make, save) -> None:
    places(make, save)
    html = upload(client, "/admin/cities/import", "name,country,region\nSão Tomé,Rwanda,Africa\n"
                  .encode("latin-1")).get_data(as_text=True)
    assert "This file is not UTF-8 text: line 2" in html and "What the import would do" not in html
    html = upload(client, "/admin/users/import", "mail,role\nx@example.org,analyst\n").get_data(as_text=True)
    assert "The first line of the file lacks the column email." in html
    html = client.post("/admin/cities/import", data={}, content_type="multipart/form-data").get_data(
        as_text=True)
    assert "Choose a CSV file to check." in html


def test_a_check_that_was_tampered_with_is_not_imported(client, admin, make, save, db_session) -> None:
    places(make, save)
    html = upload(client, "/admin/cities/import", "name,country,region\nKigali,Rwanda,Africa\n").get_data(
        as_text=True)
    token = checked_token(html)
    html = run(client, "/admin/cities/import/run", token[:-3] + "abc").get_data(as_text=True)
    assert "did not come back intact" in html and city(db_session, "Kigali") is None
    # A check of the cities file is no check of an accounts file.
    html = run(client, "/admin/users/import/run", token).get_data(as_text=True)
    assert "did not come back intact" in html


def test_a_file_larger_than_the_request_limit_gets_413(app, client, admin, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 65536)
    big = "name,country,region\n" + "Kigali,Rwanda,Africa\n" * 4000
    assert upload(client, "/admin/cities/import", big).status_code == 413


def test_import_accounts_and_invite_them(client, admin, make, save, db_session, get_user) -> None:
    _africa, _asia, rwanda, _indonesia = places(make, save)
    kigali = make.city(country=rwanda, name="Kigali")
    save()
    html = upload(client, "/admin/users/import", "email,name,role,city,language\n"
                                                 "aline@kigali.example.org,Aline,official,Kigali,fr\n"
                                                 "ana@example.org,Ana,analyst,,\n").get_data(as_text=True)
    assert "Invite them now" in html and "with an invitation by e-mail" not in html
    html = run(client, "/admin/users/import/run", checked_token(html), invite="y").get_data(as_text=True)
    assert "Every row was imported." in html and "2 invitations were sent." in html
    aline = get_user("aline@kigali.example.org")
    assert (aline.city_id, aline.language, aline.invited_by_id) == (kigali.id, "fr", admin.id)
    assert db_session.scalar(select(func.count(OutgoingMail.id)).where(
        OutgoingMail.kind == "invitation")) == 2


def test_the_example_files_are_the_columns_and_safe_cells(client, admin) -> None:
    for url, columns in (("/admin/cities/import/example.csv", CITY_COLUMNS),
                         ("/admin/users/import/example.csv", USER_COLUMNS)):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        body = response.get_data()
        assert body.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0] == [column.name for column in columns] and len(rows) > 1
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)
        assert read_table(body, columns).columns == tuple(column.name for column in columns)


def test_the_admin_lists_link_to_the_imports(client, admin) -> None:
    assert 'href="/admin/cities/import"' in page(client, "/admin/cities")
    assert 'href="/admin/users/import"' in page(client, "/admin/users")


def test_imports_show_in_the_audit_log(client, admin, make, save) -> None:
    places(make, save)
    html = upload(client, "/admin/cities/import", "name,country,region\nKigali,Rwanda,Africa\n").get_data(
        as_text=True)
    run(client, "/admin/cities/import/run", checked_token(html))
    html = page(client, "/admin/audit")
    assert "Cities imported from a file" in html and "added: 1" in html


# --- regional offices -----------------------------------------------------------------------


def test_a_regional_office_imports_accounts_of_its_own_region_only(client, make, login, save,
                                                                    db_session, get_user) -> None:
    africa, asia, rwanda, indonesia = places(make, save)
    make.city(country=rwanda, name="Kigali")
    make.city(country=indonesia, name="Bandung")
    make.user(Role.OFFICIAL, city=make.city(country=indonesia, name="Jakarta"),
              email="jakarta@example.org")
    office = login(make.user(Role.REGIONAL, region=africa, email="africa@regional.example.org"))
    save()
    assert 'href="/admin/users/import"' in page(client, "/methodology")  # in the menu
    html = page(client, "/admin/users/import")
    assert "You can import the accounts of Africa" in html
    assert 'href="/admin/regions"' not in html and 'href="/admin/users"' not in html
    for url in ("/admin/cities/import", "/admin/users", "/admin/cities", "/admin"):
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/users/import/example.csv").status_code == 200
    html = upload(client, "/admin/users/import", "email,role,city,region\n"
                                                 "aline@kigali.example.org,official,Kigali,\n"
                                                 "budi@bandung.example.org,official,Bandung,\n"
                                                 "asia@regional.example.org,regional,,Asia-Pacific\n"
                                                 "ana@example.org,analyst,,\n"
                                                 "JAKARTA@example.org,official,Kigali,\n"
                                                 "kenya@regional.example.org,regional,,africa\n"
                                                 ).get_data(as_text=True)
    assert "There is no city called “Bandung” in Africa." in html
    assert html.count("You can import accounts for Africa only.") == 2  # refused rows, every row
    assert "A regional office can import officials and regional office accounts only." in html
    assert "An account with this address already exists outside Africa" in html
    # Nothing of another region shows: not its countries, nor its cities, nor its accounts.
    report = html[html.index("What the import would do"):html.index('id="upload-heading"')]
    assert "Indonesia" not in report and "Jakarta (" not in report
    assert "Asia-Pacific" not in report.replace("asia@regional.example.org", "")
    html = run(client, "/admin/users/import/run", checked_token(html), "valid").get_data(as_text=True)
    assert "4 refused rows were left out" in html
    assert get_user("aline@kigali.example.org").role == Role.OFFICIAL
    assert get_user("kenya@regional.example.org").region_id == africa.id
    assert get_user("budi@bandung.example.org") is None and get_user("ana@example.org") is None
    assert get_user("jakarta@example.org").city.name == "Jakarta"
    assert db_session.scalar(select(func.count(User.id)).where(User.region_id == asia.id)) == 0
    assert office.role == Role.REGIONAL


def test_officials_and_analysts_cannot_import_and_visitors_sign_in_first(client, make, login) -> None:
    response = client.get("/admin/users/import")
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]
    for role in (Role.OFFICIAL, Role.ANALYST):
        login(make.user(role))
        for url in ("/admin/users/import", "/admin/users/import/example.csv"):
            assert client.get(url).status_code == 403, (role, url)
        assert upload(client, "/admin/users/import", "email,role\na@example.org,admin\n").status_code == 403
        assert 'href="/admin/users/import"' not in page(client, "/methodology")

"""The accounts import as a service: who may change what, and what the report says."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assessment.auth.models import Role
from assessment.imports import ImportAccessError, Mode, Outcome, import_cities, import_users
from assessment.mail.models import OutgoingMail


def rows(report) -> dict[int, tuple[Outcome, tuple[str, ...]]]:
    return {row.line: (row.outcome, row.details) for row in report.rows}


def test_only_administrators_import_cities_and_regional_offices_their_accounts(db_session, make) -> None:
    for role in (Role.OFFICIAL, Role.ANALYST, Role.REGIONAL):
        with pytest.raises(ImportAccessError):
            import_cities(db_session, "name,country,region\nA,B,C\n", actor=make.user(role),
                          mode=Mode.CHECK)
    for role in (Role.OFFICIAL, Role.ANALYST):
        with pytest.raises(ImportAccessError):
            import_users(db_session, "email,role\na@example.org,analyst\n", actor=make.user(role),
                         mode=Mode.CHECK)


def test_a_regional_office_cannot_change_its_own_role(db_session, make) -> None:
    region = make.region("Africa")
    city = make.city(region=region, name="Kigali")
    office = make.user(Role.REGIONAL, region=region, email="office@example.org")
    report = import_users(db_session, "email,role,city\noffice@example.org,official,Kigali\n",
                          actor=office, mode=Mode.ALL_OR_NOTHING)
    outcome, details = rows(report)[2]
    assert outcome == Outcome.REFUSED
    assert details == ("This is your own account: an import does not change your own role.",)
    assert (office.role, office.city_id) == (Role.REGIONAL, None) and city.id


def test_a_deactivated_account_is_updated_but_stays_deactivated(db_session, make) -> None:
    user = make.user(Role.ANALYST, email="gone@example.org")
    user.active = False
    report = import_users(db_session, "email,name,role\ngone@example.org,Gone,analyst\n", actor=None,
                          mode=Mode.ALL_OR_NOTHING, invite=True)
    outcome, details = rows(report)[2]
    assert outcome == Outcome.UPDATED and user.name == "Gone" and not user.active
    assert "The account is deactivated; an import does not reactivate it." in details
    assert report.invited == 0


def test_a_check_never_invites(db_session, make) -> None:
    report = import_users(db_session, "email,role\nnew@example.org,analyst\n", actor=None,
                          mode=Mode.CHECK, invite=True)
    assert rows(report)[2] == (Outcome.ADDED, ("analyst, —", "with an invitation by e-mail"))
    assert not report.written and report.invited == 0
    assert db_session.scalar(select(func.count(OutgoingMail.id))) == 0


def test_a_city_name_with_brackets_is_taken_as_it_is_first(db_session, make, get_user) -> None:
    region = make.region("Americas")
    usa = make.country(region=region, name="United States")
    capital = make.city(country=usa, name="Washington (D.C.)")
    state = make.city(country=usa, name="Washington")
    report = import_users(db_session, "email,role,city\nmayor@example.org,official,Washington (D.C.)\n"
                                      "w@example.org,official,Washington (United States)\n",
                          actor=None, mode=Mode.ALL_OR_NOTHING)
    assert report.written, report.rows
    assert get_user("mayor@example.org").city_id == capital.id
    assert get_user("w@example.org").city_id == state.id

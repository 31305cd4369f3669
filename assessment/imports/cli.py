"""``cities import FILE`` and ``users import FILE``: the imports of the admin pages, for a terminal.

Commands act as an administrator. The report is printed row by row, then the counts and what was
written. The exit code is 1 when a row is refused, unless --valid-rows-only imported the others.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from assessment.extensions import db
from assessment.imports.cities import import_cities
from assessment.imports.files import ImportFileError
from assessment.imports.report import ImportReport, Mode
from assessment.imports.users import import_users

_FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_DRY_RUN = click.option("--dry-run", is_flag=True,
                        help="Check the file and print what would happen; write nothing.")
_VALID_ROWS_ONLY = click.option(
    "--valid-rows-only", is_flag=True,
    help="Import the valid rows and leave out the refused ones. Without it, one refused row "
         "means that nothing is written.")


def print_report(report: ImportReport) -> None:
    for row in report.rows:
        click.echo(_("line %(line)d: %(outcome)s: %(subject)s", line=row.line, outcome=row.label,
                     subject=row.subject))
        for detail in row.details:
            click.echo(f"    - {detail}")
    if report.ignored_columns:
        click.echo(_("Columns ignored: %(names)s", names=", ".join(report.ignored_columns)))
    click.echo(report.counts())
    if report.invited:
        click.echo(_("Invitations sent: %(num)d", num=report.invited))
    click.echo(report.conclusion())


def run(importer: Callable[[Mode, str, bytes], ImportReport], file: Path, dry_run: bool,
        valid_rows_only: bool) -> None:
    mode = Mode.CHECK if dry_run else Mode.VALID_ROWS_ONLY if valid_rows_only else Mode.ALL_OR_NOTHING
    session = db.session
    try:
        report = importer(mode, file.name, file.read_bytes())
    except ImportFileError as error:
        raise click.ClickException(_("%(path)s: %(why)s", path=file, why=error)) from None
    except IntegrityError:
        session.rollback()
        raise click.ClickException(_("%(path)s: a row clashes with a record added meanwhile; nothing "
                                     "was written. Run the import again.", path=file)) from None
    if mode != Mode.CHECK:
        session.commit()  # the rows written, or only the record of a refused import
    print_report(report)
    if report.refused and not (report.written and mode == Mode.VALID_ROWS_ONLY):
        sys.exit(1)


@click.command("import")
@_FILE
@_DRY_RUN
@_VALID_ROWS_ONLY
def cities_import(file: Path, dry_run: bool, valid_rows_only: bool) -> None:
    """Add or update the cities of a CSV file.

    Columns: name, country, region, population (optional). A city with the same name in the same
    country is updated; a country not known yet is added to the row's region, which must exist.
    UTF-8, comma or semicolon separated, at most 5,000 rows.
    """
    run(lambda mode, name, data: import_cities(db.session, data, actor=None, mode=mode, filename=name),
        file, dry_run, valid_rows_only)


@click.command("import")
@_FILE
@_DRY_RUN
@_VALID_ROWS_ONLY
@click.option("--invite", is_flag=True,
              help="Send an invitation e-mail to each account added, and to each account of the "
                   "file that has no password and was never invited.")
def users_import(file: Path, dry_run: bool, valid_rows_only: bool, invite: bool) -> None:
    """Add or update the accounts of a CSV file.

    Columns: email, role, and as needed name, city, country, region, language. An account with the
    same e-mail (in any case) is updated. Accounts added have no password until their owner sets
    one from an invitation. UTF-8, comma or semicolon separated, at most 5,000 rows.
    """
    run(lambda mode, name, data: import_users(db.session, data, actor=None, mode=mode,
                                              invite=invite, filename=name),
        file, dry_run, valid_rows_only)


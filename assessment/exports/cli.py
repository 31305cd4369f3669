"""``flask --app assessment export``: the response tables from the command line."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from assessment.assessments.models import AssessmentStatus
from assessment.exports import formats, services
from assessment.extensions import db
from assessment.i18n import LANGUAGES


@click.command("export")
@click.option("--table", required=True, type=click.Choice(list(services.TABLES)),
              help="long (one row per assessment and question), wide (one row per "
                   "assessment), choices (one row per chosen option), scores (one row per "
                   "assessment and element), codebook (one row per question and per answer it "
                   "offers) or actions (one row per action of a city's plan).")
@click.option("--format", "fmt", type=click.Choice(formats.FORMATS), default="csv",
              show_default=True, help="File format: dta is Stata, sav is SPSS.")
@click.option("--round", "round_", metavar="NAME", help="Only this round, e.g. 2026.")
@click.option("--region", metavar="NAME", help="Only this region.")
@click.option("--country", metavar="NAME", help="Only this country.")
@click.option("--status", type=click.Choice([s.value for s in AssessmentStatus]),
              help="Only assessments with this status.")
@click.option("--version", metavar="LABEL|HASH", help="Only this questionnaire version "
              "(its label, or the first characters of its hash).")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default="en", show_default=True,
              help="Language of the label columns (answer labels, element titles, question "
                   "texts); ids, codes and values are the same in every language.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark, for Excel.")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="File to write ('-' for standard output). Written to a temporary file first, "
                   "so a failed export never leaves half a file.")
def export_command(table: str, fmt: str, round_: str | None, region: str | None,
                   country: str | None, status: str | None, version: str | None, lang: str,
                   bom: bool, output: str) -> None:
    """Export a response table, with every city (the command line is not scoped to a user).

    \b
    Examples:
      flask --app assessment export --table long --format csv -o answers.csv
      flask --app assessment export --table scores --format xlsx --round 2026 -o scores.xlsx
      flask --app assessment export --table wide --format json -o - | jq length
      flask --app assessment export --table codebook --lang fr -o codebook-fr.csv
    """
    try:
        filters = services.Filters.from_mapping({"round": round_, "region": region,
                                                 "country": country, "status": status,
                                                 "version": version, "lang": lang})
    except services.FilterError as problem:
        raise click.UsageError(str(problem)) from None
    session = db.session
    spec = services.table(table)
    scope = services.scope_for(None)
    if fmt == "xlsx" and spec.count(session, filters, scope) > formats.XLSX_MAX_ROWS:
        raise click.ClickException(
            "This table has more rows than an Excel sheet can hold; narrow the filters or use "
            "--format csv or parquet.")
    if output == "-":
        rows = _to_stdout(session, spec, fmt, filters, scope, bom)
        destination = "standard output"
    else:
        rows = _to_file(Path(output), session, spec, fmt, filters, scope, bom)
        destination = output
    click.echo(_("Wrote %(rows)s rows of the %(table)s table (filters: %(filters)s) to %(destination)s.",
                 rows=f"{rows:,}", table=table, filters=filters.describe(), destination=destination),
               err=True)


def _to_file(path: Path, session: Session, spec: services.TableSpec, fmt: str,
             filters: services.Filters, scope: Any, bom: bool) -> int:
    directory = path.resolve().parent
    if not directory.is_dir():
        raise click.ClickException(_("The folder %(folder)s does not exist.", folder=directory))
    return formats.write_file(path, session, spec, fmt, filters, scope, bom=bom)


def _to_stdout(session: Session, spec: services.TableSpec, fmt: str, filters: services.Filters,
               scope: Any, bom: bool) -> int:
    stdout = sys.stdout.buffer
    if fmt in formats.STREAMED:
        rows = formats.write_chunks(stdout, session, spec, fmt, filters, scope, bom=bom)
        stdout.flush()
        return rows
    if sys.stdout.isatty():
        raise click.UsageError(f"{fmt.upper()} is a binary format: redirect standard output to "
                               "a file, or use -o FILE.")
    # Binary formats are built in a file aside, then copied out.
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = os.path.join(folder, f"export.{fmt}")
        rows = formats.write_export(path, session, spec, fmt, filters, scope)
        with open(path, "rb") as built:
            shutil.copyfileobj(built, stdout)
    stdout.flush()
    return rows

"""The download form: a GET form, so a download is a link that can be bookmarked or shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField

from assessment.exports.services import FilterChoices

FORMAT_LABELS = {
    "csv": _l("CSV (UTF-8, comma-separated) for R, Stata, Python and most tools"),
    "xlsx": _l("Excel workbook (XLSX), with the codebook and column descriptions"),
    "parquet": _l("Parquet, typed and compressed, for large tables"),
    "json": _l("JSON: one array of row objects"),
}


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET form

    table = RadioField(_l("Table"), default="long")
    format = RadioField(_l("Format"), default="csv",
                        choices=[(key, label) for key, label in FORMAT_LABELS.items()])
    bom = BooleanField(_l("Excel-friendly CSV: start the file with a UTF-8 byte-order mark"))
    round = SelectField(_l("Round"))
    region = SelectField(_l("Region"))
    country = SelectField(_l("Country"))
    status = SelectField(_l("Status"))
    version = SelectField(_l("Questionnaire version"))

    def set_choices(self, choices: FilterChoices, tables: list[tuple[str, str]]) -> None:
        any_ = ("", str(_l("Any")))
        self.table.choices = tables
        self.round.choices = [any_, *((r, r) for r in choices.rounds)]
        self.region.choices = [any_, *((r, r) for r in choices.regions)]
        self.country.choices = [any_, *((c, c) for c in choices.countries)]
        self.status.choices = [any_, *((s, s) for s in choices.statuses)]
        self.version.choices = [any_, *((v, v) for v in choices.versions)]

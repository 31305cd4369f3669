"""The download form: a GET form, so a download is a link that can be bookmarked or shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from assessment.assessments.labels import STATUS_LABELS
from assessment.exports.services import FilterChoices
from assessment.forms import AppForm
from assessment.i18n import LANGUAGES

FORMAT_LABELS = {
    "csv": _l("CSV (UTF-8, comma-separated) for R, Stata, Python and most tools"),
    "xlsx": _l("Excel workbook (XLSX), with the codebook and column descriptions"),
    "parquet": _l("Parquet, typed and compressed, for large tables"),
    "json": _l("JSON: one array of row objects"),
    "dta": _l("Stata (.dta), with variable labels, value labels and missing-value codes"),
    "sav": _l("SPSS (.sav), with variable labels, value labels and missing-value codes"),
}


def _choices(values: list[str], labels: dict[str, object] | None = None) -> list[SelectChoice]:
    labels = labels or {}
    return [SelectChoice(value="", label=str(_l("Any"))),
            *(SelectChoice(value=v, label=str(labels.get(v, v))) for v in values)]


class ExportForm(AppForm):
    class Meta:
        csrf = False  # a read-only GET form

    table = RadioField(_l("Table"), default="long", choices=[])
    format = RadioField(_l("Format"), default="csv", choices=[])
    bom = BooleanField(_l("Excel-friendly CSV: start the file with a UTF-8 byte-order mark"))
    round = SelectField(_l("Round"), choices=[])
    region = SelectField(_l("Region"), choices=[])
    country = SelectField(_l("Country"), choices=[])
    status = SelectField(_l("Status"), choices=[])
    version = SelectField(_l("Questionnaire version"), choices=[])
    lang = SelectField(_l("Language of the labels"), default="en",
                       choices=[SelectChoice(value=code, label=language.name)
                                for code, language in LANGUAGES.items()])

    def set_choices(self, choices: FilterChoices, tables: list[tuple[str, str]]) -> None:
        self.table.choices = [SelectChoice(value=name, label=label) for name, label in tables]
        # Labels are made per request, in the reader's language.
        self.format.choices = [SelectChoice(value=k, label=str(v)) for k, v in FORMAT_LABELS.items()]
        self.round.choices = _choices(choices.rounds)
        self.region.choices = _choices(choices.regions)
        self.country.choices = _choices(choices.countries)
        self.status.choices = _choices(choices.statuses, dict(STATUS_LABELS))
        self.version.choices = _choices(choices.versions)

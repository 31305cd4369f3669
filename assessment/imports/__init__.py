"""Bulk import of cities and accounts from CSV files, for the admin pages and the commands.

``import_cities`` and ``import_users`` read a file, plan every row (reading only), then write all
of it, only the valid rows, or nothing, as the mode says; each returns an ``ImportReport`` with
what happened to every row and why. They flush and record the import in the audit trail; the
caller commits once.
"""

from assessment.imports.cities import CITY_COLUMNS, import_cities
from assessment.imports.files import MAX_ROWS, Column, ImportFileError, example_csv
from assessment.imports.report import ImportAccessError, ImportReport, Mode, Outcome, RowReport
from assessment.imports.users import USER_COLUMNS, import_users

__all__ = [
    "CITY_COLUMNS", "MAX_ROWS", "USER_COLUMNS", "Column", "ImportAccessError", "ImportFileError",
    "ImportReport", "Mode", "Outcome", "RowReport", "example_csv", "import_cities", "import_users",
]

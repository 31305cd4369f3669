"""How tables are described: typed columns, plain-tuple rows and the assessment columns they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessment.assessments.models import AssessmentStatus
from assessment.questionnaire import QuestionType

# Length of the questionnaire content hash shown in tables: enough to tell versions apart.
HASH_PREFIX = 12

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | integer | number | boolean | datetime
    description: str
    nullable: bool = True
    # The variable label of the statistical files (default: the description), e.g. a question's
    # text in the label language.
    label: str | None = None
    # Value labels (code, label), the missing-value codes among them included.
    value_labels: tuple[tuple[int, str], ...] = ()
    # Codes that say why there is no answer: user-missing in SPSS, extended missing in Stata.
    missing: tuple[int, ...] = ()


_STATUS_VALUES = [s.value for s in AssessmentStatus]
_STATUSES = f"{', '.join(_STATUS_VALUES[:-1])} or {_STATUS_VALUES[-1]}."

# Where a city is: the first columns of every table with one city a row (the open data too).
PLACE_COLUMNS = [
    Column("round", "string", "Assessment round, e.g. 2026.", nullable=False),
    Column("region", "string", "Region of the city.", nullable=False),
    Column("country", "string", "Country of the city.", nullable=False),
    Column("country_iso", "string", "ISO 3166-1 alpha-3 code of the country, when known."),
    Column("city_id", "integer", "Identifier of the city (stable across rounds).", nullable=False),
    Column("city", "string", "City name.", nullable=False),
]
SIZE_CLASS_COLUMN = Column(
    "size_class", "string", "Size class by population: small (under 300,000), medium "
    "(to 1 million), large (to 5 million) or very_large; the dashboards filter on it.")
QUESTIONNAIRE_VERSION_COLUMN = Column(
    "questionnaire_version", "string", "Label of the questionnaire version answered.", nullable=False)

# The columns the long, wide and scores tables start with (selected by ``query.assessment_select``).
ASSESSMENT_COLUMNS = [
    Column("assessment_id", "integer", "Identifier of the assessment (one city in one round).",
           nullable=False),
    *PLACE_COLUMNS,
    Column("population", "integer", "Population of the city, as recorded now (not at the time "
           "of the round)."),
    SIZE_CLASS_COLUMN,
    Column("peer_groups", "string", "The peer groups the city belongs to now, by name, "
           "separated by '; '; empty when none."),
    QUESTIONNAIRE_VERSION_COLUMN,
    Column("questionnaire_hash", "string",
           f"First {HASH_PREFIX} characters of the SHA-256 of the questionnaire file: "
           "two versions with the same label but different content differ here.", nullable=False),
    Column("status", "string", f"Assessment status: {_STATUSES}", nullable=False),
]

N_ASSESSMENT = len(ASSESSMENT_COLUMNS)
# Where the city id and the peer groups sit in those columns: the groups are added to each row
# after the query (``query.with_peer_groups``).
CITY_AT = [c.name for c in ASSESSMENT_COLUMNS].index("city_id")
PEERS_AT = [c.name for c in ASSESSMENT_COLUMNS].index("peer_groups")

# The columns the wide table starts with, before one column per question.
WIDE_FIXED = [
    *ASSESSMENT_COLUMNS,
    Column("completeness", "number", "Share of applicable scored questions answered (0-1).", nullable=False),
    Column("overall_index", "number",
           "Overall index, 0-100, stored at submission; empty for drafts."),
    Column("overall_geometric", "number", "Geometric overall score, 0-100; empty for drafts."),
    Column("submitted_at", "datetime", "When the assessment was last submitted (UTC)."),
]
WIDE_FIXED_NAMES = frozenset(c.name for c in WIDE_FIXED)

# "maturity, yes_no, ... or evidence.": every question type, so a new one is listed too.
_TYPES = [t.value for t in QuestionType]
TYPE_NAMES = f"{', '.join(_TYPES[:-1])} or {_TYPES[-1]}."

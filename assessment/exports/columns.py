"""How tables are described: typed columns, plain-tuple rows and the assessment columns they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


# The columns the long, wide and scores tables start with (selected by ``query.assessment_select``).
ASSESSMENT_COLUMNS = [
    Column("assessment_id", "integer", "Identifier of the assessment (one city in one round).",
           nullable=False),
    Column("round", "string", "Assessment round, e.g. 2026.", nullable=False),
    Column("region", "string", "Region of the city.", nullable=False),
    Column("country", "string", "Country of the city.", nullable=False),
    Column("country_iso", "string", "ISO 3166-1 alpha-3 code of the country, when known."),
    Column("city_id", "integer", "Identifier of the city (stable across rounds).", nullable=False),
    Column("city", "string", "City name.", nullable=False),
    Column("questionnaire_version", "string", "Label of the questionnaire version answered.", nullable=False),
    Column("questionnaire_hash", "string",
           f"First {HASH_PREFIX} characters of the SHA-256 of the questionnaire file: "
           "two versions with the same label but different content differ here.", nullable=False),
    Column("status", "string", "Assessment status: draft, submitted or reopened.", nullable=False),
]

N_ASSESSMENT = len(ASSESSMENT_COLUMNS)

# "maturity, yes_no, ... or evidence.": every question type, so a new one is listed too.
_TYPES = [t.value for t in QuestionType]
TYPE_NAMES = f"{', '.join(_TYPES[:-1])} or {_TYPES[-1]}."

"""The OpenAPI 3.1 description of the API, written here by hand.

The row schemas are built from the same column lists the tables are written with, so the
description cannot drift from what the API returns; the test suite checks every response
against it with schemathesis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessment.assessments.models import AssessmentStatus
from assessment.exports.actions import ACTION_COLUMNS
from assessment.exports.answers import CHOICE_COLUMNS, LONG_COLUMNS, WIDE_FIXED
from assessment.exports.codebook import CODEBOOK_COLUMNS
from assessment.exports.columns import Column
from assessment.exports.scores import SCORE_COLUMNS
from assessment.exports.services import TABLES
from assessment.i18n import LANGUAGES

MAX_PAGE = 1_000_000
MAX_FILTER_LENGTH = 200

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
               "datetime": "string"}


def _column_schema(column: Column) -> dict[str, Any]:
    kind = _JSON_TYPES[column.type]
    schema: dict[str, Any] = {"type": [kind, "null"] if column.nullable else kind,
                              "description": column.description}
    if column.type == "datetime":
        schema["format"] = "date-time"
    return schema


def _row_schema(columns: Sequence[Column], description: str, *,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {c.name: _column_schema(c) for c in columns},
        "required": [c.name for c in columns],
        "additionalProperties": extra if extra is not None else False,
    }


def _page_of(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "page", "per_page", "total", "next"],
        "additionalProperties": False,
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0, "description": "Rows matching the query."},
            "next": {"type": ["string", "null"], "format": "uri",
                     "description": "Absolute URL of the next page; null on the last page."},
        },
    }


def _error(description: str, *, challenge: bool = False, retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if challenge:
        response["headers"] = {"WWW-Authenticate": {
            "description": "The Bearer challenge (RFC 6750).", "required": True,
            "schema": {"type": "string"}}}
    if retry:
        response["headers"] = {"Retry-After": {
            "description": "Seconds to wait.", "schema": {"type": "string"}}}
    return response


_ERRORS = {
    "401": _error("Missing, unknown, revoked or expired token.", challenge=True),
    "429": _error("Too many requests with a missing or wrong token from this address.", retry=True),
}


# Text without control characters (tab and line breaks aside) or undecodable bytes: the rest is
# refused with 400 before any query runs (see assessment.storable).
STORABLE_TEXT = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ufffd]*$"


def _text_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "maxLength": MAX_FILTER_LENGTH, "pattern": STORABLE_TEXT}}


def _parameters(config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "page": {"name": "page", "in": "query", "required": False,
                 "description": "Page number, from 1.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
        "per_page": {"name": "per_page", "in": "query", "required": False,
                     "description": "Rows per page; larger values are capped at "
                                    f"{config['API_MAX_PAGE_SIZE']}.",
                     "schema": {"type": "integer", "minimum": 1,
                                "default": config["API_PAGE_SIZE"]}},
        "round": _text_parameter("round", "Only this round (its name, e.g. 2026)."),
        "region": _text_parameter("region", "Only this region (its name)."),
        "country": _text_parameter("country", "Only this country (its name)."),
        "status": {"name": "status", "in": "query", "required": False,
                   "description": "Only assessments with this status.",
                   "schema": {"type": "string", "enum": [s.value for s in AssessmentStatus]}},
        "version": _text_parameter(
            "version", "Only this questionnaire version: its label, or the first characters "
                       "(at least 4) of its content hash."),
        "lang": {"name": "lang", "in": "query", "required": False,
                 "description": "Language of the label columns (answer labels, element titles, "
                                "question texts). Ids, codes and values are the same in every "
                                "language.",
                 "schema": {"type": "string", "enum": list(LANGUAGES), "default": "en"}},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _list_operation(summary: str, description: str, item: str, parameters: list[str],
                    tag: str) -> dict[str, Any]:
    return {"get": {
        "summary": summary,
        "description": description,
        "tags": [tag],
        "operationId": f"list{item}",
        "parameters": [_ref(p) for p in ["page", "per_page", *parameters]],
        "responses": {
            "200": {"description": "One page of results.", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{item}Page"}}}},
            "400": _error("A parameter has a value that cannot be used."),
            **_ERRORS,
            **({"403": _error("The token may not read this table.", challenge=True)}
               if tag == "Tables" else {}),
        },
    }}


_FILTERS = ["round", "region", "country", "status", "version", "lang"]
_NAMED = {
    "type": "object", "required": ["id", "name"], "additionalProperties": False,
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def document(config: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """The OpenAPI document, with the server's own URL and page sizes."""
    wide_values = {"type": ["number", "null"],
                   "description": "One property per question (one per option of a multiple "
                                  "choice), named as the codebook's wide_column: the answer's "
                                  "code or number, or a negative code saying why it is missing."}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object", "required": ["error", "detail"], "additionalProperties": False,
            "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
        },
        "Me": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "email", "name", "role", "city", "region", "token"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "name": {"type": "string"},
                "role": {"type": "string", "enum": ["official", "regional", "analyst", "admin"]},
                "city": {"oneOf": [_NAMED, {"type": "null"}],
                         "description": "An official's city."},
                "region": {"oneOf": [_NAMED, {"type": "null"}],
                           "description": "A regional user's region."},
                "token": {
                    "type": "object", "additionalProperties": False,
                    "required": ["id", "name", "prefix", "created_at", "last_used_at",
                                 "expires_at", "tables", "regions"],
                    "properties": {
                        "id": {"type": "integer"}, "name": {"type": "string"},
                        "prefix": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
                        "expires_at": {"type": "string", "format": "date-time",
                                       "description": "When the token stops working."},
                        "tables": {"type": ["array", "null"], "items": {"type": "string"},
                                   "description": "The tables it may read; null: every table."},
                        "regions": {"type": ["array", "null"], "items": _NAMED,
                                    "description": "The regions it may read; null: every "
                                                   "region the account may see."},
                    },
                },
            },
        },
        "Round": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "opens_on", "closes_on", "opens_at", "closes_at", "time_zone",
                         "questionnaire_version", "questionnaire_hash", "assessments"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "opens_on": {"type": "string", "format": "date"},
                "closes_on": {"type": ["string", "null"], "format": "date"},
                "opens_at": {"type": "string", "format": "date-time",
                             "description": "When the round opens, ISO 8601 with the offset of its "
                                            "time zone."},
                "closes_at": {"type": ["string", "null"], "format": "date-time",
                              "description": "When the round closes, ISO 8601 with the offset of its "
                                             "time zone; null when it has no closing date. A city "
                                             "may have been given a later deadline."},
                "time_zone": {"type": "string", "description": "The IANA time zone of the round's "
                                                               "clock, e.g. Africa/Nairobi."},
                "questionnaire_version": {"type": "string"},
                "questionnaire_hash": {"type": "string"},
                "assessments": {"type": "integer", "minimum": 0,
                                "description": "Assessments in this round that you may see."},
            },
        },
        "Region": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "countries", "cities"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "countries": {"type": "integer", "minimum": 0},
                "cities": {"type": "integer", "minimum": 0,
                           "description": "Cities of the region that you may see."},
            },
        },
        "City": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "country", "country_iso", "region", "population",
                         "size_class"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "country": {"type": "string"}, "country_iso": {"type": ["string", "null"]},
                "region": {"type": "string"}, "population": {"type": ["integer", "null"]},
                "size_class": {"type": ["string", "null"],
                               "enum": ["small", "medium", "large", "very_large", None]},
            },
        },
        "LongRow": _row_schema(LONG_COLUMNS, TABLES["long"].summary),
        "WideRow": _row_schema(WIDE_FIXED, TABLES["wide"].summary, extra=wide_values),
        "ChoicesRow": _row_schema(CHOICE_COLUMNS, TABLES["choices"].summary),
        "ScoresRow": _row_schema(SCORE_COLUMNS, TABLES["scores"].summary),
        "CodebookRow": _row_schema(CODEBOOK_COLUMNS, TABLES["codebook"].summary),
        "ActionsRow": _row_schema(ACTION_COLUMNS, TABLES["actions"].summary),
    }
    for item in ("Round", "Region", "City", "LongRow", "WideRow", "ChoicesRow", "ScoresRow",
                 "CodebookRow", "ActionsRow"):
        schemas[f"{item}Page"] = _page_of(item)

    paths: dict[str, Any] = {
        "/me": {"get": {
            "summary": "The account the token belongs to",
            "tags": ["Account"], "operationId": "getMe",
            "responses": {"200": {"description": "The caller.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Me"}}}}, **_ERRORS},
        }},
        "/rounds": _list_operation("Rounds", "Every round, oldest first.", "Round", [], "Lists"),
        "/regions": _list_operation("Regions", "Regions you may see, by name.", "Region", [],
                                    "Lists"),
        "/cities": _list_operation("Cities", "Cities you may see, by name.", "City",
                                   ["region", "country"], "Lists"),
        "/tables/long": _list_operation(
            "Answers, long", TABLES["long"].summary + " Ordered by assessment, then as the "
            "questionnaire asks.",
            "LongRow", _FILTERS, "Tables"),
        "/tables/wide": _list_operation(
            "Answers, wide", TABLES["wide"].summary + " Ordered by assessment id.", "WideRow",
            _FILTERS, "Tables"),
        "/tables/choices": _list_operation(
            "Chosen options", TABLES["choices"].summary + " Ordered by assessment, then as the "
            "questionnaire asks, then as the answer lists the options.", "ChoicesRow", _FILTERS, "Tables"),
        "/tables/scores": _list_operation(
            "Element scores", TABLES["scores"].summary + " Drafts that were never submitted "
            "have no rows.", "ScoresRow", _FILTERS, "Tables"),
        "/tables/codebook": _list_operation(
            "Codebook", TABLES["codebook"].summary + " Only the round and version filters apply.",
            "CodebookRow", ["round", "version", "lang"], "Tables"),
        "/tables/actions": _list_operation(
            "Action plans", TABLES["actions"].summary + " The filters apply to the assessment each "
            "action was made from. Ordered by assessment, then action id.", "ActionsRow",
            ["round", "region", "country", "status", "version"], "Tables"),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "City Innovation Self-Assessment API",
            "version": "1",
            "description": "Read-only access to the response tables and reference lists. "
                           "Authenticate with a personal access token (create one on your "
                           "account page): `Authorization: Bearer cisa_...`. You see the same "
                           "cities as on the web pages: officials their city, regional users "
                           "their region, analysts and admins every city. A token expires "
                           "(90 days after it is made by default) and may be limited to some "
                           "tables and some regions; an expired token gets 401, a table it "
                           "may not read 403.",
        },
        "servers": [{"url": base_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "cisa_ followed by 43 characters"}},
            "parameters": _parameters(config),
            "schemas": schemas,
        },
    }

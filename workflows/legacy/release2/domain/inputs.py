"""The rules every request body follows, written once as annotated types.

Whatever a request model accepts must be storable as it is: PostgreSQL `text` refuses NUL
and anything that is not UTF-8 (a lone surrogate such as JSON's `"\\ud800"`), `integer`
holds 32 bits and `bigint` 64, `numeric(18, 4)` fourteen whole digits and four decimals.
Each type refuses what falls outside with a message naming the rule, so a bad body is a
422 naming the field and never reaches the database.

* Text: bounded in characters; single-line text (numbers, names, codes) refuses every
  control character, multiline text (reasons, descriptions) allows tab and line breaks.
* Numbers: JSON numbers, or strings holding a plain decimal (`"12.5"`); never a boolean,
  never `"1_000"`, `"1e3"`, `" 1 "` or digits of other scripts.
* Dates: ISO 8601 strings (`"2026-12-01"`), never a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    PlainValidator,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

PG_INT_MAX = 2**31 - 1
PG_BIGINT_MAX = 2**63 - 1

# C0 and C1 control characters and DEL; multiline text keeps tab, line feed and return.
_SINGLE_LINE_BAD = "\x00-\x1f\x7f-\x9f"
_MULTILINE_BAD = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = {
    False: re.compile(f"[{_SINGLE_LINE_BAD}]"),
    True: re.compile(f"[{_MULTILINE_BAD}]"),
}
_SCHEMA_PATTERN = {
    False: "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
    True: "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
}


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text of this kind, or None when it can."""
    surrogate = _SURROGATE.search(value)
    if surrogate is not None:
        return (
            f"must be valid Unicode text: U+{ord(surrogate.group()):04X} at position"
            f" {surrogate.start()} is a lone surrogate"
        )
    control = _CONTROL[multiline].search(value)
    if control is not None:
        allowed = " (tabs and line breaks are allowed)" if multiline else ""
        return (
            f"must not contain control characters{allowed}: U+{ord(control.group()):04X}"
            f" at position {control.start()}"
        )
    return None


@dataclass(frozen=True)
class Text:
    """A string annotation: at most `max_length` characters (after stripping surrounding
    whitespace when `strip`), at least `min_length`, no control character (tab and line
    breaks allowed when `multiline`), no lone surrogate, and matching `pattern` if given
    (`pattern_rule` says it in words)."""

    max_length: int
    min_length: int = 0
    multiline: bool = False
    strip: bool = True
    pattern: str | None = None
    pattern_rule: str = ""

    def check(self, value: str) -> str:
        if self.strip:
            value = value.strip()
        if len(value) > self.max_length:
            raise PydanticCustomError(
                "string_too_long",
                "must have at most {max_length} characters ({length} given)",
                {"max_length": self.max_length, "length": len(value)},
            )
        problem = text_problem(value, multiline=self.multiline)
        if problem is not None:
            raise PydanticCustomError("text_not_storable", problem)
        if len(value) < self.min_length:
            if self.min_length == 1:
                raise PydanticCustomError("string_too_short", "must not be empty")
            raise PydanticCustomError(
                "string_too_short",
                "must have at least {min_length} characters",
                {"min_length": self.min_length},
            )
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            raise PydanticCustomError("string_pattern_mismatch", self.pattern_rule or "bad format")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, core_schema.str_schema())

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(maxLength=self.max_length)
        if self.min_length:
            json_schema["minLength"] = self.min_length
        json_schema["pattern"] = (
            f"^{self.pattern}$" if self.pattern else _SCHEMA_PATTERN[self.multiline]
        )
        return json_schema


# --------------------------------------------------------------------------- numbers

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_PLAIN_WHOLE = re.compile(r"-?[0-9]+", re.ASCII)


@dataclass(frozen=True)
class PlainNumber:
    """A number annotation: a JSON number, or a string holding a plain decimal (a whole
    number when `whole`). Booleans, exponents, underscores, spaces and other scripts' digits
    are refused before the number type sees them."""

    whole: bool = False

    def check(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError("number_type", "must be a number, not a boolean")
        if isinstance(value, str):
            plain = _PLAIN_WHOLE if self.whole else _PLAIN_DECIMAL
            if len(value) > 64 or plain.fullmatch(value) is None:
                example = '"12"' if self.whole else '"12.5"'
                raise PydanticCustomError(
                    "number_format",
                    f"must be a JSON number or a string holding a plain decimal such as"
                    f" {example} (no exponent, separators, spaces or signs other than -)",
                )
            return value
        if isinstance(value, int | float | Decimal):
            return value
        raise PydanticCustomError("number_type", "must be a number")

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        for branch in json_schema.get("anyOf", []):
            if branch.get("type") == "string":
                branch["pattern"] = "^-?[0-9]+$" if self.whole else r"^-?[0-9]+(\.[0-9]+)?$"
        return json_schema


WHOLE = PlainNumber(whole=True)
DECIMAL = PlainNumber()

# numeric(18, 4): fourteen whole digits and four decimals.
PositiveQuantity = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4), DECIMAL]
NonNegativeQuantity = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4), DECIMAL]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4), DECIMAL]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=9, decimal_places=4), DECIMAL]
# Over-ship tolerances and transfer markups may exceed 100 %.
LargePercent = Annotated[Decimal, Field(ge=0, le=1000, max_digits=9, decimal_places=4), DECIMAL]

PgInt = Annotated[int, Field(ge=-(2**31), le=PG_INT_MAX), WHOLE]
PgBigInt = Annotated[int, Field(ge=-(2**63), le=PG_BIGINT_MAX), WHOLE]
LineNumber = Annotated[int, Field(ge=1, le=99999), WHOLE]
# A kit's component (domain/kits.py: at most 99 per kit).
ComponentNumber = Annotated[int, Field(ge=1, le=99), WHOLE]
# A supply document's line (`po_line`): an `integer` column.
DocumentLine = Annotated[int, Field(ge=1, le=PG_INT_MAX), WHOLE]
Days = Annotated[int, Field(ge=0, le=3650), WHOLE]
Rank = Annotated[int, Field(ge=1, le=99), WHOLE]
QuantityDecimalPlaces = Annotated[int, Field(ge=0, le=4), WHOLE]
# Customers' party ids (Order Hub's BuyingPartyId): a positive `bigint`.
PartyId = Annotated[int, Field(ge=1, le=PG_BIGINT_MAX), WHOLE]


# --------------------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "must be an ISO 8601 date string (YYYY-MM-DD)")


@dataclass(frozen=True)
class _IsoDate:
    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(_iso_date, handler(source))


IsoDate = Annotated[date, _IsoDate()]


# --------------------------------------------------------------------------- text

IDENTIFIER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._\-]*"
# Business identifiers end up in workflow ids and URLs: printable and bounded.
Identifier = Annotated[
    str,
    Text(
        64,
        min_length=1,
        pattern=IDENTIFIER_PATTERN,
        pattern_rule="must start with a letter or digit and hold only letters, digits,"
        " '.', '_' and '-'",
    ),
]
# Names and PO numbers: one line of at most 240 characters, as Order Hub caps them.
Name = Annotated[str, Text(240, min_length=1)]
PoNumber = Annotated[str, Text(240)]
# Matched against PO numbers as given: not stripped.
PoPrefix = Annotated[str, Text(240, min_length=1, strip=False)]
Description = Annotated[str, Text(240, multiline=True)]
Reason = Annotated[str, Text(500, min_length=1, multiline=True)]
# Lines of one order, booked at once or added by revisions (the contract's large orders).
MAX_ORDER_LINES = 10_000
UomCode = Annotated[str, Text(25, min_length=1)]
Currency = Annotated[
    str,
    Text(
        3,
        min_length=3,
        strip=False,
        pattern="[A-Z]{3}",
        pattern_rule="must be an ISO 4217 currency code: three capital letters",
    ),
]


# --------------------------------------------------------------------------- foreign values

_EXTERNAL_ID_TEXT = Text(240)


def _external_id(value: Any) -> str | int:
    if isinstance(value, bool):
        raise PydanticCustomError("external_id_type", "must be a string or a number, not a boolean")
    if isinstance(value, int):
        if not 0 <= value <= PG_BIGINT_MAX:
            raise PydanticCustomError(
                "int_range", "must be a number from 0 to {max}", {"max": PG_BIGINT_MAX}
            )
        return value
    if isinstance(value, str):
        return _EXTERNAL_ID_TEXT.check(value)
    raise PydanticCustomError("external_id_type", "must be a string or a whole number")


# Another system's identifier (Order Hub's line ids): text as a name is, or a whole number.
ExternalId = Annotated[
    str | int,
    PlainValidator(_external_id),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": 240}, {"type": "integer", "minimum": 0}]}
    ),
]

# Fields another system sends that are accepted and ignored: never stored, but bounded.
IGNORED_VALUE_MAX_CHARS = 2000


def _bounded(value: JsonValue) -> JsonValue:
    """An ignored value, refused when its text (keys and strings) is over the bound."""
    size, pending = 0, [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, dict):
            size += sum(len(k) for k in item)
            pending.extend(item.values())
        elif isinstance(item, list):
            size += len(item)
            pending.extend(item)
        if size > IGNORED_VALUE_MAX_CHARS:
            raise PydanticCustomError(
                "ignored_too_long",
                "an ignored field may hold at most {max_chars} characters",
                {"max_chars": IGNORED_VALUE_MAX_CHARS},
            )
    return value


IgnoredJson = Annotated[JsonValue, AfterValidator(_bounded)]

"""The annotated types every request body is made of, as tables, and a property: whatever
text they accept is storable in PostgreSQL `text`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from domain.inputs import (
    PG_BIGINT_MAX,
    PG_INT_MAX,
    Currency,
    Description,
    DocumentLine,
    ExternalId,
    Identifier,
    IgnoredJson,
    IsoDate,
    LineNumber,
    Money,
    Name,
    PartyId,
    PgBigInt,
    PgInt,
    PoNumber,
    PoPrefix,
    PositiveQuantity,
    Reason,
    Text,
    UomCode,
    text_problem,
)

D = Decimal


def accepts(kind: Any, value: Any) -> Any:
    return TypeAdapter(kind).validate_python(value)


def refusal(kind: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    return str(caught.value.errors()[0]["msg"])


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [
        (PoNumber, "PO\x00-1", "control characters: U+0000"),
        (PoNumber, "PO\ud800", "lone surrogate"),
        (PoNumber, "\udfff", "lone surrogate"),
        (PoNumber, "x" * 241, "at most 240 characters (241 given)"),
        (PoNumber, "x" * 5_000_000, "at most 240 characters"),
        (PoNumber, "PO\n1", "control characters: U+000A"),
        (PoNumber, "P\x7fO", "control characters: U+007F"),
        (PoNumber, "P\x85O", "control characters: U+0085"),
        (Name, "", "must not be empty"),
        (Name, "   ", "must not be empty"),
        (Name, "Acme\tCorp", "control characters: U+0009"),
        (Name, "n" * 241, "at most 240"),
        (Reason, "r" * 501, "at most 500 characters"),
        (Reason, "broken\x00reason", "tabs and line breaks are allowed"),
        (Reason, "", "must not be empty"),
        (Description, "d" * 241, "at most 240"),
        (UomCode, "", "must not be empty"),
        (UomCode, "u" * 26, "at most 25"),
        (Identifier, "SO 1", "letters, digits"),
        (Identifier, "SO-\x001", "control characters"),
        (Identifier, "-SO", "start with a letter or digit"),
        (Identifier, "S" * 65, "at most 64"),
        (Identifier, "SO-١", "letters, digits"),
        (Currency, "usd", "ISO 4217"),
        (Currency, "USDX", "at most 3"),
        (PoNumber, 7, "valid string"),
    ],
)
def test_text_refuses_what_postgresql_or_the_rule_cannot_take(
    kind: Any, value: Any, rule: str
) -> None:
    assert rule in refusal(kind, value)


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        (PoNumber, "  PO-7781 ", "PO-7781"),
        (PoNumber, "PO-7781\r\n", "PO-7781"),
        (PoNumber, "", ""),
        (PoNumber, "x" * 240, "x" * 240),
        (PoNumber, "Bestellung für Zürich 🚚", "Bestellung für Zürich 🚚"),
        (PoNumber, "أمر شراء ١٢", "أمر شراء ١٢"),
        (Name, "Initech", "Initech"),
        (Reason, "Customer called:\n\tno longer needed", "Customer called:\n\tno longer needed"),
        (Reason, "r" * 500, "r" * 500),
        (Description, "Laptop,\r\n32 GB", "Laptop,\r\n32 GB"),
        (Identifier, " SO-1001 ", "SO-1001"),
        (PoPrefix, " Cancel_", " Cancel_"),
        (Currency, "EUR", "EUR"),
        (UomCode, "Ea", "Ea"),
    ],
)
def test_text_keeps_what_is_valid(kind: Any, value: str, stored: str) -> None:
    assert accepts(kind, value) == stored


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1_000", "plain decimal"),
        ("١", "plain decimal"),
        ("1e3", "plain decimal"),
        (" 1 ", "plain decimal"),
        ("+1", "plain decimal"),
        (".5", "plain decimal"),
        ("", "plain decimal"),
        ("1" * 100, "plain decimal"),
        (True, "not a boolean"),
        (False, "not a boolean"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (1e400, "finite"),
        (0, "greater than 0"),
        (-1, "greater than 0"),
        ("0.00001", "decimal places"),
        (10**15, "digits"),
        ([1], "must be a number"),
        (None, "must be a number"),
    ],
)
def test_quantities_are_json_numbers_or_plain_decimal_strings(value: Any, rule: str) -> None:
    assert rule in refusal(PositiveQuantity, value)


@pytest.mark.parametrize(
    ("value", "quantity"),
    [
        (5, D(5)),
        (2.5, D("2.5")),
        (1e3, D(1000)),
        ("12.5", D("12.5")),
        ("0.0001", D("0.0001")),
        ("00012", D(12)),
        (D("3"), D(3)),
        ("99999999999999.9999", D("99999999999999.9999")),
    ],
)
def test_quantities_keep_numbers_and_plain_decimals(value: Any, quantity: Decimal) -> None:
    assert accepts(PositiveQuantity, value) == quantity


def test_money_takes_zero_and_refuses_booleans() -> None:
    assert accepts(Money, "0") == 0
    assert "not a boolean" in refusal(Money, True)
    assert "greater than or equal to 0" in refusal(Money, "-1")


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [
        (LineNumber, True, "not a boolean"),
        (LineNumber, 0, "greater than or equal to 1"),
        (LineNumber, 100_000, "less than or equal to 99999"),
        (LineNumber, "1.0", "plain decimal"),
        (LineNumber, "1_0", "plain decimal"),
        (LineNumber, 1.5, "integer"),
        (DocumentLine, 2**31, "less than or equal to 2147483647"),
        (PgInt, 2**31, "less than or equal to 2147483647"),
        (PgInt, -(2**31) - 1, "greater than or equal to -2147483648"),
        (PgBigInt, 2**63, "less than or equal to 9223372036854775807"),
        (PartyId, 0, "greater than or equal to 1"),
        (PartyId, -1, "greater than or equal to 1"),
        (PartyId, 2**63, "less than or equal to 9223372036854775807"),
        (PartyId, True, "not a boolean"),
    ],
)
def test_integers_fit_their_column(kind: Any, value: Any, rule: str) -> None:
    assert rule in refusal(kind, value)


@pytest.mark.parametrize(
    ("kind", "value", "number"),
    [
        (LineNumber, 1, 1),
        (LineNumber, "42", 42),
        (LineNumber, 2.0, 2),
        (DocumentLine, PG_INT_MAX, PG_INT_MAX),
        (PgInt, -(2**31), -(2**31)),
        (PartyId, PG_BIGINT_MAX, PG_BIGINT_MAX),
        (PartyId, "1006", 1006),
    ],
)
def test_integers_within_their_column_are_kept(kind: Any, value: Any, number: int) -> None:
    assert accepts(kind, value) == number


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (0, "ISO 8601 date string"),
        (1764547200, "ISO 8601 date string"),
        (True, "ISO 8601 date string"),
        ("2026-13-01", "month"),
        ("2026-02-30", "day"),
        ("01/12/2026", "ISO 8601 date string"),
        ("2026-12-01T00:00:00", "ISO 8601 date string"),
        ("２０２６-12-01", "ISO 8601 date string"),
    ],
)
def test_dates_are_iso_strings(value: Any, rule: str) -> None:
    assert rule in refusal(IsoDate, value)


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [
        (ExternalId, True, "not a boolean"),
        (ExternalId, -1, "from 0 to"),
        (ExternalId, 2**63, "from 0 to"),
        (ExternalId, "id\x00", "control characters"),
        (ExternalId, "\ud800", "lone surrogate"),
        (ExternalId, "i" * 241, "at most 240"),
        (ExternalId, 1.5, "string or a whole number"),
        (IgnoredJson, "p" * 2001, "at most 2000 characters"),
        (IgnoredJson, [{"k" * 1000: "v" * 1001}], "at most 2000 characters"),
        (IgnoredJson, [["x" * 100] * 30], "at most 2000 characters"),
    ],
)
def test_foreign_values_are_bounded(kind: Any, value: Any, rule: str) -> None:
    assert rule in refusal(kind, value)


def test_foreign_values_within_bounds_are_kept() -> None:
    assert accepts(ExternalId, " 1 ") == "1"
    assert accepts(ExternalId, 2**63 - 1) == 2**63 - 1
    payload = [{"CustomerAccountId": 1006, "SiteUseId": 1025, "ContactFirstName": "Charles"}]
    assert accepts(IgnoredJson, payload) == payload


def test_dates_keep_iso_strings_and_dates() -> None:
    assert accepts(IsoDate, "2026-12-01") == date(2026, 12, 1)
    assert accepts(IsoDate, date(2026, 12, 1)) == date(2026, 12, 1)


def test_text_documents_its_bounds_in_the_json_schema() -> None:
    schema = TypeAdapter(PoNumber).json_schema()
    assert schema["maxLength"] == 240 and schema["type"] == "string"
    assert "\\u0000" in schema["pattern"]
    quantity = TypeAdapter(PositiveQuantity).json_schema()
    strings = [b for b in quantity["anyOf"] if b["type"] == "string"]
    assert strings == [{"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}]


# Every code point, surrogates and controls included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
TEXTS = [Text(240), Text(500, multiline=True), Text(240, strip=False), Text(25, min_length=1)]


def storable(text: str) -> bool:
    """What PostgreSQL text takes: UTF-8 without NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@settings(max_examples=400, deadline=None)
@given(text=ANY_TEXT, rule=st.sampled_from(TEXTS))
def test_text_accepts_exactly_storable_text_within_its_bounds(text: str, rule: Text) -> None:
    adapter = TypeAdapter(Annotated[str, rule])
    kept = text.strip() if rule.strip else text
    expected = (
        text_problem(kept, multiline=rule.multiline) is None
        and rule.min_length <= len(kept) <= rule.max_length
    )
    try:
        stored = adapter.validate_python(text)
    except ValidationError:
        assert not expected
        return
    assert expected and stored == kept
    assert storable(stored) and len(stored) <= rule.max_length


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,70}", fullmatch=True))
def test_accepted_identifiers_are_storable_ascii(text: str) -> None:
    try:
        stored = TypeAdapter(Identifier).validate_python(text)
    except ValidationError:
        return
    assert storable(stored) and stored.isascii() and 1 <= len(stored) <= 64


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT)
def test_text_refuses_exactly_the_unstorable_or_control_characters(text: str) -> None:
    problem = text_problem(text, multiline=False)
    controls = any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert (problem is not None) == (controls or not storable(text))

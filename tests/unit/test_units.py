"""The decimal places a quantity of an item may have, and the size of workflow inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.models import OrderInput
from domain.payload_limits import MAX_PAYLOAD_BYTES, oversize_problem, payload_size
from domain.units import decimal_places, first_precision_problem, places_of, precision_problem

D = Decimal


@pytest.mark.parametrize(
    ("uom", "item_places", "places"),
    [
        ("Ea", None, 0),
        ("EA", None, 0),
        ("each", None, 0),
        ("Box", None, 0),
        (" Pair ", None, 0),
        ("Kg", None, 4),
        ("L", None, 4),
        ("M", None, 4),
        ("Ea", 2, 2),
        ("Kg", 3, 3),
        ("Kg", 0, 0),
    ],
)
def test_decimal_places_of_an_item(uom: str, item_places: int | None, places: int) -> None:
    assert decimal_places(uom, item_places) == places


@pytest.mark.parametrize(
    ("quantity", "places"),
    [(D(50), 0), (D("50.0000"), 0), (D("1E+2"), 0), (D("2.5"), 1), (D("0.0001"), 4)],
)
def test_places_of_a_quantity_ignore_trailing_zeros(quantity: Decimal, places: int) -> None:
    assert places_of(quantity) == places


@pytest.mark.parametrize(
    ("quantity", "uom", "places", "problem"),
    [
        (D(50), "Ea", 0, None),
        (D("50.000"), "Ea", 0, None),
        (D("0.0001"), "Ea", 0, "0.0001 is not a valid quantity of Ea: a quantity of this item"
         " takes whole units"),
        (D("2.5"), "Ea", 0, "2.5 is not a valid quantity of Ea"),
        (D("2.5"), "Kg", 4, None),
        (D("2.125"), "Kg", 2, "takes at most 2 decimal places"),
        (D("2.12"), "Kg", 2, None),
    ],
)  # fmt: skip
def test_precision_problem(quantity: Decimal, uom: str, places: int, problem: str | None) -> None:
    found = precision_problem(quantity, uom=uom, places=places)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_first_precision_problem_names_the_field() -> None:
    quantities = {"picked_quantity": D(3), "backordered_quantity": D("0.5"), "other": None}
    found = first_precision_problem(quantities, uom="Ea", places=0)
    assert found is not None and found[0] == "backordered_quantity"
    assert first_precision_problem({"quantity": None}, uom="Ea", places=0) is None


@pytest.mark.parametrize(
    ("size", "refused"),
    [(0, False), (MAX_PAYLOAD_BYTES, False), (MAX_PAYLOAD_BYTES + 1, True), (5_000_000, True)],
)
def test_oversize_problem(size: int, refused: bool) -> None:
    problem = oversize_problem(size, what="the order's workflow input")
    assert (problem is not None) == refused
    if problem is not None:
        assert problem.startswith(f"the order's workflow input would be {size:,} bytes")


def test_payload_size_is_the_json_sent() -> None:
    order = OrderInput(order_number="SO-1", customer_number="C", lines=[])
    assert payload_size(order) == len(order.model_dump_json())

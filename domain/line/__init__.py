"""One fulfillment line's state: its quantity ledger, the facts that change it, and the
status derived from it. Pure: no I/O, no Temporal; the single writer in
`adapters/postgres/line/ledger.py` stores it, workflows and the API read it."""

from domain.line.facts import (
    Arrive,
    Cancel,
    DropShip,
    EnterPhase,
    Fact,
    Increase,
    Invoice,
    KitShipped,
    Pick,
    Refusal,
    Refused,
    Release,
    ReleaseExcess,
    ReserveStock,
    Ship,
    SupplyCreated,
    apply,
)
from domain.line.ledger import ZERO, Ledger, LedgerBroken, Phase, newest, violations
from domain.line.status import line_status

__all__ = [
    "ZERO",
    "Arrive",
    "Cancel",
    "DropShip",
    "EnterPhase",
    "Fact",
    "Increase",
    "Invoice",
    "KitShipped",
    "Ledger",
    "LedgerBroken",
    "Phase",
    "Pick",
    "Refusal",
    "Refused",
    "Release",
    "ReleaseExcess",
    "ReserveStock",
    "Ship",
    "SupplyCreated",
    "apply",
    "line_status",
    "newest",
    "violations",
]

"""What a line's workflow does next: one pure decision over the line's ledger and what its
workflow knows of its supply documents."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from workflows.legacy.release2.domain.line.ledger import ZERO, Ledger


class Step(StrEnum):
    SHIPPED = "SHIPPED"  # everything open has shipped: bill and close
    BILL_SHIPMENT = "BILL_SHIPMENT"  # a shipment of a line shipping in parts: its AR invoice
    SUPPLY_MORE = "SUPPLY_MORE"  # the ledger needs more than the documents still bring
    TELL_STAGED = "TELL_STAGED"  # a shipment-set line is staged: its order holds the set
    WAIT = "WAIT"  # for the next fact (a scan, a wave, stock, a cancel)


@dataclass(frozen=True)
class Progress:
    ledger: Ledger
    # What the line's pegged documents still bring (ordered on them, not arrived).
    outstanding: Decimal = ZERO
    # The line's first supply exists: later gaps are supplied by sourcing again.
    supplied_once: bool = False
    in_shipment_set: bool = False
    told_staged: bool = False
    # The line bills its shipments; a kit's component does not (its kit line does).
    bills: bool = True

    @property
    def need(self) -> Decimal:
        """What no document still brings and no reservation or shipment covers."""
        return max(self.ledger.to_supply - self.outstanding, ZERO)


def next_step(p: Progress) -> Step:
    """The step after the ledger's last fact. A canceled line (nothing open) is unwound by
    the cancel itself, before this is asked."""
    q = p.ledger
    if q.to_ship <= 0:
        return Step.SHIPPED
    if p.bills and q.shipped > q.invoiced:
        return Step.BILL_SHIPMENT
    if q.back_to_back and p.supplied_once and p.need > 0:
        return Step.SUPPLY_MORE
    if p.in_shipment_set and not p.told_staged and q.staged > 0 and q.in_pick <= 0:
        return Step.TELL_STAGED
    return Step.WAIT

"""How much each supply document pegged to a line keeps when the line needs less.

A line may be supplied by several documents (a split across sources, or a PO, work order
and transfer order of different ranks). When the line's open quantity drops, the documents
pegged first are kept first and the later ones are reduced first; what already arrived on a
document stays on it (and counts toward the line's need), and a quantity once canceled is
never reinstated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PeggedDocument:
    document_type: str
    document_number: str
    document_line: int
    quantity: Decimal  # as ordered on the document
    canceled_quantity: Decimal
    arrived_quantity: Decimal  # received or completed

    @property
    def key(self) -> tuple[str, int]:
        return (self.document_number, self.document_line)


def quantities_to_keep(
    needed: Decimal, documents: list[PeggedDocument]
) -> dict[tuple[str, int], Decimal]:
    """What each document keeps open, in peg order, for a line that needs `needed`: what
    arrived stays, and the rest of the need is spread over what is still outstanding."""
    rest = max(needed - sum((d.arrived_quantity for d in documents), Decimal(0)), Decimal(0))
    keep: dict[tuple[str, int], Decimal] = {}
    for document in documents:
        outstanding = document.quantity - document.canceled_quantity - document.arrived_quantity
        extra = min(rest, outstanding)
        keep[document.key] = document.arrived_quantity + extra
        rest -= extra
    return keep

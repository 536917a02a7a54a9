"""A supplier's acknowledgment of a purchase order (contract: "Supplier acknowledgments and
changes"), and the signal a pegged line gets from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from workflows.legacy.release2.domain.acknowledgments import AckAction, AckStatus
from workflows.legacy.release2.domain.inputs import (
    DocumentLine,
    Identifier,
    IsoDate,
    NonNegativeQuantity,
    Reason,
)
from workflows.legacy.release2.domain.models.base import StrictModel

# An EDI 855 rarely carries more lines than a PO has; each PO here has a line per pegged line.
MAX_ACKNOWLEDGED_LINES = 1_000


class AcknowledgmentLineIn(StrictModel):
    po_line: DocumentLine
    action: AckAction
    # CHANGE: what the PO line brings in all (received included).
    quantity: NonNegativeQuantity | None = None
    promised_date: IsoDate | None = None
    reason: Reason | None = None

    @model_validator(mode="after")
    def _fields_of_the_action(self) -> AcknowledgmentLineIn:
        if self.action is AckAction.CHANGE and self.quantity is None and not self.promised_date:
            raise ValueError("CHANGE needs a quantity or a promised_date")
        if self.action is not AckAction.CHANGE and self.quantity is not None:
            raise ValueError(f"quantity is for CHANGE only, not {self.action}")
        if self.action is AckAction.REJECT and self.promised_date is not None:
            raise ValueError("promised_date is not for REJECT")
        return self


class AcknowledgmentIn(StrictModel):
    acknowledgment_id: Identifier
    lines: Annotated[
        list[AcknowledgmentLineIn], Field(min_length=1, max_length=MAX_ACKNOWLEDGED_LINES)
    ]

    @model_validator(mode="after")
    def _each_line_once(self) -> AcknowledgmentIn:
        seen: set[int] = set()
        for line in self.lines:
            if line.po_line in seen:
                raise ValueError(f"po_line {line.po_line} appears twice")
            seen.add(line.po_line)
        return self


class SupplyAcknowledgedSignal(BaseModel):
    """To the line pegged to an acknowledged PO line: what the supplier said, and the
    shortfall it made (`cut` > 0), which the line re-sources without that supplier."""

    acknowledgment_id: str
    po_number: str
    po_line: int
    supplier: str
    status: AckStatus
    promised_date: date | None = None
    # What the PO line brings now, in all (received included).
    quantity: Decimal
    cut: Decimal = Decimal(0)
    shortfall_id: str | None = None
    # The shortfall in words: quantity, supplier, PO line and the supplier's reason.
    shortfall: str | None = None

"""What the activities need from each system. The PostgreSQL adapters implement these;
an external ERP adapter implements the same methods with the same idempotency keys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from domain.credit import CreditDecision
from domain.line import Ledger
from domain.models import (
    InvoiceResult,
    LineInput,
    PurchaseOrderResult,
    RequisitionResult,
    ReservationReleased,
    SourcingDecision,
    StockReservation,
    SupplyChange,
    SupplyOrderResult,
    TransferOrderResult,
    WorkOrderResult,
)
from domain.models.order_run import LineStarts, OrderClosing, ShipmentSetState
from domain.models.payloads import LineToStart
from domain.statuses import EventType, LineStatus


class MasterDataReader(Protocol):
    async def sourcing_inputs(self, item_number: str, organization: str) -> dict[str, Any]: ...


class ProcurementSystem(Protocol):
    async def create_supply_order(
        self, *, key: str, line: LineInput, decision: SourcingDecision
    ) -> SupplyOrderResult: ...

    async def create_requisition(
        self, *, key: str, supply_order_number: str, line: LineInput, decision: SourcingDecision
    ) -> RequisitionResult: ...

    async def create_purchase_order(
        self,
        *,
        key: str,
        line: LineInput,
        decision: SourcingDecision,
        supply_order_number: str,
        requisition_number: str,
        workflow_id: str,
        today: date,
    ) -> PurchaseOrderResult | None: ...

    async def reduce_for_line(
        self, *, key: str, order_number: str, line_number: int
    ) -> list[SupplyChange]: ...

    async def close_for_line(self, *, key: str, order_number: str, line_number: int) -> None: ...


class ManufacturingSystem(Protocol):
    async def create_work_order(
        self,
        *,
        key: str,
        line: LineInput,
        lead_time_days: int,
        supply_order_number: str,
        workflow_id: str,
        today: date,
        quantity: Decimal | None = None,
    ) -> WorkOrderResult | None: ...

    async def reduce_for_line(
        self, *, key: str, order_number: str, line_number: int
    ) -> list[SupplyChange]: ...

    async def close_for_line(self, *, key: str, order_number: str, line_number: int) -> None: ...


class TransferSystem(Protocol):
    async def create_transfer_order(
        self,
        *,
        key: str,
        line: LineInput,
        decision: SourcingDecision,
        supply_order_number: str,
        workflow_id: str,
        today: date,
    ) -> TransferOrderResult | None: ...

    async def reduce_for_line(
        self, *, key: str, order_number: str, line_number: int
    ) -> list[SupplyChange]: ...

    async def close_for_line(self, *, key: str, order_number: str, line_number: int) -> None: ...


class InventorySystem(Protocol):
    async def reserve_on_hand(self, *, key: str, line: LineInput) -> StockReservation: ...

    async def release_excess_reservation(
        self, *, key: str, order_number: str, line_number: int
    ) -> ReservationReleased: ...


class ShippingSystem(Protocol):
    async def set_status(
        self,
        *,
        key: str,
        order_number: str,
        line_number: int,
        status: LineStatus,
        event: EventType | None = None,
        data: dict[str, Any] | None = None,
    ) -> Ledger: ...

    async def line_event(
        self,
        *,
        key: str,
        order_number: str,
        line_number: int,
        event: EventType,
        data: dict[str, Any],
    ) -> None: ...

    async def order_event(
        self, *, key: str, order_number: str, event: EventType, data: dict[str, Any]
    ) -> None: ...

    async def release_shipment_set(
        self, *, key: str, order_number: str, shipment_set: str, lines: list[int]
    ) -> None: ...


class BillingSystem(Protocol):
    async def create_ar_invoice(self, *, key: str, line: LineInput) -> InvoiceResult: ...

    async def create_ap_invoice(
        self, *, key: str, order_number: str, line_number: int, po_number: str, po_line: int
    ) -> InvoiceResult: ...


class CreditSystem(Protocol):
    async def authorize(self, *, key: str, order_number: str) -> CreditDecision: ...

    async def close(self, *, key: str, order_number: str) -> None: ...


class OrderLinesStore(Protocol):
    """An order that starts its lines from their rows (`adapters/postgres/orders/lines.py`)."""

    async def to_start(self, batch: LineStarts) -> tuple[list[LineToStart], int | None]: ...

    async def release_ready_sets(
        self, *, key: str, order_number: str
    ) -> dict[str, ShipmentSetState]: ...

    async def close(self, *, key: str, order_number: str) -> OrderClosing: ...

"""How a `FulfillmentLineWorkflowV2` makes its supply: stock reserved, or the supply order
and the document the sourcing rules ask for (purchase order, work order, transfer order),
pegged to the line; how it reduces them after a cancel and bills the supplier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.billing import BillingActivities
    from workflows.legacy.release2.activities.inventory import InventoryActivities
    from workflows.legacy.release2.activities.manufacturing import ManufacturingActivities
    from workflows.legacy.release2.activities.payloads import ApInvoiceStep, LineStep, SupplyStep
    from workflows.legacy.release2.activities.procurement import ProcurementActivities
    from workflows.legacy.release2.activities.transfers import TransferActivities
    from workflows.legacy.release2.domain.models import (
        InvoiceResult,
        PurchaseOrderResult,
        SourcingDecision,
        SupplyChange,
        SupplyView,
        TransferOrderResult,
        WorkOrderResult,
        json_money,
    )
    from workflows.legacy.release2.domain.models import json_quantity as _q
    from workflows.legacy.release2.domain.statuses import (
        DocumentType,
        EventType,
        SupplyStatus,
        SupplyType,
    )
    from workflows.legacy.release2.line_steps import LineSteps

# Reduce and close steps per pegged document type; each covers all the line's documents of
# that type (the plan across documents is domain/supply_plan.py).
REDUCE: dict[SupplyType, tuple[Callable[..., Awaitable[list[SupplyChange]]], EventType]] = {
    SupplyType.BUY: (ProcurementActivities.reduce_supply, EventType.PURCHASE_ORDER_CHANGED),
    SupplyType.DROP_SHIP: (
        ProcurementActivities.reduce_supply,
        EventType.PURCHASE_ORDER_CHANGED,
    ),
    SupplyType.MAKE: (ManufacturingActivities.reduce_work_order, EventType.WORK_ORDER_CHANGED),
    SupplyType.TRANSFER: (
        TransferActivities.reduce_transfer_order,
        EventType.TRANSFER_ORDER_CHANGED,
    ),
}
CLOSE: dict[SupplyType, Callable[..., Awaitable[None]]] = {
    SupplyType.BUY: ProcurementActivities.close_supply,
    SupplyType.DROP_SHIP: ProcurementActivities.close_supply,
    SupplyType.MAKE: ManufacturingActivities.close_work_order,
    SupplyType.TRANSFER: TransferActivities.close_transfer_order,
}


class SupplySteps(LineSteps):
    async def _wait_until_canceled(self, why: str) -> None:
        """The system of record made no document because nothing is open (the workflow
        waits for the cancel that did it)."""
        raise NotImplementedError

    async def _reserve_from_stock(self) -> None:
        """A line that is not back-to-back ships from stock: what is free is reserved now,
        the rest waits as a backorder, served in booking order as stock arrives."""
        line = self._s.line
        reservation = await self._run(
            InventoryActivities.reserve_on_hand,
            LineStep(key=self._key("reserve-on-hand"), line=line),
            summary=f"Reserve {_q(line.quantity)} {line.item_number} from stock at "
            f"{line.organization}",
        )
        self._s.adopt(reservation.ledger)
        self._s.supply.append(
            SupplyView(
                type=SupplyType.ON_HAND,
                status=SupplyStatus.AWAITING_RECEIPT,
                document_type=DocumentType.RESERVATION,
                document_number=reservation.reservation_number,
                quantity=line.quantity,
                organization=line.organization,
            )
        )
        self._event(
            EventType.SUPPLY_RESERVED,
            f"{_q(reservation.quantity)} reserved from stock ({reservation.reservation_number})",
        )
        if self._s.ledger.to_supply > 0:
            short = self._s.ledger.to_supply
            self._event(EventType.LINE_BACKORDERED, f"{_q(short)} short, waiting for stock")

    async def _create_document(self, decision: SourcingDecision, part: str) -> bool:
        """The supply order and the document it asks for, pegged to the line; False when a
        transfer's source had no stock left (nothing was made then)."""
        line = self._s.line
        source = decision.supplier or decision.source_organization or line.organization
        step = SupplyStep(
            key=self._key(f"supply-order{part}"),
            line=line,
            decision=decision,
            workflow_id=workflow.info().workflow_id,
            today=workflow.now().date(),
        )
        supply_order = await self._run(
            ProcurementActivities.create_supply_order,
            step,
            summary=f"Supply order: {decision.supply_type} {line.item_number} from {source}",
        )
        step = step.model_copy(update={"supply_order_number": supply_order.supply_order_number})
        if decision.supply_type is SupplyType.BUY:
            self._event(EventType.SUPPLY_ORDER_CREATED, supply_order.supply_order_number)
            await self._create_purchase_order(step, part)
        elif decision.supply_type is SupplyType.MAKE:
            self._event(EventType.SUPPLY_ORDER_CREATED, supply_order.supply_order_number)
            await self._create_work_order(step, part)
        else:
            return await self._create_transfer_order(step, part)
        return True

    async def _create_purchase_order(self, step: SupplyStep, part: str) -> None:
        decision = step.decision
        requisition = await self._run(
            ProcurementActivities.create_requisition,
            step.model_copy(update={"key": self._key(f"requisition{part}")}),
            summary=f"Requisition for {step.supply_order_number}",
        )
        self._event(EventType.REQUISITION_CREATED, requisition.requisition_number)
        po = await self._run(
            ProcurementActivities.create_purchase_order,
            step.model_copy(
                update={
                    "key": self._key(f"purchase-order{part}"),
                    "requisition_number": requisition.requisition_number,
                }
            ),
            summary=f"Purchase order to {decision.supplier} on {decision.agreement}",
        )
        if po is None:  # canceled first: the cancel's signal is on its way
            await self._wait_until_canceled("Canceled before the purchase order was made")
            return
        self._record_purchase_order(
            po,
            supply_order_number=step.supply_order_number,
            requisition_number=requisition.requisition_number,
        )

    def _record_purchase_order(
        self,
        po: PurchaseOrderResult,
        *,
        supply_order_number: str | None,
        requisition_number: str | None,
    ) -> None:
        self._s.adopt(po.ledger)
        if po.status == "OPEN":
            self._s.approved.add(po.po_number)
        approved = po.po_number in self._s.approved
        self._s.supply.append(
            SupplyView(
                type=SupplyType.DROP_SHIP if po.drop_ship else SupplyType.BUY,
                status=SupplyStatus.AWAITING_RECEIPT
                if approved
                else SupplyStatus.AWAITING_APPROVAL,
                document_type=DocumentType.PURCHASE_ORDER,
                document_number=po.po_number,
                document_line=po.po_line,
                quantity=po.quantity,
                supplier=po.supplier,
                organization=self._s.line.organization,
                supply_order_number=supply_order_number,
                requisition_number=requisition_number,
                need_by_date=po.need_by_date,
            )
        )
        to = f", shipped by {po.supplier} to {self._s.line.customer_number}" if po.drop_ship else ""
        self._event(
            EventType.PURCHASE_ORDER_CREATED,
            f"{po.po_number} line {po.po_line}: {_q(po.quantity)} at "
            f"{json_money(po.unit_price)} from {po.supplier}, {po.status}{to}",
        )

    async def _create_work_order(self, step: SupplyStep, part: str) -> None:
        work_order = await self._run(
            ManufacturingActivities.create_work_order,
            step.model_copy(update={"key": self._key(f"work-order{part}")}),
            summary=f"Work order for {step.line.item_number} at {step.line.organization}",
        )
        if work_order is None:
            await self._wait_until_canceled("Canceled before the work order was made")
            return
        self._record_work_order(work_order, supply_order_number=step.supply_order_number)

    def _record_work_order(
        self, work_order: WorkOrderResult, *, supply_order_number: str | None
    ) -> None:
        self._s.adopt(work_order.ledger)
        self._s.supply.append(
            SupplyView(
                type=SupplyType.MAKE,
                status=SupplyStatus.IN_PRODUCTION,
                document_type=DocumentType.WORK_ORDER,
                document_number=work_order.work_order_number,
                quantity=work_order.quantity,
                organization=work_order.organization,
                supply_order_number=supply_order_number,
                need_by_date=work_order.need_by_date,
            )
        )
        self._event(
            EventType.WORK_ORDER_CREATED,
            f"{work_order.work_order_number}: make {_q(work_order.quantity)} at "
            f"{work_order.organization} by {work_order.need_by_date}",
        )

    async def _create_transfer_order(self, step: SupplyStep, part: str) -> bool:
        transfer = await self._run(
            TransferActivities.create_transfer_order,
            step.model_copy(update={"key": self._key(f"transfer-order{part}")}),
            summary=f"Transfer order from {step.decision.source_organization} to "
            f"{step.line.organization}",
        )
        if transfer is None:
            await self._wait_until_canceled("Canceled before the transfer order was made")
            return True
        if transfer.short:
            return False
        self._record_transfer_order(transfer, supply_order_number=step.supply_order_number)
        return True

    def _record_transfer_order(
        self, transfer: TransferOrderResult, *, supply_order_number: str | None
    ) -> None:
        self._s.adopt(transfer.ledger)
        self._event(EventType.SUPPLY_ORDER_CREATED, supply_order_number or "")
        self._s.supply.append(
            SupplyView(
                type=SupplyType.TRANSFER,
                status=SupplyStatus.IN_TRANSIT,
                document_type=DocumentType.TRANSFER_ORDER,
                document_number=transfer.transfer_order_number,
                quantity=transfer.quantity,
                organization=transfer.from_organization,
                supply_order_number=supply_order_number,
                need_by_date=transfer.expected_arrival,
            )
        )
        self._event(
            EventType.TRANSFER_ORDER_CREATED,
            f"{transfer.transfer_order_number}: {_q(transfer.quantity)} shipped from "
            f"{transfer.from_organization} at {json_money(transfer.transfer_price)} each, "
            f"due {transfer.expected_arrival}",
        )

    async def _reduce_supply(self, key: str) -> None:
        """Bring every pegged document down to what the line still needs (one step per
        kind of document: BUY and DROP_SHIP are both purchase orders)."""
        steps: dict[tuple[Callable[..., Awaitable[list[SupplyChange]]], EventType], SupplyType] = {}
        for document in self._s.documents:
            steps.setdefault(REDUCE[document.type], document.type)
        for (reduce, event), type_ in steps.items():
            changes = await self._run(
                reduce, self._ref(f"{key}:reduce-supply"), summary=f"Reduce {type_} supply"
            )
            for change in changes:
                self._event(
                    event,
                    f"{change.document_number}: {_q(change.remaining_quantity)} left, "
                    f"{change.document_status}",
                )
                for supply in self._s.supply:
                    if supply.document_number == change.document_number:
                        supply.quantity = change.remaining_quantity
                        if change.document_status == "CANCELED":
                            supply.status = SupplyStatus.CANCELED

    async def _bill_supplier(self, po: SupplyView) -> None:
        line = self._s.line
        ap = await self._run(
            BillingActivities.create_ap_invoice,
            ApInvoiceStep(
                key=self._key(f"ap-invoice-{po.document_number}"),
                order_number=line.order_number,
                line_number=line.line_number,
                po_number=po.document_number,
                po_line=po.document_line,
            ),
            summary=f"AP invoice from {po.supplier}",
        )
        self._record_ap_invoice(ap)

    def _record_ap_invoice(self, ap: InvoiceResult) -> None:
        self._s.invoices.append(
            {
                "kind": "AP",
                "invoice_number": ap.invoice_number,
                "amount": str(ap.amount),
                "status": ap.status,
                "hold_reason": ap.hold_reason,
            }
        )
        detail = f"{ap.invoice_number} for {json_money(ap.amount)}, {ap.status}"
        if ap.hold_reason:
            detail += f": {ap.hold_reason}"
        self._event(EventType.AP_INVOICE_CREATED, detail)

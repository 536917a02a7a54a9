"""Pydantic models shared by the API, the workflows and the activities, one module per kind:
setup, requests, workflow payloads, signals and views. Import them from here.

Models that cross a Temporal boundary (workflow input, signals, activity results, the line
view returned by queries) are serialized by the pydantic data converter, so they must stay
backward compatible: add fields with defaults, never rename or remove.
"""

from workflows.legacy.release2.domain.models.base import (
    Amount as Amount,
)
from workflows.legacy.release2.domain.models.base import (
    Quantity as Quantity,
)
from workflows.legacy.release2.domain.models.base import (
    StrictModel as StrictModel,
)
from workflows.legacy.release2.domain.models.line_signals import (
    ApprovalSignal as ApprovalSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    CancelSignal as CancelSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    CreditReleasedSignal as CreditReleasedSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    HoldsChangedSignal as HoldsChangedSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    LinesAddedSignal as LinesAddedSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    LineStagedSignal as LineStagedSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    PickConfirmSignal as PickConfirmSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    PickReleaseSignal as PickReleaseSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    QuantityIncreasedSignal as QuantityIncreasedSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    ReceiptSignal as ReceiptSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    RetrySignal as RetrySignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    ShipConfirmSignal as ShipConfirmSignal,
)
from workflows.legacy.release2.domain.models.line_signals import (
    StockReservedSignal as StockReservedSignal,
)
from workflows.legacy.release2.domain.models.payloads import (
    InvoiceResult as InvoiceResult,
)
from workflows.legacy.release2.domain.models.payloads import (
    LineInput as LineInput,
)
from workflows.legacy.release2.domain.models.payloads import (
    OrderInput as OrderInput,
)
from workflows.legacy.release2.domain.models.payloads import (
    PurchaseOrderResult as PurchaseOrderResult,
)
from workflows.legacy.release2.domain.models.payloads import (
    RequisitionResult as RequisitionResult,
)
from workflows.legacy.release2.domain.models.payloads import (
    ReservationReleased as ReservationReleased,
)
from workflows.legacy.release2.domain.models.payloads import (
    SourcingDecision as SourcingDecision,
)
from workflows.legacy.release2.domain.models.payloads import (
    StockReservation as StockReservation,
)
from workflows.legacy.release2.domain.models.payloads import (
    SupplyChange as SupplyChange,
)
from workflows.legacy.release2.domain.models.payloads import (
    SupplyOrderResult as SupplyOrderResult,
)
from workflows.legacy.release2.domain.models.payloads import (
    TransferOrderResult as TransferOrderResult,
)
from workflows.legacy.release2.domain.models.payloads import (
    WorkOrderResult as WorkOrderResult,
)
from workflows.legacy.release2.domain.models.requests import (
    CancelIn as CancelIn,
)
from workflows.legacy.release2.domain.models.requests import (
    HoldIn as HoldIn,
)
from workflows.legacy.release2.domain.models.requests import (
    HoldReleaseIn as HoldReleaseIn,
)
from workflows.legacy.release2.domain.models.requests import (
    LineChangeIn as LineChangeIn,
)
from workflows.legacy.release2.domain.models.requests import (
    OrderCancelIn as OrderCancelIn,
)
from workflows.legacy.release2.domain.models.requests import (
    OrderIn as OrderIn,
)
from workflows.legacy.release2.domain.models.requests import (
    OrderLineIn as OrderLineIn,
)
from workflows.legacy.release2.domain.models.requests import (
    PickScanIn as PickScanIn,
)
from workflows.legacy.release2.domain.models.requests import (
    PickWaveIn as PickWaveIn,
)
from workflows.legacy.release2.domain.models.requests import (
    ReceiptScanIn as ReceiptScanIn,
)
from workflows.legacy.release2.domain.models.requests import (
    RevisionIn as RevisionIn,
)
from workflows.legacy.release2.domain.models.requests import (
    ShipScanIn as ShipScanIn,
)
from workflows.legacy.release2.domain.models.requests import (
    WorkOrderCompletionIn as WorkOrderCompletionIn,
)
from workflows.legacy.release2.domain.models.setup import (
    BlanketAgreementIn as BlanketAgreementIn,
)
from workflows.legacy.release2.domain.models.setup import (
    CustomerIn as CustomerIn,
)
from workflows.legacy.release2.domain.models.setup import (
    ItemIn as ItemIn,
)
from workflows.legacy.release2.domain.models.setup import (
    OnHandIn as OnHandIn,
)
from workflows.legacy.release2.domain.models.setup import (
    OrderRuleIn as OrderRuleIn,
)
from workflows.legacy.release2.domain.models.setup import (
    OrderRuleSet as OrderRuleSet,
)
from workflows.legacy.release2.domain.models.setup import (
    OrderRuleWhen as OrderRuleWhen,
)
from workflows.legacy.release2.domain.models.setup import (
    OrganizationIn as OrganizationIn,
)
from workflows.legacy.release2.domain.models.setup import (
    ParametersIn as ParametersIn,
)
from workflows.legacy.release2.domain.models.setup import (
    SetupDocument as SetupDocument,
)
from workflows.legacy.release2.domain.models.setup import (
    SourceIn as SourceIn,
)
from workflows.legacy.release2.domain.models.setup import (
    SourcingRuleIn as SourcingRuleIn,
)
from workflows.legacy.release2.domain.models.setup import (
    SupplierIn as SupplierIn,
)
from workflows.legacy.release2.domain.models.setup import (
    TransferParameterIn as TransferParameterIn,
)
from workflows.legacy.release2.domain.models.setup import (
    VariantIn as VariantIn,
)
from workflows.legacy.release2.domain.models.setup import (
    VolumeDiscountIn as VolumeDiscountIn,
)
from workflows.legacy.release2.domain.models.setup import (
    WorkDefinitionIn as WorkDefinitionIn,
)
from workflows.legacy.release2.domain.models.views import (
    LineEvent as LineEvent,
)
from workflows.legacy.release2.domain.models.views import (
    LineView as LineView,
)
from workflows.legacy.release2.domain.models.views import (
    SupplyView as SupplyView,
)
from workflows.legacy.release2.domain.quantities import json_money as json_money
from workflows.legacy.release2.domain.quantities import json_quantity as json_quantity

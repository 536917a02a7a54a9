"""Pydantic models shared by the API, the workflows and the activities, one module per kind:
setup, requests, workflow payloads, signals and views. Import them from here.

Models that cross a Temporal boundary (workflow input, signals, activity results, the line
view returned by queries) are serialized by the pydantic data converter, so they must stay
backward compatible: add fields with defaults, never rename or remove.
"""

from domain.models.base import (
    Amount as Amount,
)
from domain.models.base import (
    Quantity as Quantity,
)
from domain.models.base import (
    StrictModel as StrictModel,
)
from domain.models.line_signals import (
    ApprovalSignal as ApprovalSignal,
)
from domain.models.line_signals import (
    CancelSignal as CancelSignal,
)
from domain.models.line_signals import (
    CreditReleasedSignal as CreditReleasedSignal,
)
from domain.models.line_signals import (
    HoldsChangedSignal as HoldsChangedSignal,
)
from domain.models.line_signals import (
    LinesAddedSignal as LinesAddedSignal,
)
from domain.models.line_signals import (
    LineStagedSignal as LineStagedSignal,
)
from domain.models.line_signals import (
    PickConfirmSignal as PickConfirmSignal,
)
from domain.models.line_signals import (
    PickReleaseSignal as PickReleaseSignal,
)
from domain.models.line_signals import (
    QuantityIncreasedSignal as QuantityIncreasedSignal,
)
from domain.models.line_signals import (
    ReceiptSignal as ReceiptSignal,
)
from domain.models.line_signals import (
    RetrySignal as RetrySignal,
)
from domain.models.line_signals import (
    ShipConfirmSignal as ShipConfirmSignal,
)
from domain.models.line_signals import (
    StockReservedSignal as StockReservedSignal,
)
from domain.models.payloads import (
    InvoiceResult as InvoiceResult,
)
from domain.models.payloads import (
    LineInput as LineInput,
)
from domain.models.payloads import (
    OrderInput as OrderInput,
)
from domain.models.payloads import (
    PurchaseOrderResult as PurchaseOrderResult,
)
from domain.models.payloads import (
    RequisitionResult as RequisitionResult,
)
from domain.models.payloads import (
    ReservationReleased as ReservationReleased,
)
from domain.models.payloads import (
    SourcingDecision as SourcingDecision,
)
from domain.models.payloads import (
    StockReservation as StockReservation,
)
from domain.models.payloads import (
    SupplyChange as SupplyChange,
)
from domain.models.payloads import (
    SupplyOrderResult as SupplyOrderResult,
)
from domain.models.payloads import (
    TransferOrderResult as TransferOrderResult,
)
from domain.models.payloads import (
    WorkOrderResult as WorkOrderResult,
)
from domain.models.requests import (
    CancelIn as CancelIn,
)
from domain.models.requests import (
    HoldIn as HoldIn,
)
from domain.models.requests import (
    HoldReleaseIn as HoldReleaseIn,
)
from domain.models.requests import (
    LineChangeIn as LineChangeIn,
)
from domain.models.requests import (
    OrderCancelIn as OrderCancelIn,
)
from domain.models.requests import (
    OrderIn as OrderIn,
)
from domain.models.requests import (
    OrderLineIn as OrderLineIn,
)
from domain.models.requests import (
    PickScanIn as PickScanIn,
)
from domain.models.requests import (
    PickWaveIn as PickWaveIn,
)
from domain.models.requests import (
    ReceiptScanIn as ReceiptScanIn,
)
from domain.models.requests import (
    RevisionIn as RevisionIn,
)
from domain.models.requests import (
    ShipScanIn as ShipScanIn,
)
from domain.models.requests import (
    WorkOrderCompletionIn as WorkOrderCompletionIn,
)
from domain.models.setup import (
    BlanketAgreementIn as BlanketAgreementIn,
)
from domain.models.setup import (
    CustomerIn as CustomerIn,
)
from domain.models.setup import (
    ItemIn as ItemIn,
)
from domain.models.setup import (
    OnHandIn as OnHandIn,
)
from domain.models.setup import (
    OrderRuleIn as OrderRuleIn,
)
from domain.models.setup import (
    OrderRuleSet as OrderRuleSet,
)
from domain.models.setup import (
    OrderRuleWhen as OrderRuleWhen,
)
from domain.models.setup import (
    OrganizationIn as OrganizationIn,
)
from domain.models.setup import (
    ParametersIn as ParametersIn,
)
from domain.models.setup import (
    SetupDocument as SetupDocument,
)
from domain.models.setup import (
    SourceIn as SourceIn,
)
from domain.models.setup import (
    SourcingRuleIn as SourcingRuleIn,
)
from domain.models.setup import (
    SupplierIn as SupplierIn,
)
from domain.models.setup import (
    TransferParameterIn as TransferParameterIn,
)
from domain.models.setup import (
    VariantIn as VariantIn,
)
from domain.models.setup import (
    VolumeDiscountIn as VolumeDiscountIn,
)
from domain.models.setup import (
    WorkDefinitionIn as WorkDefinitionIn,
)
from domain.models.views import (
    LineEvent as LineEvent,
)
from domain.models.views import (
    LineView as LineView,
)
from domain.models.views import (
    SupplyView as SupplyView,
)
from domain.quantities import json_money as json_money
from domain.quantities import json_quantity as json_quantity

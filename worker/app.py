"""Building and running the worker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.billing import BillingActivities
from activities.credit import CreditActivities
from activities.inventory import InventoryActivities
from activities.kits import KitActivities
from activities.lines import LineActivities
from activities.manufacturing import ManufacturingActivities
from activities.orders import OrderActivities
from activities.planning import PlanningActivities
from activities.procurement import ProcurementActivities
from activities.shipping import ShippingActivities
from activities.transfers import TransferActivities
from adapters.postgres.billing.invoices import Billing
from adapters.postgres.kits.close import KitLines
from adapters.postgres.line_steps import LineSteps
from adapters.postgres.orders.credit import Credit
from adapters.postgres.orders.lines import OrderLines
from adapters.postgres.orders.starts import OrderStarts
from adapters.postgres.outbox.delivery import SignalOutbox
from adapters.postgres.receiving.inventory import Inventory
from adapters.postgres.setup.master_data import MasterData
from adapters.postgres.supply.manufacturing import Manufacturing
from adapters.postgres.supply.procurement import Procurement
from adapters.postgres.supply.transfers import Transfers
from adapters.postgres.warehouse.shipping import Shipping
from domain.models import OrderInput
from domain.relay import Notice, RelayState, RetryPolicy, after_round
from runtime.generations import generations, live_task_queue
from runtime.orchestration import start_order_workflow
from runtime.reachability import NAMES, unreachable_dependency
from runtime.waiting import wait_unless_stopped
from worker.interceptors import LoggingInterceptor
from workflows.kit_line import KitLineWorkflow
from workflows.legacy import release2
from workflows.line import FulfillmentLineWorkflowV3
from workflows.order import SalesOrderWorkflow

log = structlog.get_logger(__name__)

# This release's workflows (runtime.generations.LIVE_TYPES), on its own task queue.
WORKFLOWS: Sequence[type] = (SalesOrderWorkflow, FulfillmentLineWorkflowV3, KitLineWorkflow)
# The previous release's, frozen, on its queue until they finish (runtime.generations.CARRIED).
# The registry is the one live module that imports workflows.legacy.
CARRIED_WORKFLOWS: dict[int, Sequence[type]] = {2: release2.WORKFLOWS}


def activities_for(pool: asyncpg.Pool) -> list[Callable[..., Any]]:
    """The activities, wired to the PostgreSQL system of record."""
    planning = PlanningActivities(MasterData(pool))
    procurement = ProcurementActivities(Procurement(pool))
    manufacturing = ManufacturingActivities(Manufacturing(pool))
    transfers = TransferActivities(Transfers(pool))
    inventory = InventoryActivities(Inventory(pool))
    shipping = ShippingActivities(Shipping(pool))
    billing = BillingActivities(Billing(pool))
    credit = CreditActivities(Credit(pool))
    lines = LineActivities(LineSteps(pool))
    kits = KitActivities(KitLines(pool))
    return [
        kits.kit_progress,
        kits.close_kit,
        lines.source_line,
        lines.bill_and_close,
        lines.cancel_shortfalls,
        planning.schedule_line,
        procurement.create_supply_order,
        procurement.create_requisition,
        procurement.create_purchase_order,
        procurement.reduce_supply,
        procurement.close_supply,
        manufacturing.create_work_order,
        manufacturing.reduce_work_order,
        manufacturing.close_work_order,
        transfers.create_transfer_order,
        transfers.reduce_transfer_order,
        transfers.close_transfer_order,
        inventory.reserve_on_hand,
        inventory.release_excess_reservation,
        inventory.release_line_excess,
        shipping.record_line_status,
        shipping.enter_line_phase,
        shipping.record_line_event,
        shipping.record_order_event,
        shipping.release_shipment_set,
        billing.create_ar_invoice,
        billing.create_ap_invoice,
        credit.authorize_credit,
        credit.close_credit_authorization,
    ]


def order_activities(
    pool: asyncpg.Pool, client: Client, *, task_queue: str
) -> list[Callable[..., Any]]:
    """An order's own steps; starting its lines' workflows needs the Temporal client."""
    orders = OrderActivities(OrderLines(pool), client, task_queue=task_queue)
    return [orders.start_lines, orders.release_ready_shipment_sets, orders.close_order]


# Deterministic modules without state that every workflow run imports: the sandbox passes
# them through instead of executing them again for each new run.
PASSTHROUGH_MODULES = ("workflows", "domain", "activities")


STICKY_TIMEOUT = timedelta(seconds=1)


def build_worker(
    client: Client,
    pool: asyncpg.Pool,
    *,
    task_queue: str,
    workflows: Sequence[type] = WORKFLOWS,
    lines_task_queue: str | None = None,
) -> Worker:
    """The Temporal worker of one generation on its task queue (this release's by default).
    Lines that its orders start run on `lines_task_queue` (its own queue by default)."""
    lines_queue = lines_task_queue or task_queue
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(workflows),
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
        ),
        activities=activities_for(pool) + order_activities(pool, client, task_queue=lines_queue),
        interceptors=[LoggingInterceptor()],
        max_concurrent_activities=50,
        # A line's next workflow task waits this long on the sticky queue of the worker that
        # ran it before going to any worker. After a restart that worker is gone: a receipt
        # on a line then waits this long to be applied (10 s by default), not a second.
        sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
    )


def build_workers(client: Client, pool: asyncpg.Pool, *, base_task_queue: str) -> list[Worker]:
    """One worker per generation this release runs: its own, then each carried release's on
    that release's queue (`runtime/generations.py`)."""
    live = live_task_queue(base_task_queue)
    return [
        build_worker(
            client,
            pool,
            task_queue=g.task_queue,
            workflows=WORKFLOWS if g.live else CARRIED_WORKFLOWS[g.release],
            lines_task_queue=live,
        )
        for g in generations(base_task_queue)
    ]


async def relay(
    pool: asyncpg.Pool,
    client: Client,
    *,
    task_queue: str,
    interval: float = 1.0,
    stop: asyncio.Event | None = None,
    policy: RetryPolicy | None = None,
) -> None:
    """Deliver signals whose first delivery was lost and start orders whose start was lost
    (the API commits first, then talks to Temporal; a crash in between is repaired here).

    Each order start and each signal is its own attempt: one that fails is retried with
    backoff and parked after a bound, and the round goes on. While PostgreSQL or Temporal
    cannot be reached the relay pauses with backoff, saying so once when it goes and once
    when it comes back."""
    outbox = SignalOutbox(pool, client, policy=policy)
    starts = OrderStarts(pool, policy=policy)
    stop = stop or asyncio.Event()
    state = RelayState()

    async def start(order: OrderInput) -> None:
        await start_order_workflow(client, order, task_queue=task_queue)

    while not stop.is_set():
        found = await relay_round(starts, outbox, start, settle=interval)
        step = after_round(state, found, interval=interval)
        if step.notice is Notice.PAUSED:
            name = _name(step.state.unreachable)
            log.warning(f"relay paused: {name} unreachable", retry_in=step.wait)
        elif step.notice is Notice.RESUMED:
            log.info(f"relay resumed: {_name(state.unreachable)} reachable again")
        state = step.state
        await wait_unless_stopped(stop, step.wait)


async def relay_round(
    starts: OrderStarts,
    outbox: SignalOutbox,
    start: Callable[[OrderInput], Awaitable[None]],
    *,
    settle: float = 1.0,
) -> str | None:
    """One round; returns the dependency it could not reach, if any. A signal is left to
    whoever owed it for `settle` seconds (the API sends its own at once); those owed by a
    step of a workflow (a line finishing tells its order) are sent by the relay only."""
    try:
        for order_number in await starts.due(older_than_seconds=5):
            await starts.start(order_number, start)
        await outbox.deliver(older_than_seconds=settle)
    except Exception as err:
        dependency = unreachable_dependency(err)
        if dependency is None:  # items fail on their own: this is the relay's own fault
            log.exception("relay round failed")
        return dependency
    return None


def _name(dependency: str | None) -> str:
    return NAMES.get(dependency or "", str(dependency))

"""What every route works with: the pool, the Temporal client and the adapters on them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import asyncpg
import structlog
from temporalio.client import Client

from adapters.postgres.orders.cancellations import Cancellations
from adapters.postgres.orders.credit import Credit
from adapters.postgres.orders.holds import Holds
from adapters.postgres.orders.orders import Orders
from adapters.postgres.orders.revisions import Revisions
from adapters.postgres.outbox.delivery import SignalOutbox
from adapters.postgres.outbox.events import BusinessEvents
from adapters.postgres.receiving.inventory import Inventory
from adapters.postgres.setup.master_data import MasterData
from adapters.postgres.supply.acknowledgments import Acknowledgments
from adapters.postgres.supply.manufacturing import Manufacturing
from adapters.postgres.supply.procurement import Procurement
from adapters.postgres.supply.ship_notices import ShipNotices
from adapters.postgres.supply.transfers import Transfers
from adapters.postgres.warehouse.shipping import Shipping
from starter.http.errors import down_dependency

log = structlog.get_logger("api")

# How long an answer waits for its signals to be sent; the relay sends whatever is left
# (a signal sent twice is ignored by its workflow). Bounds a wave's answer while Temporal
# is down, when each signal would wait for the client to give up.
DELIVER_SECONDS = 5.0


@dataclass
class AppContext:
    pool: asyncpg.Pool
    client: Client
    # Where new workflows start: this release's queue.
    task_queue: str
    # B2B_TASK_QUEUE, which names the family of queues (runtime/generations.py).
    base_task_queue: str
    tokens: dict[str, set[str]]
    ui_url: str = "http://localhost:8233"
    namespace: str = "default"
    owns_resources: bool = False
    orders: Orders = field(init=False)
    master_data: MasterData = field(init=False)
    procurement: Procurement = field(init=False)
    inventory: Inventory = field(init=False)
    manufacturing: Manufacturing = field(init=False)
    shipping: Shipping = field(init=False)
    cancellations: Cancellations = field(init=False)
    transfers: Transfers = field(init=False)
    revisions: Revisions = field(init=False)
    events: BusinessEvents = field(init=False)
    outbox: SignalOutbox = field(init=False)
    credit: Credit = field(init=False)
    holds: Holds = field(init=False)
    acknowledgments: Acknowledgments = field(init=False)
    ship_notices: ShipNotices = field(init=False)

    def __post_init__(self) -> None:
        self.orders = Orders(self.pool)
        self.master_data = MasterData(self.pool)
        self.procurement = Procurement(self.pool)
        self.inventory = Inventory(self.pool)
        self.manufacturing = Manufacturing(self.pool)
        self.shipping = Shipping(self.pool)
        self.cancellations = Cancellations(self.pool)
        self.transfers = Transfers(self.pool)
        self.revisions = Revisions(self.pool, orders=self.orders, cancellations=self.cancellations)
        self.events = BusinessEvents(self.pool)
        self.outbox = SignalOutbox(self.pool, self.client)
        self.credit = Credit(self.pool)
        self.holds = Holds(self.pool)
        self.acknowledgments = Acknowledgments(self.pool)
        self.ship_notices = ShipNotices(self.pool)

    async def deliver(self, outbox_ids: list[int]) -> None:
        """Signal right away; if this fails the worker's relay delivers later (the change is
        stored with its outbox rows already, so the answer stands)."""
        if not outbox_ids:
            return
        try:
            async with asyncio.timeout(DELIVER_SECONDS):
                await self.outbox.deliver(outbox_ids)
        except TimeoutError:
            log.warning("immediate signal delivery cut short; relay will deliver the rest")
        except Exception as err:
            dependency = down_dependency(err)
            if dependency is None:
                log.exception("immediate signal delivery failed; relay will retry")
            else:
                log.warning(
                    "immediate signal delivery deferred; relay will retry",
                    dependency=dependency,
                    error=str(err),
                )

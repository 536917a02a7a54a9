"""Release 2's workflows (13b3dce), frozen: they run the workflows that release left open,
on its task queue (the configured `B2B_TASK_QUEUE` itself), until they finish.

    SalesOrderWorkflow          orders of release 1 (child lines), of efdb803 (lines from
                                rows, steps as activities) and of 13b3dce (local steps)
    FulfillmentLineWorkflow     release 1's lines
    FulfillmentLineWorkflowV2   lines on the line's ledger (up to efdb803)
    FulfillmentLineWorkflowV3   lines of 13b3dce, V3 as first released among them
    KitLineWorkflow             kit lines

Copied from 13b3dce with one change, made before the copy froze: orders started by efdb803
(`OrderCarried.local_starts` false) run their credit, shipment-set and close steps as the
activities they were, and start their lines only once authorized (`order_rows.py`). 13b3dce
ran those steps as local activities for every order and left efdb803's orders failing their
next workflow task; this package completes them.

Lines and kits that these orders start from now on run the live workflows, on the live
queue: the start batches are live activities.
"""

from __future__ import annotations

from collections.abc import Sequence

from workflows.legacy.release2.kit_line import KitLineWorkflow
from workflows.legacy.release2.line import FulfillmentLineWorkflowV2
from workflows.legacy.release2.line_v1 import FulfillmentLineWorkflow
from workflows.legacy.release2.line_v3 import FulfillmentLineWorkflowV3
from workflows.legacy.release2.order import SalesOrderWorkflow

WORKFLOWS: Sequence[type] = (
    SalesOrderWorkflow,
    FulfillmentLineWorkflowV3,
    KitLineWorkflow,
    FulfillmentLineWorkflowV2,
    FulfillmentLineWorkflow,
)

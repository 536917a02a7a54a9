"""Names of the signals and queries of the line and order workflows.

They are part of the workflows' history: never rename one that has been released.
"""

RECEIPT_RECORDED = "receipt_recorded"
PURCHASE_ORDER_APPROVED = "purchase_order_approved"
PICK_RELEASED = "pick_released"
PICK_CONFIRMED = "pick_confirmed"
SHIP_CONFIRMED = "ship_confirmed"
CANCEL_REQUESTED = "cancel_requested"
RETRY_REQUESTED = "retry_requested"
STOCK_RESERVED = "stock_reserved"
# To the order workflow: its credit hold may be over (a person retried, a line was canceled).
CREDIT_REVIEW_REQUESTED = "credit_review_requested"
QUANTITY_INCREASED = "quantity_increased"
LINES_ADDED = "lines_added"
LINE_STAGED = "line_staged"
# To the order workflow: one of its lines closed or was canceled (a set member, or the last).
LINE_FINISHED = "line_finished"
# To a line started while its order was on credit hold: the credit is authorized now.
CREDIT_RELEASED = "credit_released"
# To a line whose holds changed (applied or released): its active holds now.
HOLDS_CHANGED = "holds_changed"
# To a line pegged to an acknowledged PO line: what its supplier said, and any shortfall.
SUPPLY_ACKNOWLEDGED = "supply_acknowledged"
# To a line whose requested ship date a revision moved (its own, or its order's).
REQUESTED_SHIP_DATE_CHANGED = "requested_ship_date_changed"
# To a drop-ship line: its supplier shipped some of it straight to the customer.
DROP_SHIPPED = "drop_shipped"
# To a kit line: one of its components closed or was canceled.
KIT_COMPONENT_FINISHED = "kit_component_finished"

LINE_STATUS_QUERY = "line_status"
ORDER_STATUS_QUERY = "order_status"

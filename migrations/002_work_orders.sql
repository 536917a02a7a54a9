-- Make supply: work orders pegged to lines. Completions are recorded as receipts of
-- document type WORK_ORDER, like receipts against a PO line.
CREATE TABLE work_orders (
    work_order_number    text PRIMARY KEY,
    idempotency_key      text NOT NULL UNIQUE,
    supply_order_number  text NOT NULL REFERENCES supply_orders (supply_order_number),
    item                 text NOT NULL,
    organization         text NOT NULL,
    quantity             numeric(18, 4) NOT NULL CHECK (quantity > 0),
    canceled_quantity    numeric(18, 4) NOT NULL DEFAULT 0,
    completed_quantity   numeric(18, 4) NOT NULL DEFAULT 0,
    status               text NOT NULL,
    need_by_date         date,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (canceled_quantity >= 0 AND canceled_quantity <= quantity),
    -- Completing more than is open is impossible, whatever the callers do.
    CHECK (completed_quantity >= 0 AND completed_quantity <= quantity - canceled_quantity)
);

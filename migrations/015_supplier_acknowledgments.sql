-- Supplier acknowledgments (contract: "Supplier acknowledgments and changes"). Each PO line
-- keeps what the supplier last said of it; a quantity the supplier cut or rejected is part of
-- the line's canceled_quantity (never reinstated) and is also counted in cut_quantity.
ALTER TABLE purchase_order_lines
    ADD COLUMN IF NOT EXISTS acknowledgment_status text NOT NULL DEFAULT 'UNACKNOWLEDGED'
        CHECK (acknowledgment_status IN ('UNACKNOWLEDGED', 'ACCEPTED', 'CHANGED', 'REJECTED')),
    ADD COLUMN IF NOT EXISTS promised_date date,
    ADD COLUMN IF NOT EXISTS cut_quantity numeric(18, 4) NOT NULL DEFAULT 0
        CHECK (cut_quantity >= 0 AND cut_quantity <= canceled_quantity);

-- Each acknowledgment once: sent again, it gets the answer it got.
CREATE TABLE IF NOT EXISTS po_acknowledgments (
    acknowledgment_id  text PRIMARY KEY,
    po_number          text NOT NULL REFERENCES purchase_orders (po_number),
    request            jsonb NOT NULL,
    response           jsonb,
    received_at        timestamptz NOT NULL DEFAULT now()
);

-- A quantity a supplier cut or rejected, owed to the pegged line until it is re-sourced or
-- canceled. The line's later sourcing leaves out every supplier that cut it.
CREATE TABLE IF NOT EXISTS supply_shortfalls (
    shortfall_id       text PRIMARY KEY,
    acknowledgment_id  text NOT NULL REFERENCES po_acknowledgments (acknowledgment_id),
    po_number          text NOT NULL,
    po_line            integer NOT NULL,
    order_number       text NOT NULL,
    line_number        integer NOT NULL,
    supplier           text NOT NULL,
    quantity           numeric(18, 4) NOT NULL CHECK (quantity > 0),
    action             text NOT NULL CHECK (action IN ('CHANGE', 'REJECT')),
    reason             text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    settled_at         timestamptz,
    settlement         text CHECK (settlement IN ('RESOURCED', 'CANCELED')),
    FOREIGN KEY (po_number, po_line) REFERENCES purchase_order_lines (po_number, po_line),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);
CREATE INDEX IF NOT EXISTS supply_shortfalls_line ON supply_shortfalls (order_number, line_number);

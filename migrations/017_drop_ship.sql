-- Drop ship (contract: "Drop ship"): a PO whose supplier ships straight to the customer
-- names that customer as its ship-to; its lines are never received into a warehouse. The
-- supplier's ship notices count on the PO line's received_quantity (the logical receipt
-- AP matches against) and ship the pegged fulfillment line.
ALTER TABLE purchase_orders
    ADD COLUMN IF NOT EXISTS ship_to_customer text REFERENCES customers (number);

ALTER TABLE fulfillment_lines
    ADD COLUMN IF NOT EXISTS drop_ship boolean NOT NULL DEFAULT false;

-- Each ship notice once, stored only when accepted: sent again with the same body it gets
-- the answer it got; a refused one stores nothing and may be sent again once fixed.
CREATE TABLE IF NOT EXISTS ship_notices (
    ship_notice_id   text PRIMARY KEY,
    po_number        text NOT NULL,
    po_line          integer NOT NULL,
    quantity         numeric(18, 4) NOT NULL CHECK (quantity > 0),
    shipped_date     date NOT NULL,
    tracking_number  text,
    -- Claimed first, then filled in by the same transaction.
    order_number     text,
    line_number      integer,
    request          jsonb NOT NULL,
    response         jsonb,
    received_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (po_number, po_line) REFERENCES purchase_order_lines (po_number, po_line),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);
CREATE INDEX IF NOT EXISTS ship_notices_po_line ON ship_notices (po_number, po_line);

-- Large orders: the order workflow no longer carries its lines. It starts them in batches
-- from their rows, is told by the lines' own writes when the last one finishes, and closes
-- the order under a lock that a revision adding lines also takes, so that a line is never
-- added to an order that has just closed.

-- Orders booked from now on: their workflow starts the lines from their rows. Orders
-- booked before keep their lines in their workflow's input until they close.
ALTER TABLE orders
    ADD COLUMN starts_lines boolean NOT NULL DEFAULT false,
    ADD COLUMN closed_at    timestamptz;

-- Kept from booking so that a line's workflow input is rebuilt from its row alone.
ALTER TABLE fulfillment_lines ADD COLUMN back_to_back_reason text;

-- The lines an order still waits for; counted each time one of its lines finishes.
CREATE INDEX fulfillment_lines_open ON fulfillment_lines (order_number)
    WHERE status NOT IN ('CANCELED', 'CLOSED');

-- Shipment-set members of an order, read when a member is staged or finishes.
CREATE INDEX fulfillment_lines_in_sets ON fulfillment_lines (order_number, shipment_set)
    WHERE shipment_set IS NOT NULL;

-- Order rules applied when an order is saved (seed 004's order management extension):
-- conditions on the order and its lines, and the line flags a matching rule sets.
CREATE TABLE order_rules (
    name         text PRIMARY KEY,
    -- {"customer_po_number_starts_with", "customer_number", "item_number"}
    conditions   jsonb NOT NULL,
    -- {"cancel_backorders", "enforce_single_shipment"}
    assignments  jsonb NOT NULL,
    active       boolean NOT NULL DEFAULT true
);

-- What the rules did to a line at booking, one sentence per rule, so the workflow input
-- rebuilt from the row (a resubmitted order, a start the relay retries) carries it too.
ALTER TABLE fulfillment_lines ADD COLUMN applied_rules jsonb NOT NULL DEFAULT '[]';

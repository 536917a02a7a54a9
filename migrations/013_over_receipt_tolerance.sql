-- Over-receipt tolerance (contract: "Over-receipt tolerance"). A blanket agreement may let a
-- PO line receive a percentage more than ordered; what comes beyond the PO line's open
-- quantity goes to free on-hand, never to the pegged line, and the PO line shows it.
ALTER TABLE blanket_agreements
    ADD COLUMN IF NOT EXISTS over_receipt_tolerance_pct numeric(9, 4) NOT NULL DEFAULT 0
        CHECK (over_receipt_tolerance_pct >= 0 AND over_receipt_tolerance_pct <= 1000);
ALTER TABLE purchase_order_lines
    ADD COLUMN IF NOT EXISTS over_received_quantity numeric(18, 4) NOT NULL DEFAULT 0
        CHECK (over_received_quantity >= 0);
-- A receipt's quantity is all that arrived; over_quantity is the part beyond its PO line.
ALTER TABLE receipts
    ADD COLUMN IF NOT EXISTS over_quantity numeric(18, 4) NOT NULL DEFAULT 0
        CHECK (over_quantity >= 0 AND over_quantity <= quantity);

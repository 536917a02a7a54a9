-- One ledger per line: the quantities the line's ledger (domain/line/) keeps, its phase and
-- a version raised on every write (adapters/postgres/line_ledger.py is the only writer),
-- and the ledger's invariants as CHECK constraints.

ALTER TABLE fulfillment_lines
    ADD COLUMN invoiced_quantity numeric(18, 4) NOT NULL DEFAULT 0,
    ADD COLUMN backordered_quantity numeric(18, 4) NOT NULL DEFAULT 0,
    ADD COLUMN phase text NOT NULL DEFAULT 'BOOKED',
    ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- Lines booked before the ledger: the phase their status says, what their AR invoices billed.
UPDATE fulfillment_lines SET phase = CASE
        WHEN status = 'BOOKED' THEN 'BOOKED'
        WHEN status = 'MANUAL_ACTION_REQUIRED' THEN 'MANUAL'
        WHEN status = 'AWAITING_BILLING' THEN 'BILLING'
        WHEN status = 'CLOSED' THEN 'CLOSED'
        ELSE 'SUPPLYING' END,
    invoiced_quantity = LEAST(shipped_quantity, coalesce((SELECT sum(quantity) FROM ar_invoices a
        WHERE a.order_number = fulfillment_lines.order_number
        AND a.line_number = fulfillment_lines.line_number), 0));

ALTER TABLE fulfillment_lines
    ADD CONSTRAINT fulfillment_lines_phase
        CHECK (phase IN ('BOOKED', 'SUPPLYING', 'MANUAL', 'BILLING', 'CLOSED')),
    ADD CONSTRAINT fulfillment_lines_picked_within_released
        CHECK (picked_quantity <= released_quantity),
    ADD CONSTRAINT fulfillment_lines_released_within_open
        CHECK (released_quantity <= ordered_quantity - canceled_quantity),
    ADD CONSTRAINT fulfillment_lines_release_reserved
        CHECK (reserved_quantity >= released_quantity - shipped_quantity),
    ADD CONSTRAINT fulfillment_lines_received
        CHECK (received_quantity >= 0),
    ADD CONSTRAINT fulfillment_lines_invoiced_within_shipped
        CHECK (invoiced_quantity >= 0 AND invoiced_quantity <= shipped_quantity),
    ADD CONSTRAINT fulfillment_lines_backordered_to_supply
        CHECK (backordered_quantity >= 0 AND backordered_quantity <= GREATEST(
            ordered_quantity - canceled_quantity - shipped_quantity - reserved_quantity, 0)),
    ADD CONSTRAINT fulfillment_lines_version CHECK (version >= 1);

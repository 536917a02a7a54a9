-- Backorder cancels and the supply they leave behind.

-- The reason a person gave when canceling part of a line: later backorder cancels on that
-- line keep it instead of the predefined Cancel Backorders reason (seed 004).
ALTER TABLE fulfillment_lines ADD COLUMN person_cancel_reason text;

-- Supply that a cancel left in place because Cancel Supply When Canceling Backorders is
-- off: a planner reviews it and reduces or cancels the document by hand.
CREATE TABLE supply_reviews (
    id                   bigserial PRIMARY KEY,
    idempotency_key      text NOT NULL UNIQUE,
    order_number         text NOT NULL,
    line_number          integer NOT NULL,
    document_type        text NOT NULL,
    document_number      text NOT NULL,
    document_line        integer NOT NULL,
    supply_order_number  text NOT NULL REFERENCES supply_orders (supply_order_number),
    canceled_quantity    numeric(18, 4) NOT NULL CHECK (canceled_quantity > 0),
    reason               text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);
CREATE INDEX supply_reviews_document ON supply_reviews (document_type, document_number);

-- Shipping tolerances of a line, in percent of its open quantity.
ALTER TABLE fulfillment_lines
    ADD COLUMN under_ship_tolerance_pct numeric(7, 4) NOT NULL DEFAULT 0
        CHECK (under_ship_tolerance_pct BETWEEN 0 AND 100),
    ADD COLUMN over_ship_tolerance_pct numeric(8, 4) NOT NULL DEFAULT 0
        CHECK (over_ship_tolerance_pct BETWEEN 0 AND 1000);

-- Shipment sets released by their order workflow once every open line of the set is staged;
-- with Enforce Shipment Sets a set line ships only after its set is released.
CREATE TABLE shipment_set_releases (
    order_number  text NOT NULL REFERENCES orders (order_number),
    shipment_set  text NOT NULL,
    lines         integer[] NOT NULL,
    released_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_number, shipment_set)
);

-- Holds (contract: "Holds"). A hold code names what it blocks; a hold puts one on a whole
-- order (line_number NULL: each of its lines) or on one line until it is released.
CREATE TABLE IF NOT EXISTS hold_codes (
    code    text PRIMARY KEY,
    name    text NOT NULL,
    blocks  text[] NOT NULL CHECK (
        cardinality(blocks) > 0
        AND blocks <@ ARRAY['PICK_RELEASE', 'SHIPPING', 'BILLING']::text[]
    )
);

CREATE TABLE IF NOT EXISTS holds (
    hold_id         text PRIMARY KEY,
    order_number    text NOT NULL REFERENCES orders (order_number),
    line_number     integer,
    hold_code       text NOT NULL REFERENCES hold_codes (code),
    reason          text NOT NULL,
    applied_at      timestamptz NOT NULL DEFAULT now(),
    released_at     timestamptz,
    release_reason  text,
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);

-- One active hold per code on an order or a line: applying it again answers the same hold.
CREATE UNIQUE INDEX IF NOT EXISTS holds_active_once
    ON holds (order_number, coalesce(line_number, 0), hold_code) WHERE released_at IS NULL;
CREATE INDEX IF NOT EXISTS holds_active_by_order
    ON holds (order_number) WHERE released_at IS NULL;

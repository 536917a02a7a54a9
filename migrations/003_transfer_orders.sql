-- Transfer supply: a transfer order moves stock from another organization to the line's,
-- pegged to the line. It ships at creation (reserved and taken from the source's on-hand)
-- and its receipt at the destination is reserved to the line.
CREATE TABLE transfer_orders (
    transfer_order_number  text PRIMARY KEY,
    idempotency_key        text NOT NULL UNIQUE,
    supply_order_number    text NOT NULL REFERENCES supply_orders (supply_order_number),
    item                   text NOT NULL,
    from_organization      text NOT NULL REFERENCES organizations (code),
    to_organization        text NOT NULL REFERENCES organizations (code),
    quantity               numeric(18, 4) NOT NULL CHECK (quantity > 0),
    canceled_quantity      numeric(18, 4) NOT NULL DEFAULT 0,
    received_quantity      numeric(18, 4) NOT NULL DEFAULT 0,
    transfer_price         numeric(18, 4) NOT NULL,
    status                 text NOT NULL,
    shipped_at             timestamptz NOT NULL DEFAULT now(),
    expected_arrival       date,
    CHECK (canceled_quantity >= 0 AND canceled_quantity <= quantity),
    CHECK (received_quantity >= 0 AND received_quantity <= quantity - canceled_quantity)
);

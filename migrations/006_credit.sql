-- Credit authorization: each order's total authorized against its customer's credit limit.

-- One authorization per order. What counts against a customer's limit is the amount of its
-- AUTHORIZED orders; an ON_HOLD order waits for a person, a CANCELED one has nothing open,
-- a CLOSED one is done (invoiced or canceled line by line).
CREATE TABLE credit_authorizations (
    order_number     text PRIMARY KEY REFERENCES orders (order_number),
    customer_number  text NOT NULL REFERENCES customers (number),
    currency         text NOT NULL,
    -- Authorized (or, on hold, asked for): the order's open total at the net unit prices.
    amount           numeric(18, 2) NOT NULL CHECK (amount >= 0),
    status           text NOT NULL
        CHECK (status IN ('AUTHORIZED', 'ON_HOLD', 'CANCELED', 'CLOSED')),
    reason           text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'CANCELED' OR amount = 0)
);
CREATE INDEX credit_authorizations_exposure ON credit_authorizations (customer_number)
    WHERE status = 'AUTHORIZED';

-- Each authorization attempt of an order workflow and its answer, under the step's key, so
-- a retried activity answers what it answered the first time.
CREATE TABLE credit_checks (
    idempotency_key       text PRIMARY KEY,
    order_number          text NOT NULL REFERENCES orders (order_number),
    status                text NOT NULL CHECK (status IN ('AUTHORIZED', 'ON_HOLD', 'CANCELED')),
    amount                numeric(18, 2) NOT NULL CHECK (amount >= 0),
    credit_limit          numeric(18, 2),
    authorized_elsewhere  numeric(18, 2) NOT NULL CHECK (authorized_elsewhere >= 0),
    reason                text NOT NULL,
    open_lines            integer[] NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_checks_order ON credit_checks (order_number);

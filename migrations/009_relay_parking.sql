-- The relay retries each lost order start and each undelivered signal on its own, with
-- backoff, and parks an item after a bound so that one bad item never holds up the rest.
-- A parked item is retried again only when an operator asks (`b2b outbox retry`).

ALTER TABLE signal_outbox
    ADD COLUMN attempts         integer NOT NULL DEFAULT 0,
    ADD COLUMN last_error       text,
    ADD COLUMN first_failed_at  timestamptz,
    ADD COLUMN next_attempt_at  timestamptz,
    ADD COLUMN parked_at        timestamptz;

-- Per workflow, in the order owed: the relay delivers a signal only once the earlier
-- pending signals of its workflow are delivered or parked.
CREATE INDEX signal_outbox_pending_by_workflow ON signal_outbox (workflow_id, id)
    WHERE delivered_at IS NULL AND parked_at IS NULL;
CREATE INDEX signal_outbox_parked ON signal_outbox (id) WHERE parked_at IS NOT NULL;

-- Orders whose workflow start failed (a row only once a start failed): orders keeps only
-- whether its workflow was started.
CREATE TABLE order_start_failures (
    order_number     text PRIMARY KEY REFERENCES orders (order_number),
    attempts         integer NOT NULL,
    last_error       text NOT NULL,
    first_failed_at  timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL,
    parked_at        timestamptz
);

CREATE INDEX orders_not_started ON orders (booked_at) WHERE workflow_started_at IS NULL;

-- The worker's business gauges read each line's latest jeopardy event every few seconds.
CREATE INDEX business_events_jeopardy ON business_events (order_number, line_number, cursor)
    WHERE type IN ('JEOPARDY_RAISED', 'JEOPARDY_CLEARED');

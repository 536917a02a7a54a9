-- System of record for the built-in adapters: master data, supply documents, pegs,
-- receipts, shipments, invoices, scans and business events.
-- Every write that an activity makes carries an idempotency key with a UNIQUE constraint.

CREATE TABLE organizations (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    is_default  boolean NOT NULL DEFAULT false
);
-- At most one default organization.
CREATE UNIQUE INDEX organizations_one_default ON organizations (is_default) WHERE is_default;

CREATE TABLE suppliers (
    number  text PRIMARY KEY,
    name    text NOT NULL,
    site    text,
    active  boolean NOT NULL DEFAULT true
);

CREATE TABLE customers (
    number        text PRIMARY KEY,
    name          text NOT NULL,
    back_to_back  boolean NOT NULL DEFAULT false,
    credit_limit  numeric(18, 2),
    party_id      bigint UNIQUE
);

CREATE TABLE items (
    number                text PRIMARY KEY,
    description           text NOT NULL DEFAULT '',
    uom                   text NOT NULL DEFAULT 'Ea',
    list_price            numeric(18, 4) NOT NULL DEFAULT 0 CHECK (list_price >= 0),
    back_to_back_enabled  boolean,
    purchasable           boolean NOT NULL DEFAULT true,
    purchased             boolean NOT NULL DEFAULT true,
    cost                  numeric(18, 4),
    -- A variant names the item it belongs to and inherits what it does not set.
    parent_item           text REFERENCES items (number)
);

CREATE TABLE volume_discounts (
    item           text NOT NULL REFERENCES items (number),
    min_quantity   numeric(18, 4) NOT NULL CHECK (min_quantity > 0),
    unit_discount  numeric(18, 4) NOT NULL CHECK (unit_discount >= 0),
    PRIMARY KEY (item, min_quantity)
);

CREATE TABLE blanket_agreements (
    number                             text PRIMARY KEY,
    supplier                           text NOT NULL REFERENCES suppliers (number),
    item                               text NOT NULL REFERENCES items (number),
    unit_price                         numeric(18, 4) NOT NULL CHECK (unit_price >= 0),
    lead_time_days                     integer NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    automatically_generate_orders      boolean NOT NULL DEFAULT false,
    automatically_submit_for_approval  boolean NOT NULL DEFAULT false,
    active                             boolean NOT NULL DEFAULT true
);

CREATE TABLE work_definitions (
    item             text NOT NULL REFERENCES items (number),
    organization     text NOT NULL REFERENCES organizations (code),
    lead_time_days   integer NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    use_in_planning  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (item, organization)
);

CREATE TABLE transfer_parameters (
    from_organization          text NOT NULL REFERENCES organizations (code),
    to_organization            text NOT NULL REFERENCES organizations (code),
    transit_days               integer NOT NULL DEFAULT 0 CHECK (transit_days >= 0),
    transfer_price_markup_pct  numeric(9, 4) NOT NULL DEFAULT 0,
    PRIMARY KEY (from_organization, to_organization)
);

-- organization '' is the global rule; a rule for the fulfillment organization wins over it.
CREATE TABLE sourcing_rules (
    item          text NOT NULL REFERENCES items (number),
    organization  text NOT NULL DEFAULT '',
    sources       jsonb NOT NULL,
    PRIMARY KEY (item, organization)
);

CREATE TABLE on_hand (
    item          text NOT NULL REFERENCES items (number),
    organization  text NOT NULL REFERENCES organizations (code),
    quantity      numeric(18, 4) NOT NULL DEFAULT 0,
    reserved      numeric(18, 4) NOT NULL DEFAULT 0,
    PRIMARY KEY (item, organization),
    -- Reservations are part of on-hand until shipped: this is what makes oversell impossible.
    CONSTRAINT on_hand_not_negative CHECK (quantity >= 0),
    CONSTRAINT reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= quantity)
);

CREATE TABLE parameters (
    name   text PRIMARY KEY,
    value  jsonb NOT NULL
);

CREATE TABLE orders (
    order_number         text PRIMARY KEY,
    customer_number      text NOT NULL REFERENCES customers (number),
    customer_po_number   text,
    currency             text NOT NULL DEFAULT 'USD',
    requested_ship_date  date,
    organization         text NOT NULL REFERENCES organizations (code),
    booked_at            timestamptz NOT NULL DEFAULT now(),
    workflow_started_at  timestamptz,
    request              jsonb NOT NULL
);

-- The execution facts of a line that warehouse scans, pick waves and cancellations are
-- checked against under a row lock. The workflow owns orchestration; this row owns the
-- physical truth (what was received, picked, shipped, canceled).
CREATE TABLE fulfillment_lines (
    order_number             text NOT NULL REFERENCES orders (order_number),
    line_number              integer NOT NULL CHECK (line_number > 0),
    workflow_id              text NOT NULL UNIQUE,
    item_number              text NOT NULL REFERENCES items (number),
    organization             text NOT NULL REFERENCES organizations (code),
    status                   text NOT NULL,
    ordered_quantity         numeric(18, 4) NOT NULL CHECK (ordered_quantity > 0),
    canceled_quantity        numeric(18, 4) NOT NULL DEFAULT 0,
    reserved_quantity        numeric(18, 4) NOT NULL DEFAULT 0,
    received_quantity        numeric(18, 4) NOT NULL DEFAULT 0,
    released_quantity        numeric(18, 4) NOT NULL DEFAULT 0,
    picked_quantity          numeric(18, 4) NOT NULL DEFAULT 0,
    shipped_quantity         numeric(18, 4) NOT NULL DEFAULT 0,
    unit_price               numeric(18, 4) NOT NULL,
    unit_discount            numeric(18, 4) NOT NULL DEFAULT 0,
    back_to_back             boolean NOT NULL,
    cancel_backorders        boolean NOT NULL DEFAULT false,
    enforce_single_shipment  boolean NOT NULL DEFAULT false,
    shipment_set             text,
    cancel_reason            text,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_number, line_number),
    CHECK (canceled_quantity >= 0 AND canceled_quantity <= ordered_quantity),
    CHECK (shipped_quantity >= 0 AND shipped_quantity <= ordered_quantity - canceled_quantity),
    CHECK (picked_quantity >= shipped_quantity)
);
CREATE INDEX fulfillment_lines_ready ON fulfillment_lines (organization, status);

CREATE SEQUENCE document_numbers;

CREATE TABLE supply_orders (
    supply_order_number  text PRIMARY KEY,
    idempotency_key      text NOT NULL UNIQUE,
    order_number         text NOT NULL,
    line_number          integer NOT NULL,
    supply_type          text NOT NULL,
    item                 text NOT NULL,
    organization         text NOT NULL,
    quantity             numeric(18, 4) NOT NULL CHECK (quantity >= 0),
    status               text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);

CREATE TABLE requisitions (
    requisition_number   text PRIMARY KEY,
    idempotency_key      text NOT NULL UNIQUE,
    supply_order_number  text NOT NULL REFERENCES supply_orders (supply_order_number),
    item                 text NOT NULL,
    organization         text NOT NULL,
    supplier             text NOT NULL,
    quantity             numeric(18, 4) NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE purchase_orders (
    po_number            text PRIMARY KEY,
    idempotency_key      text NOT NULL UNIQUE,
    supplier             text NOT NULL REFERENCES suppliers (number),
    agreement            text REFERENCES blanket_agreements (number),
    organization         text NOT NULL,
    currency             text NOT NULL DEFAULT 'USD',
    status               text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    approved_at          timestamptz,
    approved_by          text
);

CREATE TABLE purchase_order_lines (
    po_number            text NOT NULL REFERENCES purchase_orders (po_number),
    po_line              integer NOT NULL,
    requisition_number   text REFERENCES requisitions (requisition_number),
    item                 text NOT NULL,
    quantity             numeric(18, 4) NOT NULL CHECK (quantity > 0),
    canceled_quantity    numeric(18, 4) NOT NULL DEFAULT 0,
    received_quantity    numeric(18, 4) NOT NULL DEFAULT 0,
    unit_price           numeric(18, 4) NOT NULL,
    need_by_date         date,
    status               text NOT NULL,
    PRIMARY KEY (po_number, po_line),
    CHECK (canceled_quantity >= 0 AND canceled_quantity <= quantity),
    -- Receiving more than is open on the line is impossible, whatever the callers do.
    CHECK (received_quantity >= 0 AND received_quantity <= quantity - canceled_quantity)
);

-- The hard peg: a supply document line belongs to exactly one fulfillment line.
CREATE TABLE pegs (
    document_type        text NOT NULL,
    document_number      text NOT NULL,
    document_line        integer NOT NULL DEFAULT 1,
    supply_order_number  text NOT NULL REFERENCES supply_orders (supply_order_number),
    order_number         text NOT NULL,
    line_number          integer NOT NULL,
    workflow_id          text NOT NULL,
    PRIMARY KEY (document_type, document_number, document_line),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);
CREATE INDEX pegs_line ON pegs (order_number, line_number);

-- Every scan, with the answer it got: a repeated scan_id gets the same answer.
CREATE TABLE scans (
    scan_id      text PRIMARY KEY,
    kind         text NOT NULL,
    request      jsonb NOT NULL,
    status_code  integer,
    response     jsonb,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE receipts (
    receipt_number   text PRIMARY KEY,
    scan_id          text NOT NULL UNIQUE REFERENCES scans (scan_id),
    document_type    text NOT NULL,
    document_number  text NOT NULL,
    document_line    integer NOT NULL,
    item             text NOT NULL,
    organization     text NOT NULL,
    quantity         numeric(18, 4) NOT NULL CHECK (quantity > 0),
    unit_price       numeric(18, 4),
    order_number     text NOT NULL,
    line_number      integer NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
    reservation_id   bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    item             text NOT NULL,
    organization     text NOT NULL,
    order_number     text NOT NULL,
    line_number      integer NOT NULL,
    quantity         numeric(18, 4) NOT NULL,
    source_document  text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);

CREATE TABLE pick_waves (
    wave_number   text PRIMARY KEY,
    organization  text NOT NULL,
    order_number  text,
    released_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pick_releases (
    wave_number   text NOT NULL REFERENCES pick_waves (wave_number),
    order_number  text NOT NULL,
    line_number   integer NOT NULL,
    quantity      numeric(18, 4) NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (wave_number, order_number, line_number),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);

CREATE TABLE shipments (
    shipment_number  text PRIMARY KEY,
    scan_id          text NOT NULL UNIQUE REFERENCES scans (scan_id),
    order_number     text NOT NULL,
    line_number      integer NOT NULL,
    quantity         numeric(18, 4) NOT NULL CHECK (quantity > 0),
    shipped_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (order_number, line_number) REFERENCES fulfillment_lines (order_number, line_number)
);

CREATE TABLE ar_invoices (
    invoice_number   text PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    customer_number  text NOT NULL,
    order_number     text NOT NULL,
    line_number      integer NOT NULL,
    item             text NOT NULL,
    quantity         numeric(18, 4) NOT NULL,
    unit_price       numeric(18, 4) NOT NULL,
    amount           numeric(18, 2) NOT NULL,
    currency         text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ap_invoices (
    invoice_number   text PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    supplier         text NOT NULL,
    po_number        text NOT NULL,
    po_line          integer NOT NULL,
    quantity         numeric(18, 4) NOT NULL,
    unit_price       numeric(18, 4) NOT NULL,
    amount           numeric(18, 2) NOT NULL,
    status           text NOT NULL,
    hold_reason      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (po_number, po_line) REFERENCES purchase_order_lines (po_number, po_line)
);

CREATE TABLE business_events (
    cursor           bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    type             text NOT NULL,
    order_number     text,
    line_number      integer,
    at               timestamptz NOT NULL DEFAULT now(),
    data             jsonb NOT NULL DEFAULT '{}'
);

-- Signals owed to workflows, written in the same transaction as the fact they announce
-- and delivered after commit (again by the worker's relay if the first try was lost).
CREATE TABLE signal_outbox (
    id            bigserial PRIMARY KEY,
    workflow_id   text NOT NULL,
    signal        text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz
);
CREATE INDEX signal_outbox_pending ON signal_outbox (id) WHERE delivered_at IS NULL;

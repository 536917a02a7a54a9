-- Kits (contract: "Kits (pick-to-order)"). A kit item lists its components with their
-- quantity per kit; a component is never the kit itself nor another kit.
CREATE TABLE IF NOT EXISTS kit_components (
    kit_item   text NOT NULL REFERENCES items (number),
    component  integer NOT NULL CHECK (component BETWEEN 1 AND 99),
    item       text NOT NULL REFERENCES items (number),
    quantity   numeric(18, 4) NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (kit_item, component),
    UNIQUE (kit_item, item),
    CHECK (item <> kit_item)
);

-- A kit line is an order line with `kit_components` > 0; each of its components is a line
-- of its own, stored under 100,000 + kit line × 100 + component (domain/kits.py), with its
-- kit's line number, its component number and its quantity per kit.
ALTER TABLE fulfillment_lines
    ADD COLUMN IF NOT EXISTS kit_components integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS kit_line_number integer,
    ADD COLUMN IF NOT EXISTS component integer,
    ADD COLUMN IF NOT EXISTS per_kit numeric(18, 4),
    ADD CONSTRAINT fulfillment_lines_component CHECK (
        (kit_line_number IS NULL AND component IS NULL AND per_kit IS NULL)
        OR (kit_line_number IS NOT NULL AND component BETWEEN 1 AND 99 AND per_kit > 0
            AND line_number = 100000 + kit_line_number * 100 + component)
    );

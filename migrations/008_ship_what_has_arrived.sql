-- Ship what has arrived: an order may ask that each line ships whole (`ship_complete`), and
-- only lines booked from this release on, whose line workflow can ship in parts, are
-- released in parts by pick waves (lines already running finish whole).

ALTER TABLE orders ADD COLUMN ship_complete boolean NOT NULL DEFAULT false;
ALTER TABLE fulfillment_lines ADD COLUMN ships_in_parts boolean NOT NULL DEFAULT false;

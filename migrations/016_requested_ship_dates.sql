-- Dates (contract: "Dates and jeopardy"): a revision may move the requested ship date of the
-- order or of one line. A line's own date, when set, wins over its order's.
ALTER TABLE fulfillment_lines ADD COLUMN IF NOT EXISTS requested_ship_date date;

-- A document's number, `{prefix}-{n}` with n from `document_numbers` zero-padded to six
-- digits: the one place the format is written. An INSERT names its new document with it
-- and returns the number (no round trip of its own).
CREATE OR REPLACE FUNCTION document_number(prefix text) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT prefix || '-' || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END
    FROM nextval('document_numbers') AS n
$$;

-- What a supply document line has received is summed when it is billed (AP): without this,
-- every supplier invoice read every receipt ever scanned.
CREATE INDEX IF NOT EXISTS receipts_by_document ON receipts (document_number, document_line);

-- The decimal places a quantity of an item may have; NULL: its unit of measure decides
-- (counted units such as Ea are whole).
ALTER TABLE items ADD COLUMN IF NOT EXISTS quantity_decimal_places integer
    CHECK (quantity_decimal_places BETWEEN 0 AND 4);

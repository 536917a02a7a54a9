"""The warehouse's work on lines: pick waves, pick and ship confirms."""

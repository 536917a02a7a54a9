"""Goods that arrive and the on-hand they go to: receipts reserved to their pegged line,
what came beyond the document, and free stock serving the lines that wait for it."""

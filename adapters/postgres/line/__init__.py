"""A line's row: its one writer (`ledger`), the phases it reaches on its own, and what its
writes tell its order."""

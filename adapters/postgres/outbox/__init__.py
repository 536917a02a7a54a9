"""Business events and the signals owed to workflows: written in the caller's transaction,
the feed read in order, the signals delivered by the relay (what it parks kept for an operator)."""

"""Domain models, statuses and the pure rules of back-to-back fulfillment."""

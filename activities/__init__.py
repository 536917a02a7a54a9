"""Activities: one module per adapter family, thin classes around injected adapters.

Every activity takes an idempotency key built from the workflow id and the step (never the
run id), so a retried or replayed step returns what the first attempt made.
"""

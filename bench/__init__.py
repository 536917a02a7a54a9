"""Throughput benchmark of the Buy flow against a bare Temporal workflow (`python -m bench.run`)."""

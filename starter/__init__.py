"""Intake and operations: the HTTP API, the `b2b` command line and the dev stack."""

"""Workflows: orchestration only, deterministic, no I/O."""

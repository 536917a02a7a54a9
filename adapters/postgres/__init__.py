"""The built-in PostgreSQL system of record."""

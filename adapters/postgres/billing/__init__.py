"""Invoices: AR to customers, AP from suppliers."""

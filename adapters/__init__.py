"""Adapters to the systems a fulfillment line touches.

`protocols` names what the activities need from procurement, inventory, shipping and
billing; `postgres` is the built-in system of record that implements all of them. An
external ERP plugs in by implementing the same protocols.
"""

"""Marshmallow schemas: the wire contract (request schemas load, response schemas dump)."""

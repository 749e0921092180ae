"""Categories, countries, debit cards and the crypto whitelist (being written)."""


def seed(ns, fixture: dict) -> None:
    """Replay the catalogue part of a fixture set (categories, cards); being written."""

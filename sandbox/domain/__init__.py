"""The Payluk domain: escrows, milestones, money and the ledger, free of any web framework."""

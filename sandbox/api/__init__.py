"""HTTP layer: thin Flask views over the domain services, one envelope writer for all."""

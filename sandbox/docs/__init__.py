"""Documents built from the code: the OpenAPI document and the fidelity report."""

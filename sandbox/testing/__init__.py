"""For test suites: the pytest plugin (and the in-process helpers to come)."""

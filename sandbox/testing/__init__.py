"""For test suites: the pytest plugin (pytest_plugin.py: the `payluk_sandbox` and `payluk_mock`
fixtures) and the in-process mock of Payluk's hosts (mock.py: `mock_payluk`)."""

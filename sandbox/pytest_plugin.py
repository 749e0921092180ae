"""pytest plugin: the `payluk_sandbox` fixture (being written)."""

"""The server around the app: the `payluk-sandbox` command, its configuration, and how granian serves requests."""

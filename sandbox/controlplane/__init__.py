"""The control plane: fault scenarios, the request journal, fixture sets and webhook delivery — what the sandbox adds around the API."""

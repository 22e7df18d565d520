"""Shared infrastructure under every app: batch db helpers, API base, page access, parsers, throttling,
the broker's send. It imports no app of the project (the import contract in pyproject.toml checks it)."""

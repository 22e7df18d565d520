"""REST API of parks, under /api/v1/."""

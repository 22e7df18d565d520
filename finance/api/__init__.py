"""REST API of finance, under /api/v1/."""

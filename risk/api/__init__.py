"""REST API of risk, under /api/v1/."""

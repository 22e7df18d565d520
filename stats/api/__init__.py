"""REST API of stats, under /api/v1/."""

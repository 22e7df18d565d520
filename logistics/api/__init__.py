"""REST API of logistics, under /api/v1/."""

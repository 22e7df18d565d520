"""REST API of credit, under /api/v1/."""

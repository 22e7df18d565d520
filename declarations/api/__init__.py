"""The declarations' REST API under /api/v1/."""

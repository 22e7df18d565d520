"""REST API of sharing, under /api/v1/, with the base viewset that scopes every app's querysets."""

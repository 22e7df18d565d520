"""Management commands of the declarations app."""

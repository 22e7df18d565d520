"""Management commands of sharing."""

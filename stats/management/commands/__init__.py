"""Management commands of stats."""

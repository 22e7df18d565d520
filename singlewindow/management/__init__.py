"""The project's own commands: the demo that seeds every app."""

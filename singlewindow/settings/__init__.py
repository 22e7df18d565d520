"""Settings: base (shared, from the environment), local (the embedded default) and production."""

"""E-commerce credit: each enterprise's credit profile, events, level and the negative list."""

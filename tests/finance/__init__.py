"""Tests of the retail import tax and the financial services."""

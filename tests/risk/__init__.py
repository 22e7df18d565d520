"""Tests of risk rules and alerts."""

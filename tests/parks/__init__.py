"""Tests of the zones and their parks."""

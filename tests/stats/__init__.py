"""Tests of the statistics and dashboards."""

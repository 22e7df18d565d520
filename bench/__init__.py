"""Benchmarks: the end-to-end pipeline (orders per second) and the dashboards' render times."""

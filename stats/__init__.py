"""Statistical monitoring: counters by day, mode, park, country, HS chapter and enterprise; dashboards,
charts and CSV export. It reads every app below the pipeline."""

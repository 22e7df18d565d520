"""`manage.py clearance_sweep`."""

"""`manage.py summarise_exports`."""

"""`manage.py` commands of the project package."""

"""Tests of the shared infrastructure in singlewindow.core."""

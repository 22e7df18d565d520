"""Tests in the system's headless Chromium against a live server."""

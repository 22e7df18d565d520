"""Tests of the clearance pipeline's steps."""

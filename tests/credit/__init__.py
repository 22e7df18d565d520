"""Tests of e-commerce credit."""

"""Tests of tracking, warehouses and bonded stock."""

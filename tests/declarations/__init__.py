"""Tests of the documents' intake, receipts and pages."""

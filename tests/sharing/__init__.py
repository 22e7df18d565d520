"""Tests of the registry of parties, API keys, webhooks and the audit trail."""

"""Information sharing: the registry of parties (enterprises, agencies, memberships), partner API keys,
webhooks, the Exchange ledger of every message, the audit trail, and the agency adapters."""

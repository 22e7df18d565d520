"""Financial services: CBEC retail import tax, buyers' quotas, the withholding ledger, tax guarantees,
forex settlement of exports, export VAT exemption and financing requests."""

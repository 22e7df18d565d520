"""The single declaration: orders, payments, waybills and inventory lists, their intake and receipts."""

"""A zone's past, written straight into PostgreSQL: N released import orders with what the pipeline
leaves behind for each (the four documents and their lines, fourteen receipts, four agency decisions, a
risk assessment, a tax bill and its lines, a quota use, stock movements of bonded lists, tracking
events, a credit event, the statistics counters) and per batch of lists its dispatch, four agency
dispatches and eight exchanges.

It is what `manage.py load_history N` and the benchmark's `--history N` use to measure the portal with
a database that is not empty. Rows go in with COPY (3.4 million rows for 100,000 orders in minutes
where the API would take hours), chunk by chunk in their own transactions, with ids taken above every id and
sequence value already used and the sequences set past them afterwards.

The history is spread over the last `days` days (ids grow with time, as they would), and over buyers
drawn the way a zone sees them: most buyers order once to three times, a few dozens of times (a
truncated power law), each buyer with one address, paying for their own orders.
"""

from .loader import Loaded, load
from .orders import HistoryError

__all__ = ["HistoryError", "Loaded", "load"]

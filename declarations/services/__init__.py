"""Intake of the documents: validate, authorise, store idempotently, answer with receipts, and ask the
clearance pipeline (by task name) to (re)match the lists the documents belong to.

One call handles a batch of up to 1,000 documents with a bounded number of queries: existing
documents are loaded by natural key in one query, new ones are inserted in one statement per table, and
the database's unique constraints are the final word on natural keys.

One module per concern: `specs` (what each kind is), `identity` (natural keys, content hash),
`validation` (schema and who may submit), `storage` (the batch write), `rematch` (waking the pipeline),
`deferred` (single documents answered 2 and stored in micro-batches), `summaries` (CEB701) and
`amendments` (CEB623/625). Callers import from here.
"""

from .amendments import (
    AmendmentRejected,
    amendment_apply,
    amendment_for_list,
    amendment_submit,
    amendments_submit,
    goods_back,
)
from .deferred import intake_process, is_deferred, receive
from .exchange import exchange_submit
from .identity import HEADER_FIELDS, content_hash
from .specs import MAX_BATCH, SPECS, IntakeForbidden, IntakeResult, errors_text, may_file
from .storage import submit, waybill_sign_for
from .summaries import SummaryRefused, summaries_for_month, summary_apply
from .validation import validate_documents

__all__ = [
    "exchange_submit",
    "HEADER_FIELDS",
    "MAX_BATCH",
    "SPECS",
    "AmendmentRejected",
    "IntakeForbidden",
    "IntakeResult",
    "SummaryRefused",
    "amendment_apply",
    "amendment_for_list",
    "amendment_submit",
    "amendments_submit",
    "content_hash",
    "is_deferred",
    "errors_text",
    "goods_back",
    "intake_process",
    "may_file",
    "receive",
    "submit",
    "summaries_for_month",
    "summary_apply",
    "validate_documents",
    "waybill_sign_for",
]

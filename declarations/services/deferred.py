"""Deferred intake of documents sent one per request: the request checks the document (fields, parties,
may the caller file it), commits it as an IntakeEntry and answers returnStatus 2 (received, being
declared); the intake processor stores what has gathered in micro-batches, as a batch intake would,
and the documents' receipts (2 -> 3 -> 120, or a refusal) follow in the receipts queue.

Nothing answered 2 is lost: the entry is committed before the answer and deleted in the transaction
that stores its document. A processor that dies leaves its entries to the next run (redelivery, the
next wake, or the sweeper).
"""

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from sharing.models import Enterprise
from sharing.principal import Principal
from singlewindow.core.broker import run_named, send_named
from singlewindow.core.db import insert_rows
from singlewindow.core.texts import Text, gettext_noop
from singlewindow.core.wake import wake

from ..choices import ReturnStatus
from ..models import IntakeEntry, Receipt
from .entries import commit_entry
from .identity import natural_key, natural_key_text
from .rematch import clearance_claimed_by_caller
from .specs import SPECS, IntakeForbidden, IntakeResult
from .storage import check, store

logger = logging.getLogger(__name__)

PROCESS_TASK = "declarations.process_intake"
# Runs that failed on an entry (a bug, not a refusal) before it is left aside for a person to look at.
MAX_ATTEMPTS = 5
INTAKE_LOCK = 621_311  # the advisory lock of the intake processor's runs
RECEIVED = Text(gettext_noop("Received; being declared."))


def is_deferred(kind: str) -> bool:
    """Whether single documents of `kind` are answered 2 at once and stored by the processor."""
    return bool(getattr(settings, "INTAKE_DEFERRED", False)) and kind in SPECS


def receive(*, kind: str, document: dict[str, Any], by: Principal, text: str | None = None) -> IntakeResult:
    """Check one document and, if it passes, commit it for the processor; its IntakeResult is
    "received" with returnStatus 2, or rejected with the field errors (nothing committed). `text`: the
    document's JSON as received, when the caller has it (stored as it is)."""
    results, valid = check(kind=kind, documents=[document], by=by)
    result = results[0]
    if not valid:
        return result
    assert by.enterprise is not None  # check() refused a caller without one
    # Committed on its own (autocommit): the answer below is given only once the entry is durable.
    commit_entry(kind, by.enterprise.pk, document, text)
    transaction.on_commit(lambda: wake(PROCESS_TASK))
    result.outcome = "received"
    result.return_status, result.return_info = ReturnStatus.DECLARING, str(RECEIVED)
    return result


def intake_process(*, limit: int | None = None) -> int:
    """Store up to `limit` received documents, oldest first, grouped by kind and enterprise; returns
    how many entries were done. A full claim asks for another run, so a backlog drains in batches.

    The lists the run completed are then claimed here, by this worker, at once: under load a list
    waits for the intake window only, not for the clearance window and a second task after it."""
    size = limit or settings.INTAKE_CLAIM_SIZE
    with clearance_claimed_by_caller() as claims:
        done, taken = _store_entries(size)
    if taken == size:
        send_named(PROCESS_TASK)
    for task in sorted(claims):
        try:
            run_named(task)
        except Exception:  # the lists stay marked: the clearance task takes them instead
            logger.exception("the claim after an intake run failed; %s sent instead", task)
            send_named(task)
    return done


def _store_entries(size: int) -> tuple[int, int]:
    """One run's transaction: (entries done, entries taken)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One run at a time, each taking what was committed before it in order: a change sent after
            # its document's 202 is never stored before that document by a run beside it.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INTAKE_LOCK])
        entries = list(
            IntakeEntry.objects.select_for_update(skip_locked=True)
            .filter(attempts__lt=MAX_ATTEMPTS)
            .order_by("id")[:size]
        )
        if not entries:
            return 0, 0
        groups: dict[tuple[str, int], list[IntakeEntry]] = {}
        for entry in entries:
            groups.setdefault((entry.kind, entry.enterprise_id), []).append(entry)
        enterprises = Enterprise.objects.in_bulk({entry.enterprise_id for entry in entries})
        done: list[int] = []
        for (kind, enterprise_id), group in groups.items():
            try:
                with transaction.atomic():
                    _store_group(kind, enterprises[enterprise_id], group)
            except Exception as exc:  # a bug in one group must not hold the others back
                logger.exception("intake of %d %s documents failed", len(group), kind)
                IntakeEntry.objects.filter(pk__in=[e.pk for e in group]).update(
                    attempts=F("attempts") + 1, last_error=repr(exc)[:500]
                )
                continue
            done += [entry.pk for entry in group]
        IntakeEntry.objects.filter(pk__in=done).delete()
    return len(done), len(entries)


def _store_group(kind: str, enterprise: Enterprise, group: list[IntakeEntry]) -> None:
    """One enterprise's documents of one kind, as a batch; a natural key received more than once (a
    resend, a change sent right after) is stored in order, one round per occurrence."""
    spec = SPECS[kind]
    by = Principal(enterprise=enterprise)
    documents = [entry.document for entry in group]
    try:
        results, valid = check(kind=kind, documents=documents, by=by, repeats=True)
    except IntakeForbidden as refusal:  # the enterprise was suspended (or lost the role) meanwhile
        results = [
            IntakeResult(index, "rejected", {}, return_status=ReturnStatus.REJECTED, return_info=str(refusal))
            for index in range(len(documents))
        ]
        valid = []
    rounds: list[list[tuple[int, dict[str, Any]]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for index, data in valid:
        key = natural_key(spec, data)
        occurrence = seen[key] = seen.get(key, -1) + 1
        if occurrence == len(rounds):
            rounds.append([])
        rounds[occurrence].append((index, data))
    for batch in rounds:
        store(kind=kind, enterprise=enterprise, valid=batch, results=results)
    # A refusal reaches the partner as a receipt in its queue: the request already answered 2.
    insert_rows(
        [
            Receipt.new(
                enterprise_id=enterprise.pk,
                kind=kind,
                document_id=result.id or 0,  # 0: no stored document carries the refused key
                natural_key=natural_key_text(spec, tuple(result.natural_key.values()))
                if result.natural_key
                else "",
                status=result.return_status or ReturnStatus.REJECTED,
                info=result.return_info or "-",
            )
            for result in results
            if not result.ok
        ]
    )

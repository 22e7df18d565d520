"""Writing the IntakeEntry of a document received one per request, committed before its answer.

The requests in flight in one web process commit their entries together (a group commit): the first
writes its own and every entry that arrives while it writes waits for the next write, made by one of
them for all. Each request still answers only once its own entry is committed, so nothing answered
returnStatus 2 is lost; the database makes one transaction, one statement and one WAL flush for a
group instead of one each, which with one document per request is a third of PostgreSQL's work.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from ..models import IntakeEntry

_TABLE = IntakeEntry._meta.db_table
_CREATED_AT = IntakeEntry._meta.get_field("created_at")
# attempts and last_error take their defaults (0, "") as the columns have none in the database.
_COLUMNS = f"INSERT INTO {_TABLE} (kind, enterprise_id, document, created_at, attempts, last_error) VALUES "  # noqa: S608 - the model's table
_ROW = "(%s, %s, %s, %s, 0, '')"
# A group is the requests in flight at once: a web process's threads, a few dozen at most.
MAX_GROUP = 100


def commit_entry(kind: str, enterprise_id: int, document: dict[str, Any], text: str | None = None) -> None:
    """Commit the entry of one received document (in the caller's transaction if it is in one).

    `text` is the document's JSON as received, if the caller has it: written as it is (the column parses
    it), where the field's adapter would encode the parsed document again at four times the CPU."""
    created_at = _CREATED_AT.get_db_prep_save(timezone.now(), connection)
    row = [kind, enterprise_id, json.dumps(document) if text is None else text, created_at]
    if connection.in_atomic_block:
        _insert([row])  # part of the caller's transaction: not to be committed by another thread
        return
    _writer.commit(row)


class _Waiting:
    __slots__ = ("row", "written", "error", "leads")

    def __init__(self, row: list[Any]) -> None:
        self.row = row
        self.written = threading.Event()
        self.error: BaseException | None = None
        self.leads = False  # woken to write the next group rather than because its row was written


class _GroupWriter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writing = False

    def commit(self, row: list[Any]) -> None:
        mine = _Waiting(row)
        with self._lock:
            self._queue.append(mine)
            leads = not self._writing
            self._writing = True
        if not leads:
            mine.written.wait()
            if not mine.leads:
                if mine.error is not None:
                    raise mine.error
                return
        self._write_group()
        if mine.error is not None:
            raise mine.error

    def _write_group(self) -> None:
        """Write what is queued (this thread's row among it), wake its threads, and hand the writing on
        to a thread whose row came meanwhile."""
        with self._lock:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        try:
            _insert([w.row for w in group])
        except Exception:
            # One document the database refuses must not fail the others: each on its own.
            for waiting in group:
                try:
                    _insert([waiting.row])
                except Exception as exc:
                    waiting.error = exc
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                self._writing = following is not None
            for waiting in group:
                waiting.written.set()
            if following is not None:
                following.leads = True
                following.written.set()


def _insert(rows: list[list[Any]]) -> None:
    """One INSERT of `rows`, autocommitted unless in a transaction. It is the connection's health check
    (CONN_HEALTH_CHECKS would send a SELECT 1 first, a round trip as long as the insert): a connection
    that died since its last use fails here, is closed, and the insert is sent once more on a new one."""
    sql = _COLUMNS + ", ".join([_ROW] * len(rows))
    params = [value for row in rows for value in row]
    for attempt in range(2):
        if not connection.in_atomic_block:
            connection.health_check_done = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        except (OperationalError, InterfaceError):
            if attempt or connection.in_atomic_block:
                raise
            connection.close()


_writer = _GroupWriter()

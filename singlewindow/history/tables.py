"""COPY of model rows: values in COPY's text format, ids above every id in use, sequences set after."""

import io
import json
from datetime import datetime

from django.db import connection, models

ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = value.__class__
    if kind is str:
        # Escaping costs more than the test: most values need none.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(ESCAPES)
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind in (dict, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(ESCAPES)
    if kind is datetime:
        return value.isoformat()
    return str(value)


class Table:
    """Rows of one model gathered as COPY text, with ids handed out above every id in use."""

    def __init__(self, model: type[models.Model], next_id: int) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        # Each column's default as COPY text, written where a row does not give the column.
        self.defaults = [(f.attname, _text(_default(f))) for f in fields]
        self.next_id = self.first_id = next_id
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, **values) -> int:
        pk = values["id"] = self.next_id
        self.next_id += 1
        self.buffer.write(
            "\t".join([_text(values[name]) if name in values else text for name, text in self.defaults])
        )
        self.buffer.write("\n")
        self.rows += 1
        return pk

    def flush(self, cursor) -> None:
        if not self.buffer.tell():
            return
        self.buffer.seek(0)
        table = connection.ops.quote_name(self.model._meta.db_table)
        cursor.copy_expert(f"COPY {table} ({self.columns}) FROM STDIN", self.buffer)  # noqa: S608 - model names
        self.buffer = io.StringIO()


def _default(f: models.Field):
    if f.name == "sandbox":
        return False  # the history is the live zone's (its default is the sandbox context's)
    if f.has_default() and not callable(f.default):
        return f.get_default()
    if f.null:
        return None
    if isinstance(f, (models.CharField, models.TextField)):
        return ""
    return None  # the caller gives it (a NOT NULL column left out fails the COPY, loudly)


def next_id(cursor, model: type[models.Model]) -> int:
    """Above the largest id and the sequence's last value: no id a running portal already took."""
    table = model._meta.db_table
    cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')  # noqa: S608 - a model's table
    largest = cursor.fetchone()[0]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - the table's own
    last, called = cursor.fetchone()
    return max(largest, last if called else last - 1) + 1


def set_sequences(cursor, tables: list[Table]) -> None:
    for table in tables:
        name = table.model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), greatest(max(id), 1)) FROM \"{name}\"",  # noqa: S608
            [name],
        )

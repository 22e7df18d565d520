"""Batch reads and writes that Django's ORM makes slow, for the thousands of rows of a batch.

- `update_rows`: one `UPDATE ... FROM (VALUES ...)` per chunk, where `bulk_update` builds a CASE WHEN
  per row and field.
- `insert_rows`: COPY with ids from the sequence (`reserve_ids`), or `execute_values`, where
  `bulk_create` compiles every value.
- `new_row` and `load`: instances built and read without the model constructor.
- `prefetch_children`: `prefetch_related` for one reverse foreign key, without a queryset per object.
- `retrying_deadlocks`: a whole transaction run again when the database chose it as a deadlock's victim.
- `fillfactor`: a migration step leaving room on a table's pages for HOT updates (PostgreSQL only).

On databases other than PostgreSQL each falls back to the ORM (tests check both give the same).
"""

import copy
import io
import json
import operator
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connections, models, router
from django.db.models.base import ModelState

if TYPE_CHECKING:
    from django.apps.registry import Apps
    from django.db import migrations
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

# A concrete field of a model. Django's stubs type metadata more widely than what a concrete model's
# fields hold (`column` may be None, `get_field` may return a reverse relation): Any, here.
_Field = Any


def update_rows(objs: Sequence[M], fields: Sequence[str], *, chunk: int = 1000) -> int:
    """Write `fields` of every object in `objs` (all of one model) in one statement per chunk."""
    if not objs:
        return 0
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_update(objs, fields, batch_size=chunk)
    meta = model._meta
    quote = connection.ops.quote_name
    pk: _Field = meta.pk
    columns: list[_Field] = [pk, *(meta.get_field(name) for name in fields)]

    def cast(field: _Field) -> str:
        kind = field.target_field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
        return f"v.{quote(field.column)}::{kind}"

    assignments = ", ".join(f"{quote(f.column)} = {cast(f)}" for f in columns[1:])
    names = ", ".join(quote(f.column) for f in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    read = operator.attrgetter(*[field.attname for field in columns])
    preparing = any(field.get_internal_type() not in _UNPREPARED for field in columns)
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start : start + chunk]
            if preparing:
                params = [
                    field.get_db_prep_save(getattr(obj, field.attname), connection)
                    for obj in part
                    for field in columns
                ]
            else:
                # psycopg2 adapts these values as they are, and the casts below give them their
                # column's type: Django's per-value preparation was most of this function's time.
                params = [value for obj in part for value in read(obj)]
            # Identifiers come from the model's metadata and values are parameters: nothing user-supplied
            # reaches the SQL text.
            sql = (
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row] * len(part))}) AS v({names}) "
                f"WHERE t.{quote(pk.column)} = {cast(pk)}"
            )
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated


def insert_rows(objs: Sequence[M], *, chunk: int = 1000, ignore_conflicts: bool = False) -> list[M]:
    """Insert new objects (all of one model) and set their primary keys, like `bulk_create`.

    On PostgreSQL the rows take their ids from the table's sequence and go in by COPY, which the
    server parses far faster than a many-row INSERT and which skips the ORM's per-value SQL
    compilation. With `ignore_conflicts` (COPY cannot skip a row) or a column type COPY's text form is
    not written for here, they go through psycopg2's `execute_values`; rows that break a unique
    constraint are then skipped (INSERT ... ON CONFLICT DO NOTHING) and no key is set. Elsewhere,
    `bulk_create`.
    """
    if not objs:
        return list(objs)
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_create(
            objs, batch_size=chunk, ignore_conflicts=ignore_conflicts
        )
    meta = model._meta
    copying = not ignore_conflicts and all(f.get_internal_type() in _COPYABLE for f in meta.concrete_fields)
    if copying and objs[0].pk is None:
        ids = reserve_ids(model, len(objs))
        assert ids is not None  # always ids on PostgreSQL
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
    # Objects given their ids by `reserve_ids` are written with them.
    fields: list[_Field] = [f for f in meta.concrete_fields if f is not meta.pk or objs[0].pk is not None]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if copying:
            for start in range(0, len(objs), chunk * 10):
                text = copy_text(objs[start : start + chunk * 10], fields)
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))
        else:
            preparers = [_preparer(field, connection) for field in fields]
            _insert_values(cursor.cursor, table, columns, objs, preparers, chunk, ignore_conflicts, meta)
    if not ignore_conflicts:
        for obj in objs:
            obj._state.adding = False
            obj._state.db = alias
    return list(objs)


def _insert_values(
    raw_cursor: Any,
    table: str,
    columns: str,
    objs: Sequence[models.Model],
    preparers: list[Callable[[models.Model], Any]],
    chunk: int,
    ignore_conflicts: bool,
    meta: Any,
) -> None:
    from psycopg2.extras import execute_values

    tail = "ON CONFLICT DO NOTHING" if ignore_conflicts else f'RETURNING "{meta.pk.column}"'
    # Identifiers come from the model's metadata and values are parameters: nothing user-supplied
    # reaches the SQL text.
    sql = f"INSERT INTO {table} ({columns}) VALUES %s {tail}"  # noqa: S608
    for start in range(0, len(objs), chunk):
        part = objs[start : start + chunk]
        rows = [tuple(prepare(obj) for prepare in preparers) for obj in part]
        if ignore_conflicts:
            execute_values(raw_cursor, sql, rows, page_size=chunk)
            continue
        ids = execute_values(raw_cursor, sql, rows, page_size=chunk, fetch=True)
        for obj, (pk,) in zip(part, ids, strict=True):
            obj.pk = pk


# COPY's text format: NULL is \N, and a backslash, tab, newline or carriage return in a text value is
# escaped; numbers, booleans, dates and times go as Python writes them (str), which PostgreSQL reads.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(objs: Sequence[models.Model], fields: list[_Field]) -> str:
    """The objects' rows in COPY's text format, built a column at a time: each step (read the
    attribute, str(), look for characters to escape, mark NULLs, join) runs over the whole column in
    C, where a loop per value spent a fifth of intake's CPU."""
    columns: list[list[str]] = []
    for field in fields:
        kind = field.get_internal_type()
        if kind in ("DateTimeField", "DateField") and (field.auto_now or field.auto_now_add):
            # auto_now(_add) sets the value, as a save would: one time for the rows written together
            # (formatting a datetime costs more than the rest of its row).
            now = field.pre_save(objs[0], True)
            for obj in objs:
                setattr(obj, field.attname, now)
            columns.append([str(now)] * len(objs))
            continue
        values = list(map(operator.attrgetter(field.attname), objs))
        if kind == "JSONField":
            encoder = field.encoder
            values = [None if v is None else json.dumps(v, cls=encoder, ensure_ascii=False) for v in values]
        texts = list(map(str, values))
        joined = "".join(texts)
        # Numbers, dates, booleans and UUIDs never hold these; text seldom does.
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            texts = [text.translate(_COPY_ESCAPES) for text in texts]
        if None in values:
            texts = ["\\N" if value is None else text for value, text in zip(values, texts, strict=True)]
        columns.append(texts)
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


# Field types whose Python value psycopg2 adapts as it is: reading the attribute skips Django's
# per-value preparation, the larger part of an insert's CPU time.
_PLAIN = frozenset(
    {
        "CharField",
        "TextField",
        "SlugField",
        "IntegerField",
        "PositiveIntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "DecimalField",
        "ForeignKey",
        "OneToOneField",
    }
)


_COPYABLE = _PLAIN | {"AutoField", "BigAutoField", "DateTimeField", "DateField", "JSONField"}
# What update_rows passes to psycopg2 unprepared: Django's PostgreSQL backend gives (aware) dates and
# times to psycopg2 as they are too; JSON needs its encoder.
_UNPREPARED = _COPYABLE - {"JSONField"}


def _preparer(field: _Field, connection: "BaseDatabaseWrapper") -> Callable[[models.Model], Any]:
    if field.get_internal_type() in _PLAIN:
        attname = field.attname
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def new_row(model: type[M], /, **values: Any) -> M:
    """`model(**values)` for a row that `insert_rows` is about to write, without the constructor's
    per-field work (a third of intake's CPU for the thousands of rows of a batch): the fields' defaults,
    then `values`, which name columns by attname (`enterprise_id`, not `enterprise`)."""
    try:
        static, dynamic, names = _ROW_DEFAULTS[model]
    except KeyError:
        static, dynamic, names = _ROW_DEFAULTS[model] = _row_defaults(model)
    if not values.keys() <= names:
        raise TypeError(f"{model.__name__} has no column {sorted(values.keys() - names)}")
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(static)
    for field in dynamic:
        state[field.attname] = field.get_default()
    state.update(values)
    state["_state"] = ModelState()
    return obj


_RowDefaults = tuple[dict[str, Any], list[_Field], frozenset[str]]
_ROW_DEFAULTS: dict[type[models.Model], _RowDefaults] = {}


def _row_defaults(model: type[models.Model]) -> _RowDefaults:
    fields = model._meta.concrete_fields
    dynamic = [f for f in fields if f.has_default() and callable(f.default)]
    static = {f.attname: f.get_default() for f in fields if f not in dynamic}
    return static, dynamic, frozenset(f.attname for f in fields)


def load(queryset: models.QuerySet[M]) -> list[M]:
    """The queryset's objects (every concrete field loaded), built from its rows without the model
    constructor: for the thousands of rows of a batch, the larger part of loading them."""
    model, alias = queryset.model, queryset.db
    names = [field.attname for field in model._meta.concrete_fields]
    objs: list[M] = []
    # Tuples zipped into each instance's __dict__: no intermediate dict per row, as values() makes.
    for row in queryset.values_list(*names):
        obj = model.__new__(model)
        state = ModelState()
        state.adding, state.db = False, alias
        values = obj.__dict__
        values.update(zip(names, row, strict=True))
        values["_state"] = state
        objs.append(obj)
    return objs


def prefetch_children(objs: Sequence[M] | models.QuerySet[M], relation: str) -> list[M]:
    """`prefetch_related(relation)` for one reverse foreign key, for a batch: one query, as the ORM's,
    but without the filtered queryset it builds for each object (most of its cost for 500 lists).
    `obj.<relation>.all()` then reads the loaded rows, in the model's ordering. A queryset given is
    loaded by `load`."""
    objs = load(objs) if isinstance(objs, models.QuerySet) else list(objs)
    if not objs:
        return objs
    rel: Any = type(objs[0])._meta.get_field(relation)  # a reverse foreign key (ManyToOneRel)
    fk, cache_name = rel.field, rel.get_accessor_name()
    groups: dict[Any, list[models.Model]] = defaultdict(list)
    for row in load(
        rel.related_model._default_manager.filter(**{f"{fk.attname}__in": [obj.pk for obj in objs]})
    ):
        groups[getattr(row, fk.attname)].append(row)
    template: Any = rel.related_model._default_manager.none()
    for obj in objs:
        rows = groups.get(obj.pk, [])
        for row in rows:
            fk.set_cached_value(row, obj)
        loaded = copy.copy(template)  # shares the (never run) query; only the results differ
        loaded._result_cache, loaded._prefetch_done = rows, True
        if not hasattr(obj, "_prefetched_objects_cache"):
            obj._prefetched_objects_cache = {}  # type: ignore[attr-defined]
        obj._prefetched_objects_cache[cache_name] = loaded  # type: ignore[attr-defined]
    return objs


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """`count` fresh ids from the table's sequence (PostgreSQL), so that what derives from the id can be
    written with the row itself instead of by a second update; None elsewhere."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or count == 0:
        return None
    meta = model._meta
    with connection.cursor() as cursor:
        sequence = _SEQUENCES.get(meta.db_table)
        if sequence is None:
            # Looked up once: in the SELECT below it would be evaluated again for every id.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            sequence = _SEQUENCES[meta.db_table] = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


_SEQUENCES: dict[str, str] = {}  # table -> the sequence of its id


DEADLOCK_CODES = ("40P01", "40001")  # deadlock detected, serialization failure


def retrying_deadlocks(work: Callable[[], T], *, attempts: int = 5) -> T:
    """Run `work()` (a whole transaction), again after a short random pause when the database chose it
    as a deadlock's victim: batches lock rows of several kinds (quota, guarantee, stock) and two of
    them may meet in opposite orders. Every step it wraps is idempotent, so a re-run is safe."""
    import random
    import time

    from django.db import OperationalError, connection

    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            code = getattr(exc.__cause__, "pgcode", None)
            if code not in DEADLOCK_CODES or attempt == attempts or connection.in_atomic_block:
                raise
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311 - jitter, not security
    raise ValueError(f"attempts must be at least 1, not {attempts}")


def fillfactor(app_label: str, model_name: str, percent: int) -> "migrations.RunPython":
    """A migration step: fill a table's pages only to `percent`, so that a row updated after its insert
    (a list's lines taking their tax, a quota reserved then used) gets its new version on the same page.
    Such an update is HOT when no indexed column changes: no index entry is written for it. New pages
    only (existing ones fill up as they are rewritten). PostgreSQL only; elsewhere nothing."""
    from django.db import migrations

    def set_to(value: int) -> "Callable[[Apps, BaseDatabaseSchemaEditor], None]":
        def run(apps: "Apps", schema_editor: "BaseDatabaseSchemaEditor") -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            table = schema_editor.quote_name(apps.get_model(app_label, model_name)._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")

        return run

    return migrations.RunPython(set_to(percent), set_to(100), elidable=False)

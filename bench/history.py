"""The benchmark's `--history N`: a bench database that already holds N released orders.

Loading a history takes minutes (`manage.py load_history`, COPY); comparing a run on it with a run on
an empty database wants several runs one right after the other. So the first run with a given N keeps
its database, seeded and loaded, as a template (`<bench database>_h<N>`), and the next runs copy it
(`CREATE DATABASE ... TEMPLATE`, seconds) and issue the parties fresh API keys. `--fresh-history`
loads again.
"""

import contextlib
import time

from bench.database import admin_connection, database_name, recreate_database, setup_django, tune
from bench.seed import seed, with_keys

COMPLETE = "singlewindow bench history"


def _template_ready(cursor, template: str) -> bool:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
    )
    row = cursor.fetchone()
    return bool(row and row[0] == COMPLETE)


def prepare(url: str, n: int, *, fresh: bool):
    """The bench database with n orders of history; returns (parties, keys, last list id)."""
    name, template = database_name(url), f"{database_name(url)}_h{n}"
    with contextlib.closing(admin_connection(url)) as admin, admin.cursor() as cursor:
        reuse = not fresh and _template_ready(cursor, template)
        if reuse:
            started = time.monotonic()
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            tune(cursor, name)
            print(f"history: {n} orders copied from {template} in {time.monotonic() - started:.1f} s")
    if reuse:
        setup_django(url)
        parties, keys = parties_with_new_keys()
    else:
        recreate_database(url)
        setup_django(url)
        parties, keys = seed()
        load(n)
        keep_as_template(url, template)
    from declarations.models import InventoryList

    return parties, keys, InventoryList.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def load(n: int) -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("load_history", n, verbosity=0)
    print(f"history: {n} orders loaded in {time.monotonic() - started:.1f} s", flush=True)


def keep_as_template(url: str, template: str) -> None:
    from django.db import connections

    connections.close_all()  # a database is copied only with nobody connected to it
    with contextlib.closing(admin_connection(url)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{database_name(url)}"')
        cursor.execute(f"COMMENT ON DATABASE \"{template}\" IS '{COMPLETE}'")


def parties_with_new_keys():
    """The bench's parties as seeded in the template, with new keys (a key is stored hashed)."""
    from sharing.models import Enterprise

    by_code = {e.customs_code: e for e in Enterprise.objects.filter(customs_code__startswith="33019700")}
    return with_keys(*(by_code[f"330197000{i}"] for i in range(1, 6)))

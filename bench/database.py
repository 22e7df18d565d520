"""The benchmark's own PostgreSQL database: its name, its creation, and Django set up on it."""

import contextlib
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://... and REDIS_URL=redis://...")
    if not os.environ.get("REDIS_URL"):
        sys.exit("The benchmark needs Redis: set REDIS_URL=redis://...")
    parsed = urlparse(base)
    return parsed._replace(path=parsed.path.rstrip("/") + "_bench").geturl()


def admin_connection(url: str):
    """An autocommit connection to the server's `postgres` database, to create and drop others."""
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def recreate_database(url: str) -> None:
    name = database_name(url)
    with contextlib.closing(admin_connection(url)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # Collation C: text compares byte by byte (memcmp), where a libc locale calls strcoll for each
        # comparison of every index on codes and numbers. For UTF-8 text the order is code point
        # order, as under C.UTF-8; the character classes (LC_CTYPE) stay the server's.
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LC_COLLATE 'C'")
        tune(cursor, name)


def tune(cursor, name: str) -> None:
    """The database's own settings (a copy from a template does not carry them)."""
    # The data sits in memory or on SSD: an index probe costs about what a sequential page does
    # (PostgreSQL's default of 4 assumes spinning disks and prefers whole-table scans of the quota and
    # forex ledgers as they grow).
    cursor.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

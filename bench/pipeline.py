"""End-to-end benchmark: N valid import orders (all four documents) pushed through the HTTP API in
batches, cleared by real Celery workers on PostgreSQL + Redis, until every list has its final status.

    make bench                      # N=20000, on the PostgreSQL and Redis of DATABASE_URL / REDIS_URL
    .venv/bin/python -m bench.pipeline --n 2000 --batch 500 --workers 2

It creates a fresh database of its own (`<name>_bench`), starts the web server (granian) and the
workers, and prints orders/s from the first request to the last final status, and p50/p99 from
inventory intake to release. Adapters run with the latency given by --latency-ms (default 0). A share
of the orders (--bonded-share, default 0.1) are bonded 1210 imports drawing on a seeded bonded
warehouse.

`--batch 1` sends each document on its own, as partners pushing one at a time do: it is answered 202
(returnStatus 2) once committed and stored by the intake processor in micro-batches (INTAKE_DEFERRED;
`--sync-intake` stores it in the request instead). `--compare` runs the batch path and then the
single-document path (`--single-n`, `--single-clients`) one right after the other and prints both, with
the ratio of their orders/s, p99 request latency, p99 request-to-release, clearance batch sizes and CPU
seconds per 1,000 orders (`make bench-compare`).

Crash test: `--kill 5 --kill-interval 4` SIGKILLs a random worker every 4 s, five times, restarting it
each time, while the bench process runs the sweeper; at the end the ledgers are checked: one final
status per list, one decision per agency, one tax bill, one quota use and one stock movement per SKU of
each released list, one release receipt.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.clients import post, send_closed_loop
from bench.compare import compare
from bench.crash import Chaos, verify
from bench.database import ROOT, bench_database_url, recreate_database, setup_django
from bench.figures import ResourceMeter, batch_sizes, percentile
from bench.seed import seed

KINDS = (
    ("order", "/api/v1/orders/", "platform"),
    ("payment", "/api/v1/payments/", "payment"),
    ("waybill", "/api/v1/waybills/", "logistics"),
    ("inventory", "/api/v1/inventories/", "seller"),
)


def generate(parties, n: int, bonded_share: float = 0.1) -> list[dict]:
    from django.utils import timezone

    from finance import selectors
    from singlewindow.generator import declaration

    today = timezone.localdate()
    rates, limits = selectors.rates_in_force(today), selectors.limits_in_force(today)
    rng = random.Random(2026)
    every = round(1 / bonded_share) if bonded_share > 0 else 0
    return [
        declaration(
            i,
            parties,
            rates=rates,
            limits=limits,
            rng=rng,
            prefix="BN",
            trade_mode="1210" if every and i % every == 0 else "9610",
        )
        for i in range(1, n + 1)
    ]


def start(cmd: list[str], env: dict[str, str], log: Path, *, append: bool = False) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log.open("a" if append else "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def web_command(args) -> list[str]:
    """The web server's command line: granian as the Dockerfile runs it, or gunicorn to compare."""
    if args.server == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "singlewindow.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.web),
            # Threads keep each client's connection alive (a sync worker closes it after every
            # request) and overlap one request's database wait with another's work.
            *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads else []),
            "--timeout",
            "120",
        ]
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "singlewindow.wsgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--workers",
        str(args.web),
        # The threads that run the portal's code; HTTP parsing and the connections stay in Rust.
        "--blocking-threads",
        str(max(1, args.threads)),
        "--http",
        "1",
        "--no-ws",
        "--log-level",
        "warning",
    ]


def wait_for_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/zones/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("the web server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20000, help="orders (default 20000)")
    parser.add_argument("--batch", type=int, default=500, help="documents per request (default 500)")
    # Sized to the 2-core machine: each process more on the same cores costs CPU per order (single
    # documents: 2 workers 156 orders/s, 3 workers 125; the batch path is the same with either).
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (-P solo each)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="instead of --workers: one Celery worker with this many prefork processes",
    )
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default="granian",
        help="the WSGI server (granian, as deployed; gunicorn to compare)",
    )
    parser.add_argument("--web", type=int, default=1, help="web server worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        default=8,
        help="threads per web process that run the portal (gunicorn: 0 for sync workers)",
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--latency-ms", type=int, default=0, help="simulated latency of every agency call")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the last release")
    parser.add_argument("--bonded-share", type=float, default=0.1, help="share of bonded (1210) orders")
    parser.add_argument("--kill", type=int, default=0, help="SIGKILL a random worker this many times")
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="open loop: offer this many orders/s (default: as fast as possible)",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="first load this many released orders of the last 90 days (manage.py load_history; "
        "kept as a template database for the next runs with the same N)",
    )
    parser.add_argument(
        "--fresh-history", action="store_true", help="load the history again instead of its template"
    )
    parser.add_argument("--kill-interval", type=float, default=4.0, help="seconds between kills")
    parser.add_argument(
        "--restart-redis", action="store_true", help="restart Redis without saving, mid-run (local server)"
    )
    parser.add_argument(
        "--sync-intake",
        action="store_true",
        help="single documents stored in the request (201) rather than answered 2 and stored by the "
        "intake processor (INTAKE_DEFERRED, the default here)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="run the batch path (--n, --batch) and then the single-document path (--single-n, "
        "--single-clients), one after the other, and print both and their ratio",
    )
    parser.add_argument("--single-n", type=int, default=4000, help="orders of the single run of --compare")
    parser.add_argument(
        "--single-clients", type=int, default=32, help="clients of the single run of --compare"
    )
    parser.add_argument("--json-out", default="", help="also write the figures to this file")
    args = parser.parse_args()
    if args.compare:
        compare(args)
        return

    url = bench_database_url()
    args.after_list = 0  # the last list of the history: the run counts only its own
    if args.history:
        from bench import history

        parties, keys, args.after_list = history.prepare(
            url,
            args.history,
            fresh=args.fresh_history,
        )
    else:
        recreate_database(url)
        setup_django(url)
        parties, keys = seed()
    started = time.monotonic()
    declarations = generate(parties, args.n, args.bonded_share)
    print(f"generated {args.n} declarations in {time.monotonic() - started:.1f} s", flush=True)

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "singlewindow.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "ADAPTER_LATENCY_MS": str(args.latency_ms),
        "INTAKE_DEFERRED": "false" if args.sync_intake else "true",
        # The limits still count every request; they are raised so that one bench key may send what a
        # zone's whole traffic is (6,000 a minute is one partner's default).
        "API_RATE_LIMIT": "10000000/min",
        "API_ENTERPRISE_RATE_LIMIT": "10000000/min",
    }
    logs = ROOT / "bench" / "logs"
    logs.mkdir(exist_ok=True)
    processes = [start(web_command(args), env, logs / "web.log")]

    def worker(index: int) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "singlewindow", "worker"]
        if args.concurrency:
            command += ["-P", "prefork", "--concurrency", str(args.concurrency)]
        else:
            command += ["-P", "solo"]
        command += ["-n", f"bench{index}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
        return start(command, env, logs / f"worker{index}.log", append=index in workers)

    workers: dict[int, subprocess.Popen] = {}
    for index in range(1 if args.concurrency else args.workers):
        workers[index] = worker(index)
    processes += list(workers.values())
    chaos = (
        Chaos(args.kill, args.kill_interval, workers, worker, restart_redis=args.restart_redis)
        if args.kill or args.restart_redis
        else None
    )
    analyzer = StatisticsKeeper(url)
    try:
        wait_for_http(args.port)
        time.sleep(2)  # let the workers connect
        meter = None if chaos else ResourceMeter(processes[0], workers)
        analyzer.start()
        run(args, declarations, keys, chaos, meter)
    finally:
        analyzer.stop_event.set()
        if chaos:
            chaos.stop_event.set()
        for process in [*processes, *workers.values()]:
            stop(process)
    if chaos:
        verify(args.n, chaos.kills)


class StatisticsKeeper:
    """What autovacuum does for the planner, where the server runs without it: every `interval` seconds
    (autovacuum's naptime is 60), ANALYZE each table that changed by more than autovacuum's threshold
    since its last analysis (50 rows + 10% of its size, PostgreSQL's defaults). Tables that start empty
    and are never analyzed look empty to the planner however large they grow, and it scans them whole:
    a slowdown with N that production (autovacuum on, PostgreSQL's default) never sees. Its CPU counts
    in the postgres figure."""

    # Tables past autovacuum's analyze threshold (autovacuum_analyze_threshold and _scale_factor).
    DUE = """
        SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
    """

    def __init__(self, url: str, interval: float = 20.0) -> None:
        import threading

        self.url, self.interval = url, interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.url)) as conn, conn.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] == "on":
                return
        print("PostgreSQL runs without autovacuum: the benchmark analyzes tables as autovacuum would")
        self.thread.start()

    def _run(self) -> None:
        import psycopg2
        from psycopg2 import sql

        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        with contextlib.closing(conn), conn.cursor() as cursor:
            # Paced as autovacuum paces itself (autovacuum_vacuum_cost_delay, PostgreSQL's default):
            # an unpaced ANALYZE of every grown table at once stalls the pipeline for seconds.
            cursor.execute("SET vacuum_cost_delay = '2ms'")
            while not self.stop_event.wait(self.interval):
                cursor.execute(self.DUE)
                for (table,) in cursor.fetchall():
                    cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


def stage_latencies(list_sent: dict[str, float], finals: list, after: int) -> dict[str, float]:
    """Where a list's time from its request goes: p50 and p99 from the request of its inventory document
    to the list stored (by the intake processor, or in the request) and to its dispatch to the agencies."""
    from declarations.models import InventoryList

    dispatched_at = InventoryList.objects.filter(pk__gt=after, dispatch_batch__isnull=False).values_list(
        "cop_no", "dispatch_batch__created_at"
    )
    stored = sorted(c.timestamp() - list_sent[n] for c, _f, _s, n in finals if n in list_sent)
    dispatched = sorted(t.timestamp() - list_sent[n] for n, t in dispatched_at.iterator() if n in list_sent)
    out = {}
    for name, seconds in (("stored", stored), ("dispatched", dispatched)):
        if seconds:
            out[f"request_to_{name}_p50_s"] = round(percentile(seconds, 0.5), 3)
            out[f"request_to_{name}_p99_s"] = round(percentile(seconds, 0.99), 3)
    return out


def run(args, declarations: list[dict], keys: dict[str, str], chaos=None, meter=None) -> None:
    from datetime import timedelta

    from clearance import sweeper
    from declarations.models import InventoryList

    chunks = [declarations[i : i + args.batch] for i in range(0, len(declarations), args.batch)]
    # --batch 1 sends each document on its own (an object, as partners pushing one at a time do).
    requests = [
        (
            path,
            keys[who],
            json.dumps(chunk[0][kind] if args.batch == 1 else [d[kind] for d in chunk]).encode(),
        )
        for chunk in chunks
        for kind, path, who in KINDS
    ]
    # The lists each inventory request carries, to time each list from its request to its release.
    carried = {
        index * len(KINDS) + len(KINDS) - 1: [d["inventory"]["cop_no"] for d in chunk]
        for index, chunk in enumerate(chunks)
    }
    list_sent: dict[str, float] = {}

    def sending(index: int) -> None:
        for cop_no in carried.get(index, ()):
            list_sent[cop_no] = time.time()

    if chaos:
        chaos.start()
    if meter:
        meter.start()
    first_request = time.time()
    if args.rate:
        # Open loop: each batch's four documents leave on schedule, whether or not the portal has
        # answered the previous ones (a fixed arrival rate, not a burst).
        timings: list[tuple[float, float]] = []
        connections: dict = {}

        def send(index: int) -> int:
            sending(index)
            return post(args.port, *requests[index], connections, timings)

        interval = args.batch / args.rate
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            futures = []
            for index in range(0, len(requests), len(KINDS)):
                due = first_request + (index // len(KINDS)) * interval
                time.sleep(max(0.0, due - time.time()))
                futures += [pool.submit(send, i) for i in range(index, index + len(KINDS))]
            statuses = [f.result() for f in futures]
    else:
        statuses, timings = send_closed_loop(args.port, requests, args.clients, sending)
    intake_done = time.time()
    bad = [s for s in statuses if s not in (201, 202)]  # 202: received, stored by the intake processor
    print(
        f"intake: {len(requests)} requests in {intake_done - first_request:.1f} s; refused: {len(bad)}",
        flush=True,
    )

    deadline = time.monotonic() + args.timeout
    # Waiting costs the database little however large N is: the first list not yet final, from the
    # last one seen (a walk along the primary key), rather than a count of every final list.
    after = getattr(args, "after_list", 0)
    oldest, swept = after + 1, time.monotonic()
    stored = InventoryList.objects.filter(pk__gt=after).count()
    while time.monotonic() < deadline:
        waiting = (
            InventoryList.objects.filter(pk__gte=oldest, final_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if chaos and time.monotonic() - swept > 5:
            # What beat does every 30 s in production, sooner: re-send what the killed workers held.
            sweeper.sweep(stale_after=timedelta(seconds=10))
            swept = time.monotonic()
        if waiting is None and stored < args.n:
            # received documents the processor has not stored yet (the history's lists not counted)
            stored = InventoryList.objects.filter(pk__gt=after).count()
        if waiting is None and stored >= args.n:
            break
        oldest = waiting or oldest
        time.sleep(0.5)
    finals = list(
        InventoryList.objects.filter(pk__gt=after, final_at__isnull=False).values_list(
            "created_at", "final_at", "status", "cop_no"
        )
    )
    rows = [(c, f, s) for c, f, s, _n in finals]
    # From the client's request to the release, for every mode (created_at is when the row was stored,
    # which the intake processor does after the answer).
    from_request = sorted(f.timestamp() - list_sent[n] for _c, f, _s, n in finals if n in list_sent)
    stages = stage_latencies(list_sent, finals, after)
    durations = sorted(seconds for _sent, seconds in timings)
    if not rows:
        sys.exit("no list reached a final status")
    last_final = max(f for _c, f, _s in rows).timestamp()
    latencies = sorted((f - c).total_seconds() for c, f, _s in rows)
    released = sum(1 for _c, _f, s in rows if s == "released")
    elapsed = last_final - first_request
    figures = {
        "orders": args.n,
        "final": len(rows),
        "released": released,
        "batch": args.batch,
        **({"history": args.history} if args.history else {}),
        **({"concurrency": args.concurrency} if args.concurrency else {"workers": args.workers}),
        "latency_ms": args.latency_ms,
        "elapsed_s": round(elapsed, 2),
        "orders_per_s": round(len(rows) / elapsed, 1),
        "intake_to_release_p50_s": round(statistics.median(latencies), 3),
        "intake_to_release_p99_s": round(latencies[int(len(latencies) * 0.99) - 1], 3),
        "request_to_release_p99_s": round(percentile(from_request, 0.99), 3),
        **stages,
        "request_p50_ms": round(1000 * percentile(durations, 0.5), 1),
        "request_p99_ms": round(1000 * percentile(durations, 0.99), 1),
        "clearance_batches": batch_sizes(after),
        **({"offered_rate": args.rate} if args.rate else {}),
        **(meter.stop(len(rows)) if meter else {}),
    }
    print(json.dumps(figures, indent=2), flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures))
    if len(rows) < args.n:
        sys.exit(f"only {len(rows)} of {args.n} lists reached a final status within {args.timeout} s")


if __name__ == "__main__":
    main()

"""`--compare`: the batch path and the single-document path, one right after the other."""

import json
import subprocess
import sys
from pathlib import Path

from bench.database import ROOT


def compare(args) -> None:
    """The batch path, then the single-document path, each in a fresh database, on this machine one
    right after the other; prints both runs' figures and the ratio of their orders/s."""
    import tempfile

    common = ["--workers", str(args.workers), "--web", str(args.web), "--threads", str(args.threads)]
    common += ["--server", args.server]
    common += ["--port", str(args.port)]
    common += ["--latency-ms", str(args.latency_ms), "--bonded-share", str(args.bonded_share)]
    common += ["--timeout", str(args.timeout)] + (["--sync-intake"] if args.sync_intake else [])
    runs = {
        "batch": ["--n", str(args.n), "--batch", str(args.batch), "--clients", str(args.clients)],
        "single": ["--n", str(args.single_n), "--batch", "1", "--clients", str(args.single_clients)],
    }
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, own in runs.items():
            out = Path(folder) / f"{name}.json"
            print(f"--- {name}: {' '.join(own)}", flush=True)
            command = [sys.executable, "-m", "bench.pipeline", *own, *common, "--json-out", str(out)]
            subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own interpreter
            figures[name] = json.loads(out.read_text())

    def cpu(run: dict) -> float:
        # The portal's: web, workers and PostgreSQL (not the bench's clients).
        used = run.get("cpu_s_per_1000_orders", {})
        return round(sum(seconds for group, seconds in used.items() if group != "bench_clients"), 2)

    summary = {
        name: {
            "orders_per_s": run["orders_per_s"],
            "request_to_stored_p99_s": run.get("request_to_stored_p99_s"),
            "request_to_dispatched_p99_s": run.get("request_to_dispatched_p99_s"),
            "request_to_release_p99_s": run["request_to_release_p99_s"],
            "request_p99_ms": run["request_p99_ms"],
            "clearance_batches": run["clearance_batches"],
            "cpu_s_per_1000_orders": cpu(run),
        }
        for name, run in figures.items()
    }
    ratio = round(figures["single"]["orders_per_s"] / figures["batch"]["orders_per_s"], 3)
    print(json.dumps({**summary, "single_to_batch_ratio": ratio}, indent=2), flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({**figures, "single_to_batch_ratio": ratio}))

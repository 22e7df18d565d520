"""The benchmark's crash test: workers killed (and Redis emptied) mid-run, then the ledgers checked."""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse


class Chaos:
    """Kills a random worker with SIGKILL every `interval` seconds, `times` times, and restarts it."""

    def __init__(
        self, times: int, interval: float, workers: dict, restart, *, restart_redis: bool = False
    ) -> None:
        import threading

        self.times, self.interval, self.workers, self.restart = times, interval, workers, restart
        self.restart_redis = restart_redis
        self.kills: list[str] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        rng = random.Random(7)
        if self.restart_redis and not self.stop_event.wait(self.interval):
            self._restart_redis()
        while len(self.kills) < self.times and not self.stop_event.wait(self.interval):
            index = rng.choice(sorted(self.workers))
            process = self.workers[index]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self.kills.append(f"worker{index} at {time.strftime('%H:%M:%S')}")
            print(f"chaos: SIGKILL worker{index}; restarting it", flush=True)
            self.workers[index] = self.restart(index)

    def _restart_redis(self) -> None:
        """Stop Redis without saving (every queued task is lost) and start it again two seconds later."""
        url = urlparse(os.environ["REDIS_URL"])
        port = str(url.port or 6379)
        shutdown = ["redis-cli", "-p", port, "shutdown", "nosave"]
        subprocess.run(shutdown, check=False, capture_output=True)  # noqa: S603, S607 - the local server
        time.sleep(2)
        serve = ["redis-server", "--daemonize", "yes", "--port", port, "--save", ""]
        subprocess.run(serve, check=True)  # noqa: S603, S607 - as .ci/run starts it
        self.kills.append(f"redis restarted empty at {time.strftime('%H:%M:%S')}")
        print("chaos: Redis restarted without its queues", flush=True)


def verify(n: int, kills: list[str]) -> None:
    """After a crash run: every list final once, and every ledger entry exactly once."""
    summary, problems = ledger_problems()
    if summary["lists"] != n:
        problems.append(f"{summary['lists']} lists stored for {n} declared")
    print(json.dumps({"kills": kills, **summary, "problems": problems}, indent=2), flush=True)
    if problems:
        sys.exit("crash run: ledgers are not exact")


def ledger_problems() -> tuple[dict, list[str]]:
    """What must hold however often workers died: each list final once; one decision per agency; one
    tax bill, one used quota and one stock movement per SKU of each released list; one release receipt."""
    from django.db.models import Count

    from declarations.models import AgencyDecision, InventoryList, Receipt
    from finance.models import QuotaUse, TaxBill
    from logistics.models import StockMovement

    lists = InventoryList.objects.all()
    released = lists.filter(status="released")
    problems = []
    if lists.filter(final_at__isnull=True).exists():
        problems.append("lists without a final status")
    doubled = AgencyDecision.objects.values("inventory", "agency").annotate(n=Count("id")).filter(n__gt=1)
    if doubled.exists():
        problems.append(f"{doubled.count()} (list, agency) pairs decided twice")
    short = lists.annotate(n=Count("decisions")).exclude(n=4).filter(status__in=("released", "inspection"))
    if short.exists():
        problems.append(f"{short.count()} released lists without exactly four decisions")
    if TaxBill.objects.count() != released.count():
        problems.append(f"{TaxBill.objects.count()} tax bills for {released.count()} released lists")
    if QuotaUse.objects.filter(state="used").count() != released.count():
        problems.append("quota uses do not match the released lists")
    # Lists under inspection keep their reservation until customs records the result.
    inspected = set(lists.filter(status="inspection").values_list("pk", flat=True))
    reserved = set(QuotaUse.objects.filter(state="reserved").values_list("inventory_id", flat=True))
    if reserved != inspected:
        problems.append(
            f"{len(reserved ^ inspected)} quota reservations not matching the lists under inspection"
        )
    expected_moves = sum(
        len({item.item_record_no for item in inventory.items.all()})
        for inventory in released.filter(trade_mode="1210").prefetch_related("items")
    )
    moves = StockMovement.objects.filter(kind="release")
    if moves.count() != expected_moves:
        problems.append(f"{moves.count()} stock movements for {expected_moves} released SKU lines")
    releases = Receipt.objects.filter(kind="inventory", source="customs", return_status="800")
    twice = releases.values("document_id").annotate(n=Count("id")).filter(n__gt=1)
    if releases.count() != released.count() or twice.exists():
        problems.append(f"{releases.count()} release receipts for {released.count()} released lists")
    summary = {
        "lists": lists.count(),
        "released": released.count(),
        "inspection": lists.filter(status="inspection").count(),
        "rejected": lists.filter(status="rejected").count(),
        "bonded_released": released.filter(trade_mode="1210").count(),
        "tax_bills": TaxBill.objects.count(),
        "stock_movements": moves.count(),
    }
    return summary, problems

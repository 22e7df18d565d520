"""The benchmark's figures beyond orders/s: percentiles, clearance batch sizes, CPU and memory."""

import os
import statistics
import subprocess


class ResourceMeter:
    """CPU seconds and peak resident memory of the web processes, the workers and PostgreSQL over a
    run, read from /proc (Linux): CPU as the growth of each process's user+system time, its reaped
    children's included (a backend born during the run counts whole, and one that came and went between
    two samples counts in its parent, the postmaster), memory as the largest sum of RSS over samples
    every half second."""

    TICKS = os.sysconf("SC_CLK_TCK")

    def __init__(self, web: subprocess.Popen, workers: dict) -> None:
        import threading

        self.web, self.workers = web, workers
        self.start_cpu: dict[int, float] = {}
        self.last_cpu: dict[int, tuple[str, float, int]] = {}
        self.peak_mb: dict[str, float] = {"web": 0.0, "worker": 0.0, "postgres": 0.0}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _stat(pid: int) -> tuple[str, int, float, float] | None:
        """(name, parent pid, cpu seconds, rss MiB) of a process, None when it is gone."""
        try:
            with open(f"/proc/{pid}/stat") as f:
                raw = f.read()
            with open(f"/proc/{pid}/statm") as f:
                rss_pages = int(f.read().split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            return None
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # utime + stime + cutime + cstime: the reaped children's time too (the postmaster's backends)
        cpu = sum(int(value) for value in fields[11:15]) / ResourceMeter.TICKS
        return name, int(fields[1]), cpu, rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _groups(self) -> dict[int, tuple[str, float, float, int]]:
        """pid -> (group, cpu s, rss MiB, parent pid) of every process of the three groups, now."""
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (stat := self._stat(int(entry))) is not None:
                stats[int(entry)] = stat
        roots = {self.web.pid: "web", **{p.pid: "worker" for p in self.workers.values()}}
        out = {}
        for pid, (name, parent, cpu, rss) in stats.items():
            group = roots.get(pid) or roots.get(parent) or ("postgres" if name == "postgres" else None)
            if group:
                out[pid] = (group, cpu, rss, parent)
        return out

    def start(self) -> None:
        self.client_start = _own_cpu()
        for pid, (group, cpu, _mb, parent) in self._groups().items():
            self.start_cpu[pid] = cpu
            self.last_cpu[pid] = (group, cpu, parent)
        self.thread.start()

    def _sample(self) -> None:
        while not self.stop_event.wait(0.5):
            rss: dict[str, float] = {}
            for pid, (group, cpu, mb, parent) in self._groups().items():
                rss[group] = rss.get(group, 0.0) + mb
                self.last_cpu[pid] = (group, cpu, parent)
            for group, mb in rss.items():
                self.peak_mb[group] = max(self.peak_mb[group], mb)

    def stop(self, orders: int) -> dict:
        self.stop_event.set()
        self.thread.join(2)
        alive = self._groups()
        for pid, (group, cpu, _mb, parent) in alive.items():
            self.last_cpu[pid] = (group, cpu, parent)
        used: dict[str, float] = {"web": 0.0, "worker": 0.0, "postgres": 0.0}
        for pid, (group, cpu, parent) in self.last_cpu.items():
            if pid not in alive and parent in alive:
                # Gone: its whole life is in its parent's children's time, its time before the run too.
                used[group] -= self.start_cpu.get(pid, 0.0)
                continue
            used[group] += cpu - self.start_cpu.get(pid, 0.0)
        # The bench's own process: the clients' threads (and its waiting), which share the machine.
        used["bench_clients"] = _own_cpu() - self.client_start
        return {
            "cpu_s_per_1000_orders": {g: round(1000 * s / orders, 2) for g, s in used.items()},
            "peak_rss_mib": {g: round(mb) for g, mb in self.peak_mb.items()},
        }


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(int(len(ordered) * share) - 1, 0)] if ordered else 0.0


def batch_sizes(after: int = 0) -> dict:
    """How many import lists each clearance claim took through the fan-out (its dispatch batch): the
    claims of the run's lists (ids above `after`), not the history's."""
    from declarations.models import DispatchBatch, InventoryList

    runs = InventoryList.objects.filter(pk__gt=after).values("dispatch_batch_id")
    batches = DispatchBatch.objects.filter(ie_flag="I", pk__in=runs)
    sizes = sorted(batches.values_list("size", flat=True))
    if not sizes:
        return {"count": 0}
    return {
        "count": len(sizes),
        "median": statistics.median(sizes),
        "p90": percentile(sizes, 0.9),
        "max": sizes[-1],
    }

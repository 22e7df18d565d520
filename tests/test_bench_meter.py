"""The benchmark's CPU meter counts a process that came and went between two of its samples."""

import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# A parent that runs a child burning 0.3 s of CPU, shorter than the meter's half-second sampling
# interval, then idles: only the parent's children's time can show the child.
CHILD = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
PARENT = f"""
import subprocess, sys, time
subprocess.run([sys.executable, "-c", {CHILD!r}])
time.sleep(5)
"""


def test_a_child_shorter_than_a_sample_counts_in_its_parent():
    from bench.figures import ResourceMeter

    parent = subprocess.Popen([sys.executable, "-c", PARENT])
    try:
        meter = ResourceMeter(parent, {})
        meter.start()
        time.sleep(1.5)
        cpu = meter.stop(1000)["cpu_s_per_1000_orders"]["web"]
    finally:
        parent.kill()
        parent.wait()
    assert cpu >= 0.25  # the child's 0.3 s; without its parent's children's time, about 0.02

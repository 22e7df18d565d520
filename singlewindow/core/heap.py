"""The garbage collector in long-running processes that build thousands of objects a batch.

A clearance batch or a 500-document request allocates tens of thousands of container objects, and
each of the collector's full passes walked the whole heap, Django's own startup objects included
(perf put the collector at about a sixth of the Python processes' CPU). Once a process has loaded
everything it serves, those objects are frozen out of the collector's reach (they live as long as it);
the collection thresholds stay Python's, so garbage is collected as promptly as before and memory
stays where it was (the benchmark measures it).
"""

import gc

from django.conf import settings


def freeze_startup_objects() -> None:
    """Call once the process has imported what it serves (after `django.setup()`, URLconf loaded)."""
    if not getattr(settings, "GC_FREEZE", False):
        return
    gc.collect()
    gc.freeze()

"""The benchmark's figures count the run's own work, not a history loaded before it."""

import pytest

from bench.figures import batch_sizes
from declarations.models import DispatchBatch, InventoryList

pytestmark = pytest.mark.django_db


def test_clearance_batch_sizes_count_only_the_claims_of_the_runs_lists(dispatched):
    # a history's claim: a batch of 500 whose lists are not the run's
    DispatchBatch.objects.create(size=500, ie_flag="I")
    run = list(InventoryList.objects.order_by("pk").values_list("pk", flat=True))
    assert batch_sizes(after=run[0] - 1) == {"count": 1, "median": 2, "p90": 2, "max": 2}
    assert batch_sizes(after=run[-1]) == {"count": 0}

"""Reads of the tax reference data, returned as the plain values `finance.tax` works with."""

import datetime

from django.db.models import Q

from .models import RetailLimit, TaxRate
from .tax import Limits, Rate


def rates_in_force(on: datetime.date) -> dict[str, Rate]:
    """The rate of every HS prefix on date `on` (one query); where periods overlap the latest start wins."""
    rows = (
        TaxRate.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
        .order_by("hs_prefix", "valid_from")
        .values_list("hs_prefix", "vat_rate", "consumption_rate", "duty_rate")
    )
    # Ascending valid_from: a later row of the same prefix overwrites an earlier one.
    return {prefix: Rate(vat=vat, consumption=ct, duty=duty) for prefix, vat, ct, duty in rows}


def limits_in_force(on: datetime.date) -> Limits:
    """The retail import limits on date `on`; raises RetailLimit.DoesNotExist before the first regime."""
    row = RetailLimit.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        raise RetailLimit.DoesNotExist(f"no retail import limits in force on {on}")
    return Limits(single=row.single_limit, annual=row.annual_limit)

"""The sandbox tenant's clock: read, moved forward, set, and reset (the rows are the pipeline's to reset).

A sandbox key's requests run in a `singlewindow.core.sandbox` context whose clock is the real time plus
the tenant's offset, kept here per enterprise. The clock only moves forward: receipts never regress, and
a clock moved back would let a released list be returned again or a month be consolidated twice.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from singlewindow.core import sandbox
from singlewindow.core.errors import ServiceError

from .choices import ApiKeyKind
from .models import Enterprise, EnterpriseAPIKey, SandboxClock


class SandboxRefused(ServiceError):
    """A sandbox request that cannot be done: `.fields` names the field."""

    code = "sandbox_refused"


def clock_offset(*, enterprise_id: int) -> datetime.timedelta:
    seconds = (
        SandboxClock.objects.filter(enterprise_id=enterprise_id)
        .values_list("offset_seconds", flat=True)
        .first()
    )
    return datetime.timedelta(seconds=seconds or 0)


def context_for_key(key: EnterpriseAPIKey) -> sandbox.SandboxContext | None:
    """The sandbox context of a request made with `key`: none for a live key."""
    if key.kind != ApiKeyKind.SANDBOX:
        return None
    return sandbox.SandboxContext(
        tenant_id=key.enterprise_id, offset=clock_offset(enterprise_id=key.enterprise_id)
    )


@transaction.atomic
def clock_move(
    *, enterprise: Enterprise, advance: datetime.timedelta | None = None, to: datetime.datetime | None = None
) -> datetime.datetime:
    """Move the tenant's clock forward by `advance`, or to the moment `to`; the clock's new time.

    The context of the current request follows at once, so what the caller does next sees the new time.
    """
    clock, _created = SandboxClock.objects.select_for_update().get_or_create(enterprise=enterprise)
    offset = datetime.timedelta(seconds=clock.offset_seconds)
    real = sandbox.now() - (sandbox.current().offset if sandbox.current() else datetime.timedelta(0))
    if advance is not None:
        if advance <= datetime.timedelta(0):
            raise SandboxRefused({"advance": [_("The clock only moves forward: give a positive duration.")]})
        offset += advance
    elif to is not None:
        if to < real + offset:
            raise SandboxRefused({"set": [_("The clock only moves forward: give a later time.")]})
        offset = to - real
    clock.offset_seconds = int(offset.total_seconds())
    clock.save(update_fields=["offset_seconds", "updated_at"])
    sandbox.enter(
        sandbox.SandboxContext(
            tenant_id=enterprise.pk, offset=datetime.timedelta(seconds=clock.offset_seconds)
        )
    )
    return sandbox.now()


def clock_reset(*, enterprise: Enterprise) -> None:
    SandboxClock.objects.filter(enterprise=enterprise).delete()
    sandbox.enter(sandbox.SandboxContext(tenant_id=enterprise.pk))

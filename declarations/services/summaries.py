"""CEB701 summary declarations of exports ("list approval and release, summary declaration"): an
exporter's released B-type lists of one mode and month consolidated into one customs declaration."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharing.adapters import customs
from sharing.choices import AgencyCode
from sharing.models import Enterprise
from sharing.principal import Principal
from singlewindow.core import months, sandbox
from singlewindow.core.errors import ServiceError
from singlewindow.core.texts import Text, gettext_noop

from ..choices import DocumentKind, InventoryStatus, ReceiptSource, ReturnStatus
from ..guids import new_guid
from ..models import ExportInventoryList, Receipt, SummaryDeclaration
from .specs import IntakeForbidden
from .validation import owns_code


class SummaryRefused(ServiceError):
    """A summary declaration refused: `.fields` names the field at fault; `.status` is 404 when there is
    nothing to summarise, 409 when not now."""

    code = "refused"


def summary_apply(
    *,
    ebc_code: str,
    year: int,
    month: int,
    trade_mode: str,
    decl_agent_code: str,
    decl_agent_name: str,
    by: Principal,
) -> tuple[SummaryDeclaration, bool]:
    """Summarise an exporter's released B-type lists of one mode and finished month into one summary
    declaration (CEB701), answered by customs with its result (CEB792). Idempotent per month and mode."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not owns_code(enterprise, ebc_code):
        if not (by.is_superuser or by.is_agency(AgencyCode.CUSTOMS)):
            raise IntakeForbidden(gettext_lazy("An exporter applies for its own summary declaration."))
        enterprise = Enterprise.objects.filter(Q(customs_code=ebc_code) | Q(uscc=ebc_code)).first()
        if enterprise is None:
            raise SummaryRefused({"ebc_code": [_("No enterprise has this code.")]}, status=404)
    if not months.is_over(year, month):
        raise SummaryRefused({"month": [_("A month is summarised once it is over.")]}, status=409)
    codes = {enterprise.customs_code, enterprise.uscc}
    start, end = months.month_bounds(year, month)
    with transaction.atomic():
        existing = SummaryDeclaration.objects.filter(
            ebc_code=enterprise.customs_code, year=year, month=month, trade_mode=trade_mode
        ).first()
        if existing is not None:
            return existing, False
        lists = list(
            ExportInventoryList.objects.select_for_update()
            .filter(
                ebc_code__in=codes,
                trade_mode=trade_mode,
                statistics_flag="B",
                status=InventoryStatus.RELEASED,
                final_at__gte=start,
                final_at__lt=end,
                summary__isnull=True,
            )
            .prefetch_related("items")
            .order_by("id")
        )
        if not lists:
            raise SummaryRefused(
                {"month": [_("No released lists (statistics_flag B) of this mode in that month.")]},
                status=404,
            )
        now = sandbox.now()
        summary = SummaryDeclaration.objects.create(
            guid=new_guid(),
            app_time=f"{now:%Y%m%d%H%M%S}",
            customs_code=lists[0].customs_code,
            cop_no=f"S{enterprise.customs_code}{year:04d}{month:02d}{trade_mode}"[:30],
            agent_code=lists[0].agent_code,
            agent_name=lists[0].agent_name,
            ebc_code=enterprise.customs_code,
            ebc_name=lists[0].ebc_name,
            decl_agent_code=decl_agent_code,
            decl_agent_name=decl_agent_name,
            start_time=f"{start:%Y%m%d%H%M%S}",
            end_time=f"{end - datetime.timedelta(seconds=1):%Y%m%d%H%M%S}",
            year=year,
            month=month,
            trade_mode=trade_mode,
            submitted_by=enterprise,
            list_count=len(lists),
            gross_weight=sum((i.gross_weight for i in lists), Decimal(0)),
            net_weight=sum((i.net_weight for i in lists), Decimal(0)),
            total_value_cny=sum((i.fob_value_cny or Decimal(0) for i in lists), Decimal(0)),
        )
        summary.sum_no = f"{summary.customs_code}{year:04d}S{summary.pk % 1_000_000_000:09d}"
        refusal, result_lines = customs.summarise(
            [
                customs.SummaryLine(i.invt_no, i.logistics_no, item.gnum, item.gcode, i.statistics_flag, True)
                for i in lists
                for item in i.items.all()
            ],
            sum_no=summary.sum_no,
        )
        if refusal:
            raise SummaryRefused({"month": [refusal]}, status=409)
        summary.status = SummaryDeclaration.Status.CONCLUDED
        summary.op_date = f"{now:%Y%m%d%H%M%S}{now.microsecond // 1000:03d}"
        summary.decl_seq_no = f"D{summary.customs_code}{year:04d}{summary.pk % 1_000_000_000:09d}"
        summary.entry_id = f"{summary.customs_code}{year:04d}1{summary.pk % 1_000_000_000:09d}"
        summary.dec_state = "10"  # declaration accepted
        summary.save()
        ExportInventoryList.objects.filter(pk__in=[i.pk for i in lists]).update(summary=summary)
        # A summary concludes with 399 (DOMAIN 4.1): 800 is a list's release only.
        Receipt.new(
            enterprise_id=enterprise.pk,
            kind=DocumentKind.SUMMARY,
            document_id=summary.pk,
            source=ReceiptSource.CUSTOMS,
            natural_key=summary.cop_no,
            status=ReturnStatus.REVIEW_CONCLUDED,
            info=Text(
                gettext_noop("Summary %(sum_no)s: declaration %(entry_id)s, %(n)s lists."),
                sum_no=summary.sum_no,
                entry_id=summary.entry_id,
                n=len(lists),
            ),
        ).save()
    return summary, True


def summaries_for_month(*, year: int, month: int) -> list[SummaryDeclaration]:
    """The monthly run: a summary declaration for every exporter and mode with released B-type lists
    in that (finished) month not yet summarised, filed for the exporter with its lists' declaring
    agent as the broker. Idempotent, like summary_apply."""
    start, end = months.month_bounds(year, month)
    pending = (
        ExportInventoryList.objects.filter(
            status=InventoryStatus.RELEASED,
            statistics_flag="B",
            summary__isnull=True,
            final_at__gte=start,
            final_at__lt=end,
        )
        .values_list("ebc_code", "trade_mode", "agent_code", "agent_name")
        .distinct()
    )
    done: list[SummaryDeclaration] = []
    seen: set[tuple[str, str]] = set()
    for ebc_code, trade_mode, agent_code, agent_name in pending:
        if (ebc_code, trade_mode) in seen:
            continue
        seen.add((ebc_code, trade_mode))
        enterprise = Enterprise.objects.filter(Q(customs_code=ebc_code) | Q(uscc=ebc_code)).first()
        if enterprise is None:
            continue
        try:
            summary, _created = summary_apply(
                ebc_code=ebc_code,
                year=year,
                month=month,
                trade_mode=trade_mode,
                decl_agent_code=agent_code,
                decl_agent_name=agent_name,
                by=Principal(enterprise=enterprise),
            )
        except SummaryRefused:
            continue
        done.append(summary)
    return done

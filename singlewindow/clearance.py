"""The clearance pipeline that ties the systems together: match, assess, fan out, collect.

1. `process_pending_lists` claims lists whose documents arrived (SELECT ... FOR UPDATE SKIP LOCKED,
   a few hundred at a time), matches them with their order, payment and waybill, computes the tax,
   reserves the buyer's annual quota, and dispatches the batch: one AgencyDispatch row per agency,
   written in the same transaction (the outbox), and one task per agency per batch after commit.
2. `dispatch_to_agency` sends a batch to one simulated authority and records its answer: the
   decisions, the Exchange ledger, the receipts. Then, in a transaction of its own and under the batch
   row's lock, the fan-in: once all four have answered, every list of the batch gets its final status
   with its side effects (an answer locks only its own agency's ledger rows; the fan-in takes them all
   in one order, so two batches' answers never wait for each other in a cycle).
3. `sweep` re-sends what a crash left behind: unanswered dispatches and lists waiting for a match,
   and finishes a fan-in that a crash cut off.

Every step is idempotent: states are checked under lock before acting, and decisions, quota uses and
tax bills are unique per list, so a re-delivered task changes nothing already done.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from credit import services as credit_services
from credit.models import CreditEvent
from declarations import matching
from declarations.choices import (
    CANCELLABLE_STATUSES,
    GOODS_BACK_DAYS,
    RETURN_APPLY_DAYS,
    DocumentKind,
    InventoryStatus,
    ReceiptSource,
)
from declarations.guids import new_guid
from declarations.models import (
    AgencyDecision,
    AgencyDispatch,
    DispatchBatch,
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryCancel,
    InventoryList,
    InventoryRefund,
    InventoryRefundLine,
    Order,
    Payment,
    Receipt,
    ReceiptOfPayment,
    Waybill,
)
from finance import selectors as finance_selectors
from finance import services as finance_services
from finance import tax
from finance.models import (
    BuyerQuota,
    ForexSettlement,
    QuotaUse,
    TaxBill,
    TaxBillCredit,
    TaxBillLine,
    TaxGuarantee,
    VatExemption,
)
from logistics import services as logistics_services
from risk import selectors as risk_selectors
from risk import services as risk_services
from risk.models import Alert, RiskAssessment
from sharing.adapters import (
    ADAPTERS,
    AGENCIES,
    AgencyUnavailable,
    Decision,
    DeclaredExport,
    DeclaredLine,
    DeclaredList,
    ExportLine,
)
from sharing.adapters import customs as customs_adapter
from sharing.adapters import forex as forex_adapter
from sharing.adapters import inspection as inspection_adapter
from sharing.adapters import tax as tax_adapter
from sharing.choices import EnterpriseRole, EnterpriseStatus
from sharing.models import (
    BuyerVerification,
    Enterprise,
    Exchange,
    ExchangeRate,
    ForexPurchase,
    Membership,
    OverseasProducer,
    PaymentLicence,
    PositiveListEntry,
)
from stats import services as stats_services

from .core.broker import send
from .core.db import insert_rows, load, new_row, prefetch_children, retrying_deadlocks, update_rows
from .core.errors import ServiceError

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=60)
USD = "502"


def _json(value: Any) -> str:
    """Messages and exchange payloads as text (UTF-8 as it is), by orjson: a batch's message is 500 lists."""
    return orjson.dumps(value).decode()


def _receipt(inventory: Any, source: str, status: str, info: str) -> Receipt:
    """A receipt about a list (import or export), for the enterprise that filed it (from the row or
    the dispatch message)."""
    is_row = isinstance(inventory, InventoryList | ExportInventoryList)
    exported = isinstance(inventory, ExportInventoryList | DeclaredExport)
    return new_row(
        Receipt,
        enterprise_id=inventory.submitted_by_id if is_row else inventory.enterprise_id,
        kind=DocumentKind.EXPORT_INVENTORY if exported else DocumentKind.INVENTORY,
        document_id=inventory.pk if is_row else inventory.id,
        source=source,
        natural_key=f"{inventory.ebc_code}/{inventory.cop_no}"[:100],
        return_status=status,
        return_info=info[:1000] or "-",
        guid=new_guid(),
    )


# ---------------------------------------------------------------------------------------------
# 1. match, assess, dispatch


def process_pending_lists(*, limit: int | None = None) -> int:
    """Claim up to `limit` lists waiting for a match and take them as far as the fan-out.

    Returns how many were claimed; a full claim asks for another run, so a backlog drains in batches.
    """
    limit = limit or settings.CLEARANCE_CLAIM_SIZE
    claimed = retrying_deadlocks(lambda: _clear_claimed(limit))
    if not claimed:
        return 0
    if len(claimed) == limit:
        from .tasks import process_pending_lists as task

        transaction.on_commit(lambda: send(task))
    return len(claimed)


def _clear_claimed(limit: int) -> list[int]:
    """One transaction: claim, match, assess, score and dispatch; returns the ids claimed."""
    with transaction.atomic():
        claimed = _claim(InventoryList, limit)
        if not claimed:
            return []
        lists = prefetch_children(InventoryList.objects.filter(pk__in=claimed).order_by("id"), "items")
        before = stats_services.snapshot(lists)
        matched = _match(lists)
        assessed = _assess(matched)
        cleared = _score(assessed)
        if cleared:
            _dispatch(cleared, write=False)
        # The steps above changed the lists in memory; each row is written once, as its indexes are
        # rewritten with every version of it.
        update_rows(lists, CLAIM_FIELDS)
        stats_services.record_changes(lists, before)
    return claimed


# What matching, assessment, scoring and dispatch may change on a list.
CLAIM_FIELDS = (
    "match_requested_at",
    "status",
    "status_reason",
    "return_status",
    "order",
    "payment",
    "waybill",
    "matched_at",
    "dutiable_value",
    "customs_tax",
    "value_added_tax",
    "consumption_tax",
    "tax_amount",
    "tax_regime",
    "final_at",
    "dispatch_batch",
    "dispatched_at",
)


def _claim(model: type[InventoryList] | type[ExportInventoryList], limit: int) -> list[int]:
    """Lock up to `limit` lists waiting for a match; rows another processor holds are skipped."""
    return list(
        model.objects.select_for_update(skip_locked=True)
        .filter(
            match_requested_at__isnull=False, status__in=(InventoryStatus.RECEIVED, InventoryStatus.MISMATCH)
        )
        .order_by("match_requested_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _match(lists: list[InventoryList]) -> list[InventoryList]:
    orders = {
        (o.ebp_code, o.order_no): o
        for o in prefetch_children(
            Order.objects.filter(
                ebp_code__in={i.ebp_code for i in lists}, order_no__in={i.order_no for i in lists}
            ),
            "items",
        )
    }
    payments: dict[tuple[str, str], Payment] = {}
    for payment in load(
        Payment.objects.filter(
            ebp_code__in={i.ebp_code for i in lists}, order_no__in={i.order_no for i in lists}
        ).order_by("id")
    ):
        payments[(payment.ebp_code, payment.order_no)] = payment  # the latest payment of an order wins
    waybills = {
        (w.logistics_code, w.logistics_no): w
        for w in load(
            Waybill.objects.filter(
                logistics_code__in={i.logistics_code for i in lists},
                logistics_no__in={i.logistics_no for i in lists},
            )
        )
    }

    verified = set(
        BuyerVerification.objects.filter(id_number__in={i.buyer_id_number for i in lists}).values_list(
            "id_number", flat=True
        )
    )
    now = timezone.now()
    waiting, mismatched, matched = [], [], []
    receipts = []
    for inventory in lists:
        order = orders.get((inventory.ebp_code, inventory.order_no))
        payment = payments.get((inventory.ebp_code, inventory.order_no))
        waybill = waybills.get((inventory.logistics_code, inventory.logistics_no))
        inventory.match_requested_at = None
        if order is None or payment is None or waybill is None:
            missing = [
                name
                for name, doc in (("order", order), ("payment", payment), ("waybill", waybill))
                if doc is None
            ]
            inventory.status_reason = "Waiting for: " + ", ".join(missing)
            waiting.append(inventory)
            continue
        failures = matching.match(
            buyer_verified=inventory.buyer_id_number in verified,
            inventory=inventory,
            inventory_lines=list(inventory.items.all()),
            order=order,
            order_lines=list(order.items.all()),
            payment=payment,
            waybill=waybill,
        )
        inventory.order, inventory.payment, inventory.waybill = order, payment, waybill
        if failures:
            inventory.status = InventoryStatus.MISMATCH
            inventory.status_reason = matching.summary(failures)
            inventory.return_status = "100"
            mismatched.append(inventory)
            receipts.append(_receipt(inventory, ReceiptSource.PORTAL, "100", inventory.status_reason))
        else:
            inventory.status = InventoryStatus.MATCHED
            inventory.status_reason = ""
            inventory.matched_at = now
            matched.append(inventory)
    insert_rows(receipts)
    _credit_events(mismatched, CreditEvent.Kind.MISMATCH, "documents did not match")
    return matched


def _credit_events(
    lists: list, kind: str, reason: str, *, by_field: str = "ebc_code", source_kind: str = "inventory"
) -> None:
    """Credit events of the enterprises responsible for these lists (one per list and kind)."""
    if not lists:
        return
    ids = credit_services.enterprises_by_code({getattr(i, by_field) for i in lists})
    credit_services.events_record(
        [
            credit_services.PipelineEvent(
                enterprise_id=ids[getattr(i, by_field)],
                kind=kind,
                reason=f"{reason}: {i.cop_no}",
                source_kind=source_kind,
                source_id=i.pk,
            )
            for i in lists
            if getattr(i, by_field) in ids
        ]
    )


def _score(lists: list[InventoryList]) -> list[InventoryList]:
    """Risk and credit between the match and the fan-out: hold what scores over the threshold (or whose
    enterprise is held by its level or the negative list), draw the rest for inspection."""
    if not lists:
        return []
    facts = risk_selectors.facts_for(lists)
    scored = risk_services.score(facts, now=timezone.now())
    rates = {
        f.id: (f.credit_inspection_rate, f.credit_level, f.credit_held or bool(f.negative_list_reason))
        for f in facts
    }
    inspectors = list(Membership.objects.filter(agency__code="customs").values_list("user_id", flat=True))
    assessments = {
        a.inventory_id: a for a in risk_services.assess_batch(scored, rates=rates, inspectors=inspectors)
    }
    cleared, receipts = [], []
    for inventory in lists:
        assessment = assessments[inventory.pk]
        if assessment.decision == RiskAssessment.Decision.HOLD:
            inventory.status, inventory.return_status = InventoryStatus.HELD, "300"
            # The enterprise sees the reason code only; officials see the rules and their evidence.
            inventory.status_reason = assessment.reason_code
            receipts.append(
                _receipt(inventory, ReceiptSource.CUSTOMS, "300", f"Manual review ({assessment.reason_code})")
            )
        else:
            cleared.append(inventory)
    insert_rows(receipts)
    return cleared


def _assess(lists: list[InventoryList]) -> list[InventoryList]:
    """Tax and the buyer's annual quota; the quota rows are locked so concurrent lists cannot both pass."""
    if not lists:
        return []
    today = timezone.localdate()
    rates = finance_selectors.rates_in_force(today)
    limits = finance_selectors.limits_in_force(today)
    quotas = _locked_quotas({i.buyer_id_number for i in lists}, today.year)
    taxed_items: list = []
    assessed, rejected, receipts, uses = [], [], [], []
    for inventory in lists:
        quota = quotas[inventory.buyer_id_number]
        result = tax.assess(
            lines=[
                tax.TaxLineInput(gnum=line.gnum, gcode=line.gcode, qty=line.qty, total_price=line.total_price)
                for line in inventory.items.all()
            ],
            freight=inventory.freight,
            insured_fee=inventory.insured_fee,
            rates=rates,
            limits=limits,
            annual_used=quota.used + quota.reserved,
        )
        if not result.accepted:
            code = "-621010" if result.error_code == tax.UNKNOWN_HS_CODE else result.error_code
            inventory.status, inventory.return_status = InventoryStatus.REJECTED, "100"
            inventory.status_reason = f"{code} {result.reason}"[:1000]
            inventory.final_at = timezone.now()
            rejected.append(inventory)
            receipts.append(_receipt(inventory, ReceiptSource.PORTAL, "100", inventory.status_reason))
            continue
        quota.reserved += result.dutiable_value
        uses.append(QuotaUse(inventory=inventory, quota=quota, amount=result.dutiable_value))
        inventory.dutiable_value = result.dutiable_value
        inventory.customs_tax, inventory.value_added_tax = result.customs_tax, result.value_added_tax
        inventory.consumption_tax, inventory.tax_amount = result.consumption_tax, result.total
        inventory.tax_regime = result.regime
        inventory.status = InventoryStatus.ASSESSED
        assessed.append(inventory)
        by_gnum = {line.gnum: line for line in result.lines}
        for item in inventory.items.all():
            taxed = by_gnum[item.gnum]
            item.tax_price, item.customs_tax = taxed.tax_price, taxed.customs_tax
            item.value_added_tax, item.consumption_tax = taxed.value_added_tax, taxed.consumption_tax
            taxed_items.append(item)
    update_rows(list(quotas.values()), ["reserved"])
    update_rows(taxed_items, ["tax_price", "customs_tax", "value_added_tax", "consumption_tax"])
    insert_rows(uses)
    insert_rows(receipts)
    return assessed


def _locked_quotas(buyers: set[str], year: int) -> dict[str, BuyerQuota]:
    insert_rows([new_row(BuyerQuota, buyer_id_number=b, year=year) for b in buyers], ignore_conflicts=True)
    # Locked in a fixed order, so two batches sharing buyers cannot deadlock.
    rows = load(
        BuyerQuota.objects.select_for_update().filter(buyer_id_number__in=buyers, year=year).order_by("id")
    )
    return {row.buyer_id_number: row for row in rows}


def _dispatch(lists: list[InventoryList], *, write: bool = True) -> DispatchBatch:
    """Lists with their order, payment and items loaded -> one batch, one dispatch row per agency.
    With write=False the caller writes the lists' new state with its own changes."""
    message = _json([_declared(i).to_message() for i in lists])
    batch = DispatchBatch.objects.create(size=len(lists), message=message)
    dispatches = AgencyDispatch.objects.bulk_create([AgencyDispatch(batch=batch, agency=a) for a in AGENCIES])
    now = timezone.now()
    for inventory in lists:
        inventory.status, inventory.return_status = InventoryStatus.DISPATCHED, "3"
        inventory.dispatch_batch, inventory.dispatched_at = batch, now
    if write:
        update_rows(lists, ["status", "return_status", "dispatch_batch", "dispatched_at"])
    logistics_services.pipeline_step(waybill_ids=[i.waybill_id for i in lists], code="declared")
    ids = [d.pk for d in dispatches]
    transaction.on_commit(lambda: publish(ids))
    return batch


def publish(dispatch_ids: Iterable[int]) -> None:
    """Send one task per agency dispatch; runs after commit (and again from the sweeper)."""
    from .tasks import dispatch_to_agency

    # Each agency's tasks go to the queue named after it (settings.AGENCY_QUEUES).
    agencies = dict(AgencyDispatch.objects.filter(pk__in=list(dispatch_ids)).values_list("id", "agency"))
    ids = [
        dispatch_id
        for dispatch_id, agency in agencies.items()
        if send(dispatch_to_agency, dispatch_id, queue=agency)
    ]
    AgencyDispatch.objects.filter(pk__in=ids, state=AgencyDispatch.State.PENDING).update(
        state=AgencyDispatch.State.SENT, published_at=timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# 2. one agency answers; the last answer finalizes the batch


def dispatch_to_agency(*, dispatch_id: int) -> None:
    """Ask one agency about one batch and record its answer, then try the fan-in. Safe to run twice:
    delivered again after a crash, it finds the answer in and finishes the fan-in if that was cut off."""
    dispatch = AgencyDispatch.objects.filter(pk=dispatch_id).first()
    if dispatch is None:
        return
    if dispatch.state != AgencyDispatch.State.ANSWERED:
        _ask(dispatch)
    # The fan-in is a transaction of its own. An answer locks only its agency's ledger rows (stock for
    # customs, guarantees for tax, allowances for forex) and the fan-in takes them all in one order;
    # in one transaction, customs' stock-then-guarantee met tax's guarantee-then-stock and deadlocked.
    # Whichever answer commits last sees all four and finalizes; the sweeper finalizes a batch whose
    # worker died between the two.
    retrying_deadlocks(lambda: finalize_if_complete(batch_id=dispatch.batch_id))


def _ask(dispatch: AgencyDispatch) -> None:
    """The agency's decisions on the batch's lists, recorded; an outage is recorded and raised."""
    message, ie_flag = (
        DispatchBatch.objects.filter(pk=dispatch.batch_id).values_list("message", "ie_flag").get()
    )
    exporting = ie_flag == "E"
    declared = [
        (DeclaredExport if exporting else DeclaredList).from_message(item) for item in orjson.loads(message)
    ]
    payload = _json([d.as_payload() for d in declared])
    try:
        decisions = (
            _decide_export(dispatch.agency, declared) if exporting else _decide(dispatch.agency, declared)
        )
    except AgencyUnavailable as exc:
        AgencyDispatch.objects.filter(pk=dispatch.pk).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:500]
        )
        Exchange.objects.create(
            direction=Exchange.Direction.OUT,
            agency=dispatch.agency,
            dispatch_id=dispatch.pk,
            document_count=len(declared),
            payload=payload,
            status=Exchange.Status.FAILED,
            error=str(exc)[:500],
        )
        raise
    retrying_deadlocks(lambda: _record_answer(dispatch.pk, decisions, declared, payload, exporting))


def _record_answer(
    dispatch_id: int, decisions: list[Decision], declared: list, payload: str, exporting: bool
) -> None:
    """In one transaction: the agency's holds, decisions, messages and receipts. The dispatch row's
    lock makes the answer once only (the decisions' unique index is the backstop)."""
    with transaction.atomic():
        dispatch = AgencyDispatch.objects.select_for_update().get(pk=dispatch_id)
        if dispatch.state == AgencyDispatch.State.ANSWERED:
            return
        by_id = {d.id: d for d in declared}
        if not exporting:
            decisions = _commit_holdings(dispatch.agency, decisions, by_id)
        now = timezone.now()
        insert_rows(
            [
                new_row(
                    AgencyDecision,
                    dispatch_id=dispatch.pk,
                    inventory_id=None if exporting else d.inventory_id,
                    export_list_id=d.inventory_id if exporting else None,
                    agency=dispatch.agency,
                    outcome=d.outcome,
                    return_status=d.return_status,
                    return_info=d.return_info[:1000],
                    held_amount=d.amounts.get("tax", d.amounts.get("usd"))
                    if d.outcome == "release"
                    else None,
                )
                for d in decisions
            ]
        )
        Exchange.objects.bulk_create(
            [
                Exchange(
                    direction=Exchange.Direction.OUT,
                    agency=dispatch.agency,
                    dispatch_id=dispatch_id,
                    document_count=len(declared),
                    payload=payload,
                    status=Exchange.Status.ANSWERED,
                    attempts=dispatch.attempts + 1,
                    answered_at=now,
                ),
                Exchange(
                    direction=Exchange.Direction.IN,
                    agency=dispatch.agency,
                    dispatch_id=dispatch_id,
                    document_count=len(decisions),
                    status=Exchange.Status.ANSWERED,
                    answered_at=now,
                    payload=_json(
                        [
                            {"id": d.inventory_id, "status": d.return_status, "info": d.return_info}
                            for d in decisions
                        ]
                    ),
                ),
            ]
        )
        receipts = []
        for d in decisions:
            sent = by_id[d.inventory_id]
            if dispatch.agency == "customs" and d.outcome != "reject":
                receipts.append(_receipt(sent, dispatch.agency, "120", "Accepted into the customs system"))
            receipts.append(_receipt(sent, dispatch.agency, d.return_status, d.return_info))
        insert_rows(receipts)
        dispatch.state, dispatch.answered_at = AgencyDispatch.State.ANSWERED, now
        dispatch.save(update_fields=["state", "answered_at"])


def _decide(agency: str, declared: list[DeclaredList]) -> list[Decision]:
    adapter = ADAPTERS[agency]
    return adapter.decide(declared, CONTEXT_BUILDERS[agency](declared))


def _declared(inventory: InventoryList) -> DeclaredList:
    payment, order = inventory.payment, inventory.order
    return DeclaredList(
        id=inventory.pk,
        enterprise_id=inventory.submitted_by_id,
        cop_no=inventory.cop_no,
        pre_no=inventory.pre_no,
        trade_mode=inventory.trade_mode,
        customs_code=inventory.customs_code,
        ebp_code=inventory.ebp_code,
        ebc_code=inventory.ebc_code,
        agent_code=inventory.agent_code,
        logistics_code=inventory.logistics_code,
        assure_code=inventory.assure_code,
        area_code=inventory.area_code,
        ems_no=inventory.ems_no,
        buyer_id_number=inventory.buyer_id_number,
        freight=inventory.freight,
        insured_fee=inventory.insured_fee,
        tax_amount=inventory.tax_amount or Decimal(0),
        order_tax_total=order.tax_total if order else Decimal(0),
        pay_code=payment.pay_code if payment else "",
        payer_id_number=payment.payer_id_number if payment else "",
        amount_paid=payment.amount_paid if payment else Decimal(0),
        lines=tuple(
            DeclaredLine(
                gnum=line.gnum,
                gcode=line.gcode,
                gname=line.gname,
                bar_code=line.bar_code,
                qty=line.qty,
                total_price=line.total_price,
                country=line.country,
                item_record_no=line.item_record_no,
            )
            for line in inventory.items.all()
        ),
    )


def _customs_context(declared: Sequence[DeclaredList]) -> customs_adapter.CustomsContext:
    codes = {
        c
        for d in declared
        for c in (d.ebp_code, d.ebc_code, d.agent_code, d.logistics_code, d.area_code)
        if c
    }
    approved = Enterprise.objects.filter(
        Q(customs_code__in=codes) | Q(uscc__in=codes), status=EnterpriseStatus.APPROVED
    )
    registered, warehouses = set(), set()
    for enterprise in approved.only("customs_code", "uscc", "roles"):
        registered |= {enterprise.customs_code, enterprise.uscc}
        if EnterpriseRole.WAREHOUSE in enterprise.roles:
            warehouses |= {enterprise.customs_code, enterprise.uscc}
    today = timezone.localdate()
    rates = finance_selectors.rates_in_force(today)
    limits = finance_selectors.limits_in_force(today)
    own = dict(
        QuotaUse.objects.filter(
            inventory_id__in=[d.id for d in declared], state=QuotaUse.State.RESERVED
        ).values_list("inventory_id", "amount")
    )
    quota = {
        q.buyer_id_number: q.used + q.reserved
        for q in BuyerQuota.objects.filter(
            buyer_id_number__in={d.buyer_id_number for d in declared}, year=today.year
        )
    }

    def recompute(d: DeclaredList) -> customs_adapter.TaxCheck:
        result = tax.assess(
            lines=[
                tax.TaxLineInput(gnum=line.gnum, gcode=line.gcode, qty=line.qty, total_price=line.total_price)
                for line in d.lines
            ],
            freight=d.freight,
            insured_fee=d.insured_fee,
            rates=rates,
            limits=limits,
            annual_used=quota.get(d.buyer_id_number, Decimal(0)) - own.get(d.id, Decimal(0)),
        )
        return customs_adapter.TaxCheck(result.total, result.error_code, result.reason)

    claims = {
        d.id: logistics_services.StockClaim(d.id, d.ems_no, _quantities(d))
        for d in declared
        if d.trade_mode == "1210"
    }
    books, stock = logistics_services.stock_snapshot(list(claims.values()))

    def bonded_stock_ok(d: DeclaredList) -> str | None:
        return logistics_services.stock_shortage(claims[d.id], warehouses=books, items=stock)

    # The "double random" draw of the risk step selected these lists for physical inspection.
    selected = set(
        RiskAssessment.objects.filter(
            inventory_id__in=[d.id for d in declared], selected_for_inspection=True
        ).values_list("inventory_id", flat=True)
    )
    return customs_adapter.CustomsContext(
        registered=registered,
        warehouses=warehouses,
        tariff_has=lambda gcode: tax.rate_for(gcode, rates) is not None,
        recompute_tax=recompute,
        selected_for_inspection=selected,
        bonded_stock_ok=bonded_stock_ok,
    )


def _quantities(declared: DeclaredList) -> dict[str, Decimal]:
    quantities: dict[str, Decimal] = defaultdict(Decimal)
    for line in declared.lines:
        quantities[line.item_record_no] += line.qty
    return dict(quantities)


def _inspection_context(declared: Sequence[DeclaredList]) -> inspection_adapter.InspectionContext:
    producers: dict[str, set[str]] = defaultdict(set)
    for prefix, categories in OverseasProducer.objects.values_list("gs1_prefix", "categories"):
        for category in categories.split(","):
            producers[category.strip()].add(prefix)
    return inspection_adapter.InspectionContext(
        positive_list=dict(PositiveListEntry.objects.values_list("hs_prefix", "category")),
        producers=dict(producers),
    )


def _tax_context(declared: Sequence[DeclaredList]) -> tax_adapter.TaxContext:
    guarantees = TaxGuarantee.objects.filter(assure_code__in={d.assure_code for d in declared})
    return tax_adapter.TaxContext(available={g.assure_code: g.available for g in guarantees})


def _forex_context(declared: Sequence[DeclaredList]) -> forex_adapter.ForexContext:
    today = timezone.localdate()
    licensed = set(
        PaymentLicence.objects.filter(
            pay_code__in={d.pay_code for d in declared}, valid_until__gte=today
        ).values_list("pay_code", flat=True)
    )
    rate = ExchangeRate.objects.filter(currency=USD, valid_from__lte=today).order_by("-valid_from").first()
    used = dict(
        ForexPurchase.objects.filter(
            payer_id_number__in={d.payer_id_number for d in declared}, year=today.year
        ).values_list("payer_id_number", "usd_total")
    )
    return forex_adapter.ForexContext(
        licensed=licensed, cny_per_usd=rate.cny_per_unit if rate else Decimal("7.1"), used_usd=used
    )


CONTEXT_BUILDERS = {
    "customs": _customs_context,
    "inspection": _inspection_context,
    "tax": _tax_context,
    "forex": _forex_context,
}


def _commit_holdings(
    agency: str, decisions: list[Decision], by_id: dict[int, DeclaredList]
) -> list[Decision]:
    """Apply what tax and forex hold against their ledgers, atomically and without overdrawing.

    The adapters decided on a snapshot; here the ledger rows are locked and each hold is applied in
    turn, so a concurrent batch that used the same guarantee or the same payer's allowance first turns
    a release into a rejection.
    """
    if agency == "customs":
        return _hold_stock(decisions, by_id)
    if agency not in ("tax", "forex"):
        return decisions
    releasing = [d for d in decisions if d.outcome == "release"]
    if not releasing:
        return decisions
    year = timezone.localdate().year
    if agency == "tax":
        codes = {by_id[d.inventory_id].assure_code for d in releasing}
        rows = {
            g.assure_code: g
            for g in TaxGuarantee.objects.select_for_update().filter(assure_code__in=codes).order_by("id")
        }
    else:
        payers = {by_id[d.inventory_id].payer_id_number for d in releasing}
        insert_rows(
            [new_row(ForexPurchase, payer_id_number=p, year=year) for p in payers], ignore_conflicts=True
        )
        rows = {
            f.payer_id_number: f
            for f in load(
                ForexPurchase.objects.select_for_update()
                .filter(payer_id_number__in=payers, year=year)
                .order_by("id")
            )
        }
    out = []
    for d in decisions:
        if d.outcome != "release":
            out.append(d)
            continue
        inventory = by_id[d.inventory_id]
        if agency == "tax":
            guarantee, amount = rows.get(inventory.assure_code), d.amounts.get("tax", Decimal(0))
            held = guarantee is not None and guarantee.available >= amount
            if held:
                guarantee.reserved += amount
            reason = "tax guarantee exhausted by other declarations"
        else:
            purchase, amount = rows[inventory.payer_id_number], d.amounts.get("usd", Decimal(0))
            held = purchase.usd_total + amount <= forex_adapter.YEARLY_LIMIT_USD
            if held:
                purchase.usd_total += amount
            reason = "payer's yearly forex limit reached by other declarations"
        out.append(d if held else Decision(d.inventory_id, "reject", "100", reason))
    update_rows(list(rows.values()), ["reserved"] if agency == "tax" else ["usd_total"])
    return out


def _hold_stock(decisions: list[Decision], by_id: dict[int, DeclaredList]) -> list[Decision]:
    """Customs accepted these 1210 lists on a snapshot of the stock: reserve their goods under lock,
    and refuse those whose goods a concurrent batch took first."""
    claims = [
        logistics_services.StockClaim(
            d.inventory_id, by_id[d.inventory_id].ems_no, _quantities(by_id[d.inventory_id])
        )
        for d in decisions
        if d.outcome in ("release", "inspect") and by_id[d.inventory_id].trade_mode == "1210"
    ]
    refused = logistics_services.stock_hold(claims)
    return [
        Decision(d.inventory_id, "reject", "100", f"-621021 {refused[d.inventory_id]}")
        if d.inventory_id in refused
        else d
        for d in decisions
    ]


def _stock_holders(lists: list[InventoryList], decisions: dict[int, list["Answer"]]) -> list:
    """Claims of the 1210 lists whose goods customs reserved (it accepted or drew them)."""
    return [
        claim
        for i in lists
        if any(a.agency == "customs" and a.outcome in ("release", "inspect") for a in decisions.get(i.pk, []))
        and (claim := logistics_services.stock_claim(i)) is not None
    ]


def _apply_answers(
    lists: list, decisions: dict[int, list["Answer"]] | dict[int, list[AgencyDecision]], now, *, release
) -> tuple:
    """Each list's final status from its agencies' answers, for imports and exports alike: a refusal
    (or a missing answer) rejects it; else an inspection holds it; else `release` releases it.
    Returns (released, inspected, rejected, receipts)."""
    released, inspected, rejected, receipts = [], [], [], []
    for inventory in lists:
        answers = decisions.get(inventory.pk, [])
        refusals = [a for a in answers if a.outcome == "reject"]
        inventory.final_at = now
        if refusals or len(answers) < len(AGENCIES):
            inventory.status, inventory.return_status = InventoryStatus.REJECTED, "100"
            inventory.status_reason = "; ".join(f"{a.agency}: {a.return_info}" for a in refusals)[:1000]
            rejected.append(inventory)
            receipts.append(_receipt(inventory, ReceiptSource.CUSTOMS, "100", inventory.status_reason))
        elif inspecting := [a for a in answers if a.outcome == "inspect"]:
            inventory.status, inventory.return_status = InventoryStatus.INSPECTION, "500"
            inventory.status_reason = "; ".join(f"{a.agency}: {a.return_info}" for a in inspecting)[:1000]
            inspected.append(inventory)
            receipts.append(_receipt(inventory, inspecting[0].agency, "500", inventory.status_reason))
        else:
            release(inventory, now)
            released.append(inventory)
            receipts.append(_receipt(inventory, ReceiptSource.CUSTOMS, "800", "Released"))
    return released, inspected, rejected, receipts


def _release_import(inventory: InventoryList, now) -> None:
    inventory.status, inventory.return_status, inventory.status_reason = InventoryStatus.RELEASED, "800", ""
    inventory.final_at = now
    inventory.invt_no = f"{inventory.customs_code}{now:%Y}I{inventory.pk % 1_000_000_000:09d}"


class Answer(NamedTuple):
    """An agency's decision as the fan-in reads it: a batch has 2,000, lighter as tuples than as models."""

    inventory_id: int
    agency: str
    outcome: str
    return_info: str
    held_amount: Decimal | None
    created_at: datetime


@transaction.atomic
def finalize_if_complete(*, batch_id: int) -> bool:
    """Under the batch's lock: if all four agencies answered, give every list its final status.

    Its locks go in one order: the batch, quotas, guarantees, forex allowances, stock."""
    # Not the message: a batch's lists, read by each agency's task, not here.
    batch = DispatchBatch.objects.select_for_update().defer("message").get(pk=batch_id)
    if batch.finalized_at is not None:
        return False
    if AgencyDispatch.objects.filter(batch=batch).exclude(state=AgencyDispatch.State.ANSWERED).exists():
        return False
    if batch.ie_flag == "E":
        return _finalize_exports(batch)
    decisions: dict[int, list[Answer]] = defaultdict(list)
    for answer in (
        # With the list named, the partial unique index on (dispatch, inventory) finds them.
        AgencyDecision.objects.filter(dispatch__batch=batch, inventory__isnull=False)
        .order_by("agency")
        .values_list(*Answer._fields)
    ):
        decisions[answer[0]].append(Answer(*answer))
    lists = prefetch_children(
        InventoryList.objects.filter(dispatch_batch=batch, status=InventoryStatus.DISPATCHED), "items"
    )
    before = stats_services.snapshot(lists)
    now = timezone.now()
    released, inspected, rejected, receipts = _apply_answers(lists, decisions, now, release=_release_import)
    _settle_quota(released, rejected)
    _settle_holdings(released, rejected, decisions)
    logistics_services.stock_settle(
        released=_stock_holders(released, decisions), given_back=_stock_holders(rejected, decisions)
    )
    for step, group in (("released", released), ("inspection", inspected), ("rejected", rejected)):
        logistics_services.pipeline_step(waybill_ids=[i.waybill_id for i in group], code=step)
    _record_tax_bills(released)
    finance_services.guarantees_warn_low({i.assure_code for i in released})
    _credit_events(released, CreditEvent.Kind.RELEASED, "released")
    _credit_events(rejected, CreditEvent.Kind.REJECTED, "rejected")
    short = [
        i
        for i in rejected
        if any(a.agency == "tax" and a.outcome == "reject" for a in decisions.get(i.pk, []))
    ]
    _credit_events(short, CreditEvent.Kind.GUARANTEE_SHORT, "tax guarantee short", by_field="assure_code")
    update_rows(
        released + inspected + rejected, ["status", "return_status", "status_reason", "invt_no", "final_at"]
    )
    insert_rows(receipts)
    stats_services.record_changes(lists, before)
    batch.finalized_at = now
    batch.save(update_fields=["finalized_at"])
    ids = [i.pk for i in released + inspected + rejected]
    transaction.on_commit(lambda: _after_final(ids))
    return True


def _after_final(inventory_ids: list[int]) -> None:
    from .tasks import deliver_webhooks

    send(deliver_webhooks, inventory_ids)


def _settle_quota(released: list[InventoryList], rejected: list[InventoryList]) -> None:
    uses = load(
        QuotaUse.objects.filter(
            inventory_id__in=[i.pk for i in released + rejected], state=QuotaUse.State.RESERVED
        )
    )
    if not uses:
        return
    released_ids = {i.pk for i in released}
    quotas = {
        q.pk: q
        for q in load(
            BuyerQuota.objects.select_for_update().filter(pk__in={u.quota_id for u in uses}).order_by("id")
        )
    }
    for use in uses:
        quota = quotas[use.quota_id]
        quota.reserved -= use.amount
        if use.inventory_id in released_ids:
            quota.used += use.amount
            use.state = QuotaUse.State.USED
        else:
            use.state = QuotaUse.State.RETURNED
    update_rows(list(quotas.values()), ["used", "reserved"])
    update_rows(uses, ["state"])


def _settle_holdings(
    released: list[InventoryList], rejected: list[InventoryList], decisions: dict[int, list["Answer"]]
) -> None:
    """Draw the guarantees of released lists; give back exactly what tax and forex held for rejected ones."""
    draw: dict[str, Decimal] = defaultdict(Decimal)
    give_back: dict[str, Decimal] = defaultdict(Decimal)
    usd_back: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for inventory in released:
        held = {a.agency: a for a in decisions.get(inventory.pk, []) if a.outcome == "release"}
        if "tax" in held:
            draw[inventory.assure_code] += held["tax"].held_amount or Decimal(0)
    payers = dict(
        Payment.objects.filter(pk__in=[i.payment_id for i in rejected if i.payment_id]).values_list(
            "pk", "payer_id_number"
        )
    )
    for inventory in rejected:
        held = {a.agency: a for a in decisions.get(inventory.pk, []) if a.outcome == "release"}
        if "tax" in held:
            give_back[inventory.assure_code] += held["tax"].held_amount or Decimal(0)
        if "forex" in held and inventory.payment_id in payers:
            usd_back[(payers[inventory.payment_id], held["forex"].created_at.year)] += held[
                "forex"
            ].held_amount or Decimal(0)
    codes = set(draw) | set(give_back)
    if codes:
        guarantees = list(
            TaxGuarantee.objects.select_for_update().filter(assure_code__in=codes).order_by("id")
        )
        for guarantee in guarantees:
            taken = draw.get(guarantee.assure_code, Decimal(0))
            guarantee.used += taken
            guarantee.reserved -= taken + give_back.get(guarantee.assure_code, Decimal(0))
        update_rows(guarantees, ["used", "reserved"])
    for (payer, year), usd in usd_back.items():
        ForexPurchase.objects.filter(payer_id_number=payer, year=year).update(usd_total=F("usd_total") - usd)


def _record_tax_bills(released: list[InventoryList]) -> None:
    """The withholding ledger: one CEB816 tax bill per released list, with its lines."""
    if not released:
        return
    from declarations.ceb import return_time

    stamp = return_time(timezone.now())
    bills, lines = [], []
    for inventory in released:
        bill = new_row(
            TaxBill,
            inventory_id=inventory.pk,
            guid=new_guid(),
            return_time=stamp,
            invt_no=inventory.invt_no,
            tax_no=f"T{inventory.invt_no}",
            customs_tax=inventory.customs_tax or 0,
            value_added_tax=inventory.value_added_tax or 0,
            consumption_tax=inventory.consumption_tax or 0,
            assure_code=inventory.assure_code,
            ebc_code=inventory.ebc_code,
            logistics_code=inventory.logistics_code,
            agent_code=inventory.agent_code,
            customs_code=inventory.customs_code,
        )
        bills.append(bill)
        # The lines are those assessed before the fan-out, so the bill is what the agencies approved.
        lines.append(
            [
                new_row(
                    TaxBillLine,
                    gnum=item.gnum,
                    gcode=item.gcode,
                    tax_price=item.tax_price or 0,
                    customs_tax=item.customs_tax or 0,
                    value_added_tax=item.value_added_tax or 0,
                    consumption_tax=item.consumption_tax or 0,
                )
                for item in inventory.items.all()
            ]
        )
    insert_rows(bills)
    for bill, bill_lines in zip(bills, lines, strict=True):
        for line in bill_lines:
            line.bill_id = bill.pk
    insert_rows([line for bill_lines in lines for line in bill_lines])


# ---------------------------------------------------------------------------------------------
# 3. the sweeper


def sweep(*, stale_after: timedelta = STALE_AFTER) -> dict[str, int]:
    """Re-send what a crash or a lost message left behind; harmless when nothing is stuck."""
    cutoff = timezone.now() - stale_after
    stuck = list(
        AgencyDispatch.objects.filter(
            state__in=(AgencyDispatch.State.PENDING, AgencyDispatch.State.SENT),
            created_at__lt=cutoff,
        )
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=cutoff))
        .values_list("id", flat=True)[:1000]
    )
    if stuck:
        publish(stuck)
        AgencyDispatch.objects.filter(pk__in=stuck).update(published_at=timezone.now())
    # Batches all four agencies answered whose fan-in a crash cut off (the answer and the fan-in are
    # two transactions).
    unanswered = AgencyDispatch.objects.filter(batch=OuterRef("pk")).exclude(
        state=AgencyDispatch.State.ANSWERED
    )
    complete = list(
        DispatchBatch.objects.filter(finalized_at__isnull=True, created_at__lt=cutoff)
        .filter(~Exists(unanswered))
        .values_list("id", flat=True)[:100]
    )
    finalized = sum(
        bool(retrying_deadlocks(lambda batch_id=batch_id: finalize_if_complete(batch_id=batch_id)))
        for batch_id in complete
    )
    waiting = InventoryList.objects.filter(
        match_requested_at__lt=cutoff, status__in=(InventoryStatus.RECEIVED, InventoryStatus.MISMATCH)
    ).exists()
    if waiting:
        from .tasks import process_pending_lists as task

        send(task)
    exports_waiting = ExportInventoryList.objects.filter(
        match_requested_at__lt=cutoff, status__in=(InventoryStatus.RECEIVED, InventoryStatus.MISMATCH)
    ).exists()
    if exports_waiting:
        from .tasks import process_pending_exports as export_task

        send(export_task)
    # Work whose message was lost with the broker: officials' decisions on held lists, uploads still
    # queued, late receipts of released 9810 exports not yet settled.
    decided = list(
        InventoryList.objects.filter(
            status=InventoryStatus.HELD, alert__status=Alert.Status.CLOSED, alert__decided_at__lt=cutoff
        ).values_list("id", flat=True)[:1000]
    )
    if decided:
        from .tasks import resume_held as resume_task

        send(resume_task, decided)
    from declarations.models import Upload
    from declarations.tasks import process_upload

    uploads = list(
        Upload.objects.filter(status=Upload.Status.QUEUED, created_at__lt=cutoff).values_list(
            "id", flat=True
        )[:100]
    )
    for upload_id in uploads:
        send(process_upload, upload_id)
    unsettled = list(
        ExportInventoryList.objects.filter(
            status=InventoryStatus.RELEASED,
            trade_mode="9810",
            forex_settlement__isnull=True,
            final_at__lt=cutoff,
        ).values_list("id", flat=True)[:1000]
    )
    settled = settle_export_receipts(export_list_ids=unsettled) if unsettled else 0
    from sharing import webhooks

    return {
        "dispatches": len(stuck),
        "batches_finalized": finalized,
        "matching": int(waiting) + int(exports_waiting),
        "webhooks": webhooks.retry_due(),
        "returns_expired": refunds_expire(),
        "held_resumed": len(decided),
        "uploads": len(uploads),
        "receipts_settled": settled,
    }


def dispatch_failed(*, dispatch_id: int) -> None:
    """Retries exhausted: the dispatch is parked (dead letter) until an official re-drives it."""
    AgencyDispatch.objects.filter(pk=dispatch_id).exclude(state=AgencyDispatch.State.ANSWERED).update(
        state=AgencyDispatch.State.FAILED
    )
    logger.warning("dispatch %s failed after its retries; parked for an official", dispatch_id)


def redrive(*, dispatch_id: int) -> bool:
    """Send a parked dispatch again; False when there is no parked dispatch with this id."""
    parked = AgencyDispatch.objects.filter(pk=dispatch_id, state=AgencyDispatch.State.FAILED).update(
        state=AgencyDispatch.State.PENDING, attempts=0, last_error=""
    )
    if parked:
        publish([dispatch_id])
    return bool(parked)


def notify_partners(*, inventory_ids: list[int]) -> int:
    """Webhook events for lists that reached a final status, to the enterprise that declared them."""
    from sharing import webhooks

    fields = (
        "pk",
        "submitted_by_id",
        "ebc_code",
        "cop_no",
        "pre_no",
        "invt_no",
        "status",
        "return_status",
        "status_reason",
    )
    events = []
    for row in InventoryList.objects.filter(pk__in=inventory_ids).values(*fields):
        payload = {"id": row["pk"], **{k: row[k] for k in fields[2:-1]}, "reason": row["status_reason"]}
        events.append(
            (row["submitted_by_id"], "inventory.final", f"inventory:{row['pk']}:{row['status']}", payload)
        )
    return webhooks.enqueue(events)


def resume_held(*, inventory_ids: list[int]) -> int:
    """Continue the lists an official decided on: release or inspect -> fan-out; reject -> receipt.

    Idempotent: only lists still held are taken, under lock.
    """
    with transaction.atomic():
        lists = list(
            InventoryList.objects.select_for_update(of=("self",))
            .filter(pk__in=inventory_ids, status=InventoryStatus.HELD)
            .select_related("payment", "order")
            .prefetch_related("items")
            .order_by("id")
        )
        alerts = {
            a.inventory_id: a for a in Alert.objects.filter(inventory__in=lists, status=Alert.Status.CLOSED)
        }
        lists = [i for i in lists if i.pk in alerts]
        if not lists:
            return 0
        before = stats_services.snapshot(lists)
        rejected = [i for i in lists if alerts[i.pk].outcome == Alert.Outcome.REJECT]
        onward = [i for i in lists if alerts[i.pk].outcome != Alert.Outcome.REJECT]
        inspect = [i.pk for i in onward if alerts[i.pk].outcome == Alert.Outcome.INSPECT]
        if inspect:
            RiskAssessment.objects.filter(inventory_id__in=inspect).update(selected_for_inspection=True)
        now = timezone.now()
        for inventory in rejected:
            inventory.status, inventory.return_status, inventory.final_at = (
                InventoryStatus.REJECTED,
                "100",
                now,
            )
            inventory.status_reason = f"Rejected by customs: {alerts[inventory.pk].reason}"[:1000]
        update_rows(rejected, ["status", "return_status", "status_reason", "final_at"])
        insert_rows([_receipt(i, ReceiptSource.CUSTOMS, "100", i.status_reason) for i in rejected])
        logistics_services.pipeline_step(waybill_ids=[i.waybill_id for i in rejected], code="rejected")
        _settle_quota([], rejected)
        _credit_events(rejected, CreditEvent.Kind.REJECTED, "rejected by customs after review")
        stats_services.record_changes(lists, before)
        if onward:
            _dispatch(onward)
        ids = [i.pk for i in rejected]
        if ids:
            transaction.on_commit(lambda: _after_final(ids))
    return len(lists)


def inspection_conclude(*, inventory_id: int, passed: bool, reason: str, official_id: int | None) -> bool:
    """Customs records the physical inspection's result: passed -> released with its ledgers; failed ->
    rejected, the holds given back, and the enterprise's credit charged. Idempotent."""
    from django.contrib.auth import get_user_model

    from sharing.services import audit_record

    with transaction.atomic():
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .select_related("payment")
            .prefetch_related("items")
            .filter(pk=inventory_id, status=InventoryStatus.INSPECTION)
            .first()
        )
        if inventory is None:
            return False
        decisions = {inventory.pk: list(AgencyDecision.objects.filter(inventory=inventory))}
        before = stats_services.snapshot([inventory])
        now = timezone.now()
        inventory.final_at = now
        if passed:
            _release_import(inventory, now)
            released, rejected = [inventory], []
            receipt = _receipt(
                inventory, ReceiptSource.CUSTOMS, "800", f"Inspection passed; released. {reason}"
            )
        else:
            inventory.status, inventory.return_status = InventoryStatus.REJECTED, "100"
            inventory.status_reason = f"Inspection failed: {reason}"[:1000]
            released, rejected = [], [inventory]
            receipt = _receipt(inventory, ReceiptSource.CUSTOMS, "100", inventory.status_reason)
        _settle_quota(released, rejected)
        _settle_holdings(released, rejected, decisions)
        logistics_services.stock_settle(
            released=_stock_holders(released, decisions), given_back=_stock_holders(rejected, decisions)
        )
        logistics_services.pipeline_step(
            waybill_ids=[inventory.waybill_id], code="released" if passed else "rejected", note=reason
        )
        _record_tax_bills(released)
        update_rows([inventory], ["status", "return_status", "status_reason", "invt_no", "final_at"])
        insert_rows([receipt])
        stats_services.record_changes([inventory], before)
        if passed:
            _credit_events(released, CreditEvent.Kind.RELEASED, "released after inspection")
        else:
            _credit_events(rejected, CreditEvent.Kind.INSPECTION_FAILED, f"failed inspection: {reason}")
        official = get_user_model().objects.filter(pk=official_id).first() if official_id else None
        action = "inventory.inspection_passed" if passed else "inventory.inspection_failed"
        audit_record(actor=official, action=action, obj=inventory, reason=reason)
        ids = [inventory.pk]
        transaction.on_commit(lambda: _after_final(ids))
    return True


# ---------------------------------------------------------------------------------------------
# 4. export lists (CEB603): the same claim, match, fan-out and fan-in, with export rules


def process_pending_exports(*, limit: int | None = None) -> int:
    """Claim export lists whose documents arrived, match them, and dispatch the matched ones."""
    limit = limit or settings.CLEARANCE_CLAIM_SIZE
    with transaction.atomic():
        claimed = _claim(ExportInventoryList, limit)
        if not claimed:
            return 0
        lists = list(
            ExportInventoryList.objects.filter(pk__in=claimed).prefetch_related("items").order_by("id")
        )
        before = stats_services.snapshot(lists)
        matched = _match_exports(lists)
        if matched:
            _dispatch_exports(matched)
        stats_services.record_changes(lists, before)
    if len(claimed) == limit:
        from .tasks import process_pending_exports as task

        transaction.on_commit(lambda: send(task))
    return len(claimed)


def _rates_today() -> dict[str, Decimal]:
    """CNY per unit of each currency, at the latest rate in force today."""
    today = timezone.localdate()
    rates: dict[str, Decimal] = {}
    for currency, rate in (
        ExchangeRate.objects.filter(valid_from__lte=today)
        .order_by("valid_from")
        .values_list("currency", "cny_per_unit")
    ):
        rates[currency] = rate  # later rows overwrite earlier ones
    return rates


def _match_exports(lists: list[ExportInventoryList]) -> list[ExportInventoryList]:
    platforms, numbers = {i.ebp_code for i in lists}, {i.order_no for i in lists}
    orders = {
        (o.ebp_code, o.order_no): o
        for o in ExportOrder.objects.filter(ebp_code__in=platforms, order_no__in=numbers).prefetch_related(
            "items"
        )
    }
    receipts = {
        (r.ebp_code, r.order_no): r
        for r in ReceiptOfPayment.objects.filter(ebp_code__in=platforms, order_no__in=numbers)
    }
    waybills = {
        (w.logistics_code, w.logistics_no): w
        for w in ExportWaybill.objects.filter(
            logistics_code__in={i.logistics_code for i in lists},
            logistics_no__in={i.logistics_no for i in lists},
        )
    }
    rates = _rates_today()
    waiting, mismatched, matched, notes = [], [], [], []
    for inventory in lists:
        order = orders.get((inventory.ebp_code, inventory.order_no))
        receipt = receipts.get((inventory.ebp_code, inventory.order_no))
        waybill = waybills.get((inventory.logistics_code, inventory.logistics_no))
        inventory.match_requested_at = None
        missing = [name for name, doc in (("order", order), ("waybill", waybill)) if doc is None]
        if receipt is None and inventory.trade_mode != "9810":
            missing.append("receipt of payment")
        if missing:
            inventory.status_reason = "Waiting for: " + ", ".join(missing)
            waiting.append(inventory)
            continue
        lines = list(inventory.items.all())
        failures = matching.export_match(
            inventory=inventory,
            inventory_lines=lines,
            order=order,
            order_lines=list(order.items.all()),
            receipt=receipt,
            waybill=waybill,
        )
        currency = lines[0].currency
        if currency not in rates:
            failures.append(
                matching.Failure(
                    "E7", "inventory.items.currency", f"no exchange rate for currency {currency}"
                )
            )
        inventory.order, inventory.receipt, inventory.waybill = order, receipt, waybill
        if failures:
            inventory.status, inventory.return_status = InventoryStatus.MISMATCH, "100"
            inventory.status_reason = matching.summary(failures)
            mismatched.append(inventory)
            notes.append(_receipt(inventory, ReceiptSource.PORTAL, "100", inventory.status_reason))
            continue
        total = sum((line.total_price for line in lines), Decimal(0))
        inventory.fob_value_cny = (total * rates[currency]).quantize(Decimal("0.01"))
        inventory.status, inventory.status_reason = InventoryStatus.MATCHED, ""
        matched.append(inventory)
    update_rows(waiting, ["match_requested_at", "status_reason"])
    update_rows(
        mismatched + matched,
        [
            "match_requested_at",
            "status",
            "status_reason",
            "return_status",
            "order",
            "receipt",
            "waybill",
            "fob_value_cny",
        ],
    )
    insert_rows(notes)
    _credit_events(mismatched, CreditEvent.Kind.MISMATCH, "documents did not match", source_kind="export")
    return matched


def _declared_export(inventory: ExportInventoryList) -> DeclaredExport:
    receipt = inventory.receipt
    return DeclaredExport(
        id=inventory.pk,
        enterprise_id=inventory.submitted_by_id,
        cop_no=inventory.cop_no,
        pre_no=inventory.pre_no,
        trade_mode=inventory.trade_mode,
        statistics_flag=inventory.statistics_flag,
        customs_code=inventory.customs_code,
        ebp_code=inventory.ebp_code,
        ebc_code=inventory.ebc_code,
        agent_code=inventory.agent_code,
        logistics_code=inventory.logistics_code,
        owner_code=inventory.owner_code,
        country=inventory.country,
        warehouse_code=inventory.warehouse_code,
        license_no=inventory.license_no,
        value_cny=inventory.fob_value_cny or Decimal(0),
        receipt_currency=receipt.currency if receipt else "",
        receipt_charge=receipt.charge if receipt else Decimal(0),
        pay_code=receipt.pay_code if receipt else "",
        lines=tuple(
            ExportLine(
                gnum=line.gnum,
                gcode=line.gcode,
                gname=line.gname,
                qty=line.qty,
                total_price=line.total_price,
                currency=line.currency,
            )
            for line in inventory.items.all()
        ),
    )


def _dispatch_exports(lists: list[ExportInventoryList]) -> DispatchBatch:
    message = _json([_declared_export(i).to_message() for i in lists])
    batch = DispatchBatch.objects.create(size=len(lists), message=message, ie_flag="E")
    dispatches = AgencyDispatch.objects.bulk_create([AgencyDispatch(batch=batch, agency=a) for a in AGENCIES])
    ExportInventoryList.objects.filter(pk__in=[i.pk for i in lists]).update(
        status=InventoryStatus.DISPATCHED, dispatch_batch=batch, return_status="3"
    )
    ids = [d.pk for d in dispatches]
    transaction.on_commit(lambda: publish(ids))
    return batch


def _decide_export(agency: str, declared: list[DeclaredExport]) -> list[Decision]:
    adapter = ADAPTERS[agency]
    return adapter.decide_export(declared, EXPORT_CONTEXT_BUILDERS[agency](declared))


def _export_customs_context(declared: Sequence[DeclaredExport]) -> customs_adapter.ExportCustomsContext:
    from credit import selectors as credit_selectors
    from logistics.models import Warehouse

    codes = {c for d in declared for c in (d.ebc_code, d.agent_code, d.logistics_code) if c}
    registered, ids = set(), {}
    for enterprise in Enterprise.objects.filter(
        Q(customs_code__in=codes) | Q(uscc__in=codes), status=EnterpriseStatus.APPROVED
    ).only("customs_code", "uscc"):
        registered |= {enterprise.customs_code, enterprise.uscc}
        ids[enterprise.pk] = (enterprise.customs_code, enterprise.uscc)
    held = {}
    for pk, entry in credit_selectors.on_negative_list(list(ids), on=timezone.localdate()).items():
        for code in ids[pk]:
            held[code] = entry.reason or "negative list"
    rates = finance_selectors.rates_in_force(timezone.localdate())
    overseas: dict[str, tuple[set[str], str]] = {}
    for warehouse in Warehouse.objects.filter(
        code__in={d.warehouse_code for d in declared if d.warehouse_code},
        kind=Warehouse.Kind.OVERSEAS,
        status=Warehouse.Status.APPROVED,
    ).select_related("operator"):
        overseas[warehouse.code] = (
            {warehouse.operator.customs_code, warehouse.operator.uscc},
            warehouse.country,
        )
    return customs_adapter.ExportCustomsContext(
        registered=registered,
        tariff_has=lambda gcode: tax.rate_for(gcode, rates) is not None,
        overseas_warehouses=overseas,
        held=held,
    )


# Destination countries refusing some goods of Chinese origin (HS chapters), as published by the
# inspection authority; a register in a real zone, a fixed table in the simulation.
EXPORT_BANS = {"601": {"01", "02"}, "609": {"01", "02", "04"}}
# Goods never exempt from export VAT without an invoice: mineral fuels (27), arms (93).
VAT_EXCLUDED_CHAPTERS = {"27", "93"}


def _export_inspection_context(
    declared: Sequence[DeclaredExport],
) -> inspection_adapter.ExportInspectionContext:
    return inspection_adapter.ExportInspectionContext(banned=EXPORT_BANS)


def _export_tax_context(declared: Sequence[DeclaredExport]) -> tax_adapter.ExportTaxContext:
    codes = {d.ebc_code for d in declared}
    eligible = set()
    for customs_code, uscc in Enterprise.objects.filter(
        Q(customs_code__in=codes) | Q(uscc__in=codes), status=EnterpriseStatus.APPROVED
    ).values_list("customs_code", "uscc"):
        eligible |= {customs_code, uscc}
    return tax_adapter.ExportTaxContext(eligible_exporters=eligible, excluded_chapters=VAT_EXCLUDED_CHAPTERS)


def _export_forex_context(declared: Sequence[DeclaredExport]) -> forex_adapter.ExportForexContext:
    licensed = set(
        PaymentLicence.objects.filter(
            pay_code__in={d.pay_code for d in declared if d.pay_code}, valid_until__gte=timezone.localdate()
        ).values_list("pay_code", flat=True)
    )
    return forex_adapter.ExportForexContext(licensed=licensed, cny_per_unit=_rates_today())


EXPORT_CONTEXT_BUILDERS = {
    "customs": _export_customs_context,
    "inspection": _export_inspection_context,
    "tax": _export_tax_context,
    "forex": _export_forex_context,
}


def _finalize_exports(batch: DispatchBatch) -> bool:
    decisions: dict[int, list[AgencyDecision]] = defaultdict(list)
    for decision in AgencyDecision.objects.filter(dispatch__batch=batch, export_list__isnull=False).order_by(
        "agency"
    ):
        decisions[decision.export_list_id].append(decision)
    lists = list(
        ExportInventoryList.objects.filter(dispatch_batch=batch, status=InventoryStatus.DISPATCHED)
        .select_related("receipt")
        .prefetch_related("items")
    )
    before = stats_services.snapshot(lists)
    now = timezone.now()
    released, inspected, rejected, receipts = _apply_answers(lists, decisions, now, release=_release_export)
    _export_ledgers(released, now)
    _credit_events(released, CreditEvent.Kind.RELEASED, "export released", source_kind="export")
    _credit_events(rejected, CreditEvent.Kind.REJECTED, "export rejected", source_kind="export")
    update_rows(
        released + inspected + rejected, ["status", "return_status", "status_reason", "invt_no", "final_at"]
    )
    insert_rows(receipts)
    stats_services.record_changes(lists, before)
    batch.finalized_at = now
    batch.save(update_fields=["finalized_at"])
    return True


def _release_export(inventory: ExportInventoryList, now) -> None:
    inventory.status, inventory.return_status, inventory.status_reason = InventoryStatus.RELEASED, "800", ""
    inventory.final_at = now
    # DOMAIN 3.6: 4 district + 4 year + E + serial (<= 20).
    inventory.invt_no = f"{inventory.customs_code}{now:%Y}E{inventory.pk % 1_000_000_000:09d}"


def _export_ledgers(released: list[ExportInventoryList], now) -> None:
    """Forex settles the proceeds of released lists that have their receipt; tax records the VAT
    exemption of eligible ones."""
    if not released:
        return
    _settle_forex([i for i in released if i.receipt is not None], now)
    declared = [_declared_export(i) for i in released]
    context = _export_tax_context(declared)
    exemptions = []
    for inventory, d in zip(released, declared, strict=True):
        basis = tax_adapter.export_exemption(d, context)
        if basis:
            exemptions.append(
                VatExemption(
                    export_list=inventory,
                    ebc_code=inventory.ebc_code,
                    value_cny=d.value_cny,
                    basis=basis[:200],
                )
            )
    VatExemption.objects.bulk_create(exemptions, ignore_conflicts=True)


def _settle_forex(lists: list[ExportInventoryList], now) -> int:
    rates = _rates_today()
    rows = []
    for inventory in lists:
        receipt = inventory.receipt
        rate = rates.get(receipt.currency)
        if rate is None:
            continue
        rows.append(
            ForexSettlement(
                export_list=inventory,
                ebc_code=inventory.ebc_code,
                currency=receipt.currency,
                amount=receipt.charge,
                cny_per_unit=rate,
                amount_cny=(receipt.charge * rate).quantize(Decimal("0.01")),
                settled_at=now,
            )
        )
    ForexSettlement.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def settle_export_receipts(*, export_list_ids: list[int]) -> int:
    """A receipt of payment arrived for lists already released (9810): settle their proceeds."""
    with transaction.atomic():
        lists = list(
            ExportInventoryList.objects.select_for_update(of=("self",))
            .filter(pk__in=export_list_ids, status=InventoryStatus.RELEASED, forex_settlement__isnull=True)
            .order_by("id")
        )
        receipts = {
            (r.ebp_code, r.order_no): r
            for r in ReceiptOfPayment.objects.filter(
                ebp_code__in={i.ebp_code for i in lists}, order_no__in={i.order_no for i in lists}
            )
        }
        for inventory in lists:
            inventory.receipt = receipts.get((inventory.ebp_code, inventory.order_no))
        paid = [i for i in lists if i.receipt is not None]
        update_rows(paid, ["receipt"])
        return _settle_forex(paid, timezone.now())


def export_inspection_conclude(
    *, export_list_id: int, passed: bool, reason: str, official_id: int | None
) -> bool:
    """The quarantine inspection of an export list ends: passed -> released with its ledgers."""
    from django.contrib.auth import get_user_model

    from sharing.services import audit_record

    with transaction.atomic():
        inventory = (
            ExportInventoryList.objects.select_for_update(of=("self",))
            .select_related("receipt")
            .prefetch_related("items")
            .filter(pk=export_list_id, status=InventoryStatus.INSPECTION)
            .first()
        )
        if inventory is None:
            return False
        before = stats_services.snapshot([inventory])
        now = timezone.now()
        if passed:
            _release_export(inventory, now)
            _export_ledgers([inventory], now)
            receipt = _receipt(
                inventory, ReceiptSource.CUSTOMS, "800", f"Inspection passed; released. {reason}"
            )
        else:
            inventory.status, inventory.return_status, inventory.final_at = (
                InventoryStatus.REJECTED,
                "100",
                now,
            )
            inventory.status_reason = f"Inspection failed: {reason}"[:1000]
            receipt = _receipt(inventory, ReceiptSource.CUSTOMS, "100", inventory.status_reason)
        update_rows([inventory], ["status", "return_status", "status_reason", "invt_no", "final_at"])
        insert_rows([receipt])
        stats_services.record_changes([inventory], before)
        official = get_user_model().objects.filter(pk=official_id).first() if official_id else None
        action = "export.inspection_passed" if passed else "export.inspection_failed"
        audit_record(actor=official, action=action, obj=inventory, reason=reason)
    return True


# ---------------------------------------------------------------------------------------------
# 5. cancel (CEB623) and return (CEB625) of import lists (DOMAIN 2.6, 6.4)


class AmendmentRefused(ServiceError):
    """A cancel or return that breaks a rule: `.errors` names the fields, `.code` the CEB error."""

    code = "100"


def _amendment_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "items"}


def list_cancel(
    *, inventory_id: int, data: dict, enterprise_id: int, user_id: int | None
) -> tuple[InventoryCancel, bool]:
    """Cancel a list before release: the buyer's reserved quota, the tax and forex holds and any bonded
    stock reserved for it are given back. Idempotent: a second cancel returns the first."""
    from sharing.services import audit_record

    with transaction.atomic():
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .select_related("payment")
            .prefetch_related("items")
            .get(pk=inventory_id)
        )
        existing = InventoryCancel.objects.filter(inventory=inventory).first()
        if existing is not None:
            return existing, False
        if inventory.status == InventoryStatus.DISPATCHED:
            raise AmendmentRefused(
                {
                    "invt_no": [
                        "The list is with the agencies; cancel it once they have answered (unless released)."
                    ]
                },
                "-623002",
                409,
            )
        if inventory.status == InventoryStatus.RELEASED:
            raise AmendmentRefused(
                {"invt_no": ["A released list is not cancelled; apply for a return (CEB625) instead."]},
                "-623003",
                409,
            )
        if inventory.status not in CANCELLABLE_STATUSES:
            raise AmendmentRefused(
                {"invt_no": [f"The list is {inventory.status} and can no longer be cancelled."]},
                "-623004",
                409,
            )
        decisions = {inventory.pk: list(AgencyDecision.objects.filter(inventory=inventory))}
        before = stats_services.snapshot([inventory])
        cancel = InventoryCancel.objects.create(
            **_amendment_fields(data), inventory=inventory, submitted_by_id=enterprise_id
        )
        _settle_quota([], [inventory])
        _settle_holdings([], [inventory], decisions)
        logistics_services.stock_settle(released=[], given_back=_stock_holders([inventory], decisions))
        now = timezone.now()
        inventory.status, inventory.final_at = InventoryStatus.CANCELLED, now
        inventory.status_reason = f"Cancelled (CEB623): {data['reason']}"[:1000]
        update_rows([inventory], ["status", "status_reason", "final_at"])
        stats_services.record_changes([inventory], before)
        receipt = _receipt(inventory, ReceiptSource.CUSTOMS, "800", "Cancellation approved (CEB624)")
        receipt.kind, receipt.document_id = DocumentKind.CANCEL, cancel.pk
        insert_rows([receipt])
        user = _user(user_id)
        audit_record(actor=user, action="inventory.cancelled", obj=inventory, reason=data["reason"][:200])
        ids = [inventory.pk]
        transaction.on_commit(lambda: _after_final(ids))
    return cancel, True


def _user(user_id: int | None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def refund_apply(
    *, inventory_id: int, data: dict, enterprise_id: int, user_id: int | None
) -> tuple[InventoryRefund, bool]:
    """Apply for a return of a released list, within 30 days of its release; the goods are then due
    back within 45 days. Idempotent per list."""
    from sharing.services import audit_record

    with transaction.atomic():
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .prefetch_related("items")
            .get(pk=inventory_id)
        )
        existing = InventoryRefund.objects.filter(inventory=inventory).first()
        if existing is not None:
            return existing, False
        if inventory.status != InventoryStatus.RELEASED:
            raise AmendmentRefused({"invt_no": ["Only a released list can be returned."]}, "-625001", 409)
        now = timezone.now()
        if now - inventory.final_at > timedelta(days=RETURN_APPLY_DAYS):
            raise AmendmentRefused(
                {
                    "invt_no": [
                        f"Released on {inventory.final_at:%Y-%m-%d}: a return is applied for within 30 days."
                    ]
                },
                "-625002",
            )
        items = {item.gnum: item for item in inventory.items.all()}
        errors: dict[str, list[str]] = {}
        for line in data["items"]:
            item = items.get(line["gnum"])
            where = f"items[{line['gnum']}]"
            if item is None:
                errors[f"{where}.gnum"] = [f"The list has no line {line['gnum']}."]
            elif line["gcode"] != item.gcode:
                errors[f"{where}.gcode"] = [f"Line {item.gnum} is {item.gcode}, not {line['gcode']}."]
            elif line["qty"] > item.qty:
                errors[f"{where}.qty"] = [
                    f"At most {item.qty.normalize()} were released on line {item.gnum}."
                ]
        if errors:
            raise AmendmentRefused(errors, "-625003")
        refund = InventoryRefund.objects.create(
            **_amendment_fields(data),
            inventory=inventory,
            submitted_by_id=enterprise_id,
            goods_due_by=inventory.final_at + timedelta(days=GOODS_BACK_DAYS),
        )
        InventoryRefundLine.objects.bulk_create(
            [InventoryRefundLine(refund=refund, **line) for line in data["items"]]
        )
        receipt = _receipt(
            inventory, ReceiptSource.CUSTOMS, "120", "Return accepted: goods due back (CEB626)"
        )
        receipt.kind, receipt.document_id = DocumentKind.REFUND, refund.pk
        insert_rows([receipt])
        audit_record(actor=_user(user_id), action="inventory.return_applied", obj=inventory, refund=refund.pk)
    return refund, True


def refund_goods_back(*, refund_id: int, user_id: int | None, at=None) -> InventoryRefund:
    """The returned goods are back in the supervised site or bonded warehouse: give the buyer's quota
    and the tax of the returned lines back, credit the tax ledger and the guarantee, and (1210) put
    the goods back in stock. Idempotent; past the 45 days the return expires instead."""
    from sharing.services import audit_record

    at = at or timezone.now()
    with transaction.atomic():
        refund = InventoryRefund.objects.select_for_update().get(pk=refund_id)
        if refund.state != InventoryRefund.State.AWAITING_GOODS:
            return refund
        if at > refund.goods_due_by:
            # Too late: the return expires and nothing is given back (the caller reads the state).
            refund.state = InventoryRefund.State.EXPIRED
            refund.save(update_fields=["state"])
            return refund
        inventory = InventoryList.objects.prefetch_related("items").get(pk=refund.inventory_id)
        lines = list(refund.lines.all())
        items = {item.gnum: item for item in inventory.items.all()}
        value = customs_tax = vat = consumption = Decimal(0)
        for line in lines:
            item = items[line.gnum]
            share = line.qty / item.qty
            value += (item.tax_price or 0) * share
            customs_tax += (item.customs_tax or 0) * share
            vat += (item.value_added_tax or 0) * share
            consumption += (item.consumption_tax or 0) * share
        cent, fifth = Decimal("0.01"), Decimal("0.00001")
        value = value.quantize(cent)
        customs_tax, vat, consumption = (x.quantize(fifth) for x in (customs_tax, vat, consumption))
        refund.dutiable_value, refund.tax_returned = value, customs_tax + vat + consumption
        refund.goods_received_at, refund.state = at, InventoryRefund.State.COMPLETED
        refund.save(update_fields=["dutiable_value", "tax_returned", "goods_received_at", "state"])
        # Quota: the returned value no longer counts toward the buyer's year.
        use = QuotaUse.objects.select_related("quota").filter(inventory=inventory).first()
        if use is not None:
            quota = BuyerQuota.objects.select_for_update().get(pk=use.quota_id)
            back = min(value, use.amount - use.returned_amount)
            quota.used -= back
            quota.save(update_fields=["used"])
            use.returned_amount += back
            use.save(update_fields=["returned_amount", "updated_at"])
        # Tax: a credit on the bill, and the guarantee no longer owes it.
        bill = TaxBill.objects.select_for_update().filter(inventory=inventory).first()
        if bill is not None:
            TaxBillCredit.objects.create(
                bill=bill,
                refund=refund,
                customs_tax=customs_tax,
                value_added_tax=vat,
                consumption_tax=consumption,
                assure_code=bill.assure_code,
            )
            full = all(items[line.gnum].qty == line.qty for line in lines) and len(lines) == len(items)
            if full and bill.status == TaxBill.Status.GENERATED:
                bill.status = TaxBill.Status.CANCELLED
                bill.save(update_fields=["status"])
            guarantee = TaxGuarantee.objects.select_for_update().filter(assure_code=bill.assure_code).first()
            if guarantee is not None:
                guarantee.used = max(Decimal(0), guarantee.used - refund.tax_returned.quantize(cent))
                guarantee.save(update_fields=["used", "updated_at"])
        claim = logistics_services.stock_claim(inventory, lines=lines)
        if claim is not None:
            logistics_services.stock_return(claim=claim, refund_id=refund.pk)
        receipt = _receipt(
            inventory, ReceiptSource.CUSTOMS, "800", f"Return completed: tax {refund.tax_returned} given back"
        )
        receipt.kind, receipt.document_id = DocumentKind.REFUND, refund.pk
        insert_rows([receipt])
        audit_record(
            actor=_user(user_id),
            action="inventory.returned",
            obj=inventory,
            refund=refund.pk,
            tax=str(refund.tax_returned),
        )
    return refund


def refunds_expire(*, now=None) -> int:
    """Returns whose goods did not come back within 45 days expire: nothing is given back."""
    now = now or timezone.now()
    return InventoryRefund.objects.filter(
        state=InventoryRefund.State.AWAITING_GOODS, goods_due_by__lt=now
    ).update(state=InventoryRefund.State.EXPIRED)

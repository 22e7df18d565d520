"""Reads of the declared documents, always through the caller's Principal: an enterprise sees the
documents it submitted or in which it is a named party; officials see all."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sharing.choices import AgencyCode, EnterpriseRole, MemberRole
from sharing.models import CodeTableEntry, Enterprise, PositiveListEntry
from sharing.principal import Principal
from sharing.selectors import valid_on

from .choices import RETURN_APPLY_DAYS, AppStatus, DocumentKind, InventoryStatus
from .models import (
    AgencyDecision,
    AgencyDispatch,
    DocumentSubscription,
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryCancel,
    InventoryList,
    InventoryRefund,
    Order,
    Payment,
    Receipt,
    ReceiptOfPayment,
    SubscribeScope,
    SummaryDeclaration,
    Waybill,
)

PARTY_FIELDS = {
    Order: ("ebp_code", "ebc_code"),
    Payment: ("pay_code", "ebp_code"),
    Waybill: ("logistics_code",),
    InventoryList: ("ebc_code", "ebp_code", "agent_code", "logistics_code"),
    ExportOrder: ("ebp_code", "ebc_code"),
    ReceiptOfPayment: ("pay_code", "ebc_code"),
    ExportWaybill: ("logistics_code", "ebc_code"),
    ExportInventoryList: ("ebc_code", "ebp_code", "agent_code", "logistics_code"),
    InventoryCancel: ("ebc_code", "agent_code"),
    InventoryRefund: ("ebc_code", "agent_code"),
}


def summaries_for(*, principal: Principal) -> QuerySet[SummaryDeclaration]:
    if principal.sees_everything:
        return SummaryDeclaration.objects.all()
    if principal.enterprise is None:
        return SummaryDeclaration.objects.none()
    return SummaryDeclaration.objects.filter(ebc_code__in=own_codes(principal.enterprise))


def own_codes(enterprise: Enterprise | None) -> list[str]:
    """The codes an enterprise is named by in a document: its customs code and its USCC."""
    return [enterprise.customs_code, enterprise.uscc] if enterprise is not None else []


def declared_by(enterprise: Enterprise) -> Q:
    """The lists an enterprise declared: as the e-commerce enterprise, its declaring agent, or the
    submitter. The same rule as `is_declarant`, as a query."""
    codes = own_codes(enterprise)
    return Q(ebc_code__in=codes) | Q(agent_code__in=codes) | Q(submitted_by=enterprise)


def is_declarant(principal: Principal, inventory: InventoryList) -> bool:
    """Whether the caller declared this list (an approved e-commerce enterprise, its declaring agent or
    the submitter), and so may cancel it or apply for its return."""
    enterprise = principal.enterprise
    if enterprise is None or not enterprise.is_approved:
        return False
    codes = own_codes(enterprise)
    return (
        inventory.submitted_by_id == enterprise.pk
        or inventory.ebc_code in codes
        or inventory.agent_code in codes
    )


def return_window_open(inventory: InventoryList, now: datetime.datetime) -> bool:
    """Whether `now` is within RETURN_APPLY_DAYS of the list's release (DOMAIN 6.4), when a return
    (CEB625) may be applied for. That the list is released is a rule of its own (its own CEB code)."""
    return inventory.final_at is not None and now - inventory.final_at <= datetime.timedelta(
        days=RETURN_APPLY_DAYS
    )


def confirms_goods(principal: Principal, refund: InventoryRefund) -> bool:
    """Whether the caller may say a return's goods are back: customs, or the one enterprise they come
    back to (`InventoryRefund.goods_receiver`: the carrier of a 9610 list, the operator of the bonded
    warehouse of a 1210 list's account book). Never the declarant as such, nor whoever the return's
    head names: the head is the list's, and the receiver is fixed by the pipeline."""
    if principal.is_agency(AgencyCode.CUSTOMS) or principal.is_superuser:
        return True
    enterprise = principal.enterprise
    return (
        enterprise is not None
        and enterprise.is_approved
        and refund.goods_receiver_id is not None
        and refund.goods_receiver_id == enterprise.pk
    )


def is_customs_supervisor(principal: Principal) -> bool:
    """A customs official with the administrator role: customs' supervisors, who may act on any list
    (a person signed in, never a partner key)."""
    return (
        principal.is_agency(AgencyCode.CUSTOMS)
        and principal.role == MemberRole.ADMIN
        and principal.user is not None
    )


def may_record_inspection(principal: Principal, inventory: InventoryList | ExportInventoryList) -> bool:
    """Whether the caller may record the result of this list's physical inspection. An import list:
    only the customs official the "double random" draw named (its RiskAssessment.inspector, still a
    customs official), or a customs supervisor. An export list's quarantine (no draw): an inspection
    official or a customs supervisor. Site administrators may. The page and the API ask this."""
    if principal.is_superuser or is_customs_supervisor(principal):
        return True
    if isinstance(inventory, ExportInventoryList):
        return principal.is_agency(AgencyCode.INSPECTION)
    if not principal.is_agency(AgencyCode.CUSTOMS) or principal.user is None:
        return False
    # Through the list's reverse relation: declarations does not import the risk app above it.
    return InventoryList.objects.filter(pk=inventory.pk, risk__inspector_id=principal.user.pk).exists()


def receives_goods(enterprise: Enterprise) -> Q:
    """The returns whose goods come back to an enterprise: the same rule as `confirms_goods`, as a
    query (officials aside)."""
    return Q(goods_receiver=enterprise)


def list_for_amendment(*, data: dict, principal: Principal) -> InventoryList | None:
    """The import list a cancel or return names (by cop_no, then pre_no, then invt_no), among those the
    caller declared: the e-commerce enterprise or its declaring agent. None when there is none."""
    enterprise = principal.enterprise
    if enterprise is None:
        return None
    lists = InventoryList.objects.filter(declared_by(enterprise))
    lists = lists.filter(ebc_code=data["ebc_code"])
    for field in ("cop_no", "pre_no", "invt_no"):
        if data.get(field):
            return lists.filter(**{field: data[field]}).first()
    return None


# The field holding a document's buyer ID number (a payment's payer is the buyer, DOMAIN R11).
BUYER_ID_FIELDS = {Order: "buyer_id_number", Payment: "payer_id_number", InventoryList: "buyer_id_number"}


def of_buyer(queryset: QuerySet, id_number: str) -> QuerySet:
    """The documents of `queryset` of one buyer, by ID number as intake stores it (upper-case)."""
    return queryset.filter(**{BUYER_ID_FIELDS[queryset.model]: id_number.strip().upper()})


def documents_for(model, *, principal: Principal) -> QuerySet:
    qs = model.objects.all()
    if principal.sees_everything:
        return qs
    enterprise = principal.enterprise
    if enterprise is None:
        return qs.none()
    codes = own_codes(enterprise)
    condition = Q(submitted_by=enterprise)
    for field in PARTY_FIELDS[model]:
        condition |= Q(**{f"{field}__in": codes})
    return qs.filter(condition)


def receipts_for(*, principal: Principal) -> QuerySet[Receipt]:
    """An enterprise's receipts (its pull queue); officials see those of every enterprise."""
    if principal.sees_everything:
        return Receipt.objects.all()
    if principal.enterprise is None:
        return Receipt.objects.none()
    return Receipt.objects.filter(enterprise=principal.enterprise)


def receipt_queue(*, principal: Principal) -> QuerySet[Receipt]:
    """The pull queue: the enterprise's own receipts, and the copies of the documents a BaseSubscribe
    named it for (every receipt for ALL and RET, the arrival's receipt for DATA)."""
    queryset = receipts_for(principal=principal)
    enterprise = principal.enterprise
    if principal.sees_everything or enterprise is None:
        return queryset
    subscriptions = DocumentSubscription.objects.filter(subscriber=enterprise)
    # Most enterprises are named by nobody: their queue stays on the (enterprise, id) index.
    if not subscriptions.exists():
        return queryset
    same_document = subscriptions.filter(kind=OuterRef("kind"), document_id=OuterRef("document_id"))
    return Receipt.objects.filter(
        Q(enterprise=enterprise)
        | Exists(same_document.filter(scope__in=[SubscribeScope.ALL, SubscribeScope.RET]))
        | Exists(subscriptions.filter(scope=SubscribeScope.DATA, data_receipt_id=OuterRef("id")))
    )


def subscription_scopes(*, principal: Principal, receipts: list[Receipt]) -> dict[int, str]:
    """Receipt id -> the scope of the subscription it is a copy under, for the receipts of `receipts`
    that are not the caller's own (one query)."""
    enterprise = principal.enterprise
    others = [r for r in receipts if enterprise is not None and r.enterprise_id != enterprise.pk]
    if not others:
        return {}
    scopes = {
        (kind, document_id): scope
        for kind, document_id, scope in DocumentSubscription.objects.filter(
            subscriber=enterprise, document_id__in={r.document_id for r in others}
        ).values_list("kind", "document_id", "scope")
    }
    return {r.pk: scopes[(r.kind, r.document_id)] for r in others if (r.kind, r.document_id) in scopes}


def inventory_timeline(inventory: InventoryList) -> list[Receipt]:
    """The list's receipts (CEB622), in the order given: they never go back (DOMAIN 4.1)."""
    return list(Receipt.objects.filter(kind=DocumentKind.INVENTORY, document_id=inventory.pk).order_by("id"))


def inventory_decisions(inventory: InventoryList) -> list[AgencyDecision]:
    """Each authority's answer about the list; the fan-in turns them into its receipts."""
    return list(AgencyDecision.objects.filter(inventory=inventory).order_by("id"))


def agency_receipts(*, agency: str) -> QuerySet[Receipt] | QuerySet[AgencyDecision]:
    """What an agency answered: its officials' view of their queue. Customs' answers are the lists'
    receipts; inspection, tax and forex answer with decisions the window folds into one receipt."""
    if agency == AgencyCode.CUSTOMS:
        return Receipt.objects.filter(source=agency).order_by("-id")
    return (
        AgencyDecision.objects.filter(agency=agency, inventory__isnull=False)
        .select_related("inventory")
        .order_by("-id")
    )


def waiting_for(inventory: InventoryList) -> list[str]:
    """The agencies a dispatched list is still waiting for (shown as "waiting for <agency>")."""
    if inventory.status != InventoryStatus.DISPATCHED or inventory.dispatch_batch_id is None:
        return []
    return list(
        AgencyDispatch.objects.filter(batch_id=inventory.dispatch_batch_id)
        .exclude(state=AgencyDispatch.State.ANSWERED)
        .values_list("agency", flat=True)
    )


def parked_dispatches(*, agency: str | None = None):
    """The dead-letter list: dispatches whose retries ran out, for an official to re-drive."""
    qs = (
        AgencyDispatch.objects.filter(state=AgencyDispatch.State.FAILED)
        .select_related("batch")
        .order_by("id")
    )
    return qs.filter(agency=agency) if agency else qs


def returns_for(*, principal: Principal) -> QuerySet[InventoryRefund]:
    """The declarant's returns, and those whose goods come back to the caller (`receives_goods`), which
    it confirms; officials see all."""
    qs = documents_for(InventoryRefund, principal=principal)
    if principal.enterprise is None or principal.sees_everything:
        return qs
    return InventoryRefund.objects.filter(Q(pk__in=qs.values("pk")) | receives_goods(principal.enterprise))


def returns_to_confirm(*, principal: Principal) -> QuerySet[InventoryRefund]:
    """Returns waiting for goods that this caller receives: exactly those `confirms_goods` lets it
    confirm (an official's queue is the officials' pages, not this one)."""
    enterprise = principal.enterprise
    if enterprise is None or not enterprise.is_approved:
        return InventoryRefund.objects.none()
    return (
        InventoryRefund.objects.filter(receives_goods(enterprise), state=InventoryRefund.State.AWAITING_GOODS)
        .select_related("inventory")
        .order_by("goods_due_by")
    )


def dispatch_counts(*, agency: str) -> dict[str, int]:
    """How many batches the window sent this agency, by state of its answer."""
    return dict(
        AgencyDispatch.objects.filter(agency=agency).order_by().values_list("state").annotate(n=Count("id"))
    )


# The document lists each role reads: those it is a party to (PARTY_FIELDS), so a payment firm is
# offered its payments and a logistics firm its waybills and the lists that name it.
LISTS_BY_ROLE = {
    EnterpriseRole.PLATFORM: (DocumentKind.ORDER, DocumentKind.PAYMENT, DocumentKind.INVENTORY),
    EnterpriseRole.ECOMMERCE: (DocumentKind.ORDER, DocumentKind.INVENTORY, DocumentKind.REFUND),
    EnterpriseRole.AGENT: (DocumentKind.INVENTORY, DocumentKind.REFUND),
    EnterpriseRole.PAYMENT: (DocumentKind.PAYMENT,),
    EnterpriseRole.LOGISTICS: (DocumentKind.WAYBILL, DocumentKind.INVENTORY),
    EnterpriseRole.WAREHOUSE: (),
}
LISTED_KINDS = (
    DocumentKind.INVENTORY,
    DocumentKind.ORDER,
    DocumentKind.PAYMENT,
    DocumentKind.WAYBILL,
    DocumentKind.REFUND,
)


def listed_kinds(principal: Principal) -> list[str]:
    """The document lists offered to the caller, in the order of the Documents area: every one for
    officials, the ones its roles are a party to for an approved enterprise, none otherwise."""
    if principal.sees_everything:
        return list(LISTED_KINDS)
    enterprise = principal.enterprise
    if enterprise is None or not enterprise.is_approved:
        return []
    kinds = {kind for role in enterprise.roles for kind in LISTS_BY_ROLE.get(role, ())}
    return [kind for kind in LISTED_KINDS if kind in kinds]


def code_lookups(tables: Iterable[str], *, language: str) -> dict[str, list[tuple[str, str]]]:
    """The codes valid today of each table, with their names in the reader's language, for the forms'
    lookups. `hs` offers the positive list's HS headings (their names are kept in English only)."""
    wanted = set(tables)
    out: dict[str, list[tuple[str, str]]] = {table: [] for table in wanted}
    chinese = language.startswith("zh")
    entries = valid_on(CodeTableEntry.objects.filter(table__in=wanted), timezone.localdate())
    for table, code, name_zh, name_en in entries.order_by("table", "code").values_list(
        "table", "code", "name_zh", "name_en"
    ):
        out[table].append((code, name_zh if chinese or not name_en else name_en))
    if "hs" in wanted:
        out["hs"] = list(
            PositiveListEntry.objects.order_by("hs_prefix").values_list("hs_prefix", "description")
        )
    return out


def saved_drafts(model, *, principal: Principal) -> QuerySet:
    """The documents the principal's enterprise saved without declaring (app_status 1), newest first."""
    if principal.enterprise is None:
        return model.objects.none()
    return model.objects.filter(submitted_by=principal.enterprise, app_status=AppStatus.SAVED).order_by("-id")

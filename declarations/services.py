"""Intake of the four documents: validate, authorise, store idempotently, answer with receipts, and
ask the clearance pipeline to (re)match the lists the documents belong to.

One call handles a batch of up to 1,000 documents with a bounded number of queries: existing
documents are loaded by natural key in one query, new ones are inserted in one statement per table, and the
database's unique constraints are the final word on natural keys.
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from sharing.choices import EnterpriseRole
from sharing.models import AgentMandate, Enterprise
from sharing.principal import Principal
from singlewindow.core import months
from singlewindow.core.api import flatten_errors
from singlewindow.core.broker import send
from singlewindow.core.db import insert_rows, new_row, reserve_ids, update_rows

from . import schemas
from .choices import (
    FROZEN_STATUSES,
    MATCHABLE_STATUSES,
    AppType,
    DocumentKind,
    InventoryStatus,
    ReceiptSource,
)
from .guids import new_guid
from .models import (
    ExportInventoryItem,
    ExportInventoryList,
    ExportOrder,
    ExportOrderItem,
    ExportWaybill,
    InventoryItem,
    InventoryList,
    Order,
    OrderItem,
    Payment,
    Receipt,
    ReceiptOfPayment,
    SummaryDeclaration,
    Waybill,
)

MAX_BATCH = 1000
HEADER_FIELDS = ("guid", "app_time", "app_type")  # not part of a document's content


class IntakeForbidden(Exception):
    """The caller's enterprise may not submit this kind of document at all."""


@dataclass
class IntakeResult:
    """The answer about one submitted document, in the order it was sent."""

    index: int
    outcome: str  # accepted | duplicate | changed | rejected
    natural_key: dict[str, str]
    id: int | None = None
    receipt: Receipt | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    return_status: str = ""
    return_info: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected"


@dataclass(frozen=True)
class DocumentSpec:
    """How one kind of document is validated, keyed, authorised and stored."""

    kind: str
    model: type[models.Model]
    schema: type[serializers.Serializer]
    key_fields: tuple[str, str]
    roles: tuple[str, ...]
    # which field must carry the submitter's own code, per role
    own_code_field: dict[str, str]
    item_model: type[models.Model] | None = None
    item_fk: str = ""
    change_error: str = ""


SPECS = {
    DocumentKind.ORDER: DocumentSpec(
        DocumentKind.ORDER,
        Order,
        schemas.OrderSchema,
        ("ebp_code", "order_no"),
        (EnterpriseRole.PLATFORM,),
        {EnterpriseRole.PLATFORM: "ebp_code"},
        OrderItem,
        "order",
        "-301011",
    ),
    DocumentKind.PAYMENT: DocumentSpec(
        DocumentKind.PAYMENT,
        Payment,
        schemas.PaymentSchema,
        ("pay_code", "pay_transaction_id"),
        (EnterpriseRole.PAYMENT,),
        {EnterpriseRole.PAYMENT: "pay_code"},
        change_error="-401011",
    ),
    DocumentKind.WAYBILL: DocumentSpec(
        DocumentKind.WAYBILL,
        Waybill,
        schemas.WaybillSchema,
        ("logistics_code", "logistics_no"),
        (EnterpriseRole.LOGISTICS,),
        {EnterpriseRole.LOGISTICS: "logistics_code"},
        change_error="-504011",
    ),
    DocumentKind.INVENTORY: DocumentSpec(
        DocumentKind.INVENTORY,
        InventoryList,
        schemas.InventorySchema,
        ("ebc_code", "cop_no"),
        (EnterpriseRole.ECOMMERCE, EnterpriseRole.AGENT),
        {EnterpriseRole.ECOMMERCE: "ebc_code", EnterpriseRole.AGENT: "agent_code"},
        InventoryItem,
        "inventory",
        "-621011",
    ),
    DocumentKind.EXPORT_ORDER: DocumentSpec(
        DocumentKind.EXPORT_ORDER,
        ExportOrder,
        schemas.ExportOrderSchema,
        ("ebp_code", "order_no"),
        (EnterpriseRole.PLATFORM, EnterpriseRole.ECOMMERCE),
        # B2B exporters and overseas-warehouse bookings are filed by the exporter itself.
        {EnterpriseRole.PLATFORM: "ebp_code", EnterpriseRole.ECOMMERCE: "ebc_code"},
        ExportOrderItem,
        "order",
        "-303011",
    ),
    DocumentKind.RECEIPT_OF_PAYMENT: DocumentSpec(
        DocumentKind.RECEIPT_OF_PAYMENT,
        ReceiptOfPayment,
        schemas.ReceiptOfPaymentSchema,
        ("ebp_code", "order_no"),
        (EnterpriseRole.PAYMENT, EnterpriseRole.ECOMMERCE),
        {EnterpriseRole.PAYMENT: "pay_code", EnterpriseRole.ECOMMERCE: "ebc_code"},
        change_error="-403011",
    ),
    DocumentKind.EXPORT_WAYBILL: DocumentSpec(
        DocumentKind.EXPORT_WAYBILL,
        ExportWaybill,
        schemas.ExportWaybillSchema,
        ("logistics_code", "logistics_no"),
        (EnterpriseRole.LOGISTICS,),
        {EnterpriseRole.LOGISTICS: "logistics_code"},
        change_error="-505011",
    ),
    DocumentKind.EXPORT_INVENTORY: DocumentSpec(
        DocumentKind.EXPORT_INVENTORY,
        ExportInventoryList,
        schemas.ExportInventorySchema,
        ("ebc_code", "cop_no"),
        (EnterpriseRole.ECOMMERCE, EnterpriseRole.AGENT),
        {EnterpriseRole.ECOMMERCE: "ebc_code", EnterpriseRole.AGENT: "agent_code"},
        ExportInventoryItem,
        "inventory",
        "-603011",
    ),
}
EXPORT_KINDS = frozenset(
    {
        DocumentKind.EXPORT_ORDER,
        DocumentKind.RECEIPT_OF_PAYMENT,
        DocumentKind.EXPORT_WAYBILL,
        DocumentKind.EXPORT_INVENTORY,
    }
)
LIST_KINDS = frozenset({DocumentKind.INVENTORY, DocumentKind.EXPORT_INVENTORY})


def _canonical(value: Any) -> Any:
    """The content that identifies a document: amounts normalised, None as "", the header left out.
    Plain strings and ints, most of a document, are taken as they are without a call of their own."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, dict):
        return {
            k: v if type(v) is str or type(v) is int else _canonical(v)
            for k, v in sorted(value.items())
            if k not in HEADER_FIELDS
        }
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return "" if value is None else value


def content_hash(data: dict[str, Any]) -> str:
    """The same document sent twice has the same hash, whatever its guid and send time.

    The hash is of `json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))` in UTF-8, as
    first written. For the strings, bounded ints, lists and dicts of a validated document orjson writes
    those same bytes, several times faster; anything it would not write (an int beyond 64 bits) goes
    the standard library's way."""
    canonical = _canonical(data)
    try:
        payload = orjson.dumps(canonical)
    except orjson.JSONEncodeError:
        payload = json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(payload).hexdigest()


def _owns(enterprise: Enterprise, code_value: str) -> bool:
    # Enterprise-code fields accept the 10-character customs code or the 18-character USCC.
    return code_value in (enterprise.customs_code, enterprise.uscc)


def _authorisation_errors(
    spec: DocumentSpec, enterprise: Enterprise, data: dict[str, Any], mandates: set[str] = frozenset()
) -> dict[str, list[str]]:
    allowed = [role for role in spec.roles if enterprise.has_role(role)]
    for role in allowed:
        if _owns(enterprise, data[spec.own_code_field[role]]):
            if (
                role == EnterpriseRole.AGENT
                and not _owns(enterprise, data["ebc_code"])
                and (data["ebc_code"] not in mandates)
            ):
                return {
                    "ebc_code": [
                        _("The e-commerce enterprise %(code)s has not mandated you as its declaring agent.")
                        % {"code": data["ebc_code"]}
                    ]
                }
            return {}
    fields = sorted({spec.own_code_field[role] for role in allowed})
    message = _(
        "You may submit this document only in your own name: %(fields)s must be your customs code %(code)s."
    ) % {"fields": " or ".join(fields), "code": enterprise.customs_code}
    return {name: [message] for name in fields}


def agent_mandates(agent: Enterprise) -> set[str]:
    """Codes (customs code and USCC) of the e-commerce enterprises that mandated this declaring agent."""
    if not agent.has_role(EnterpriseRole.AGENT):
        return set()
    today = timezone.localdate()
    codes: set[str] = set()
    for customs_code, uscc in (
        AgentMandate.objects.filter(agent=agent)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("enterprise__customs_code", "enterprise__uscc")
    ):
        codes |= {customs_code, uscc}
    return codes


def validate_documents(kind: str, documents: Sequence[Any]) -> list[tuple[dict | None, dict[str, list[str]]]]:
    """Validate each document on its own: (data, {}) or (None, field errors).

    Valid documents take the compiled fast path; any other goes through the DRF schema, which words
    the errors.
    """
    spec = SPECS[kind]
    schema = spec.schema()
    fast = schemas.FastValidator.of(spec.schema)
    out: list[tuple[dict | None, dict[str, list[str]]]] = []
    for document in documents:
        if not isinstance(document, dict):
            out.append((None, {"non_field_errors": [_("Each document must be a JSON object.")]}))
            continue
        data = fast.validate(document)
        if data is not None:
            out.append((data, {}))
            continue
        try:
            out.append((schema.run_validation(document), {}))
        except serializers.ValidationError as exc:
            out.append((None, flatten_errors(exc.detail)))
    return out


def _key(spec: DocumentSpec, data: dict[str, Any]) -> tuple[str, str]:
    return (data[spec.key_fields[0]], data[spec.key_fields[1]])


def _key_dict(spec: DocumentSpec, data: dict[str, Any] | None) -> dict[str, str]:
    if not data:
        return {}
    return {name: data.get(name, "") for name in spec.key_fields}


def _existing_by_key(spec: DocumentSpec, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    if not keys:
        return {}
    first, second = spec.key_fields
    # Locked: a change must not overwrite what the pipeline writes to the same row meanwhile.
    rows = spec.model.objects.select_for_update().filter(
        **{f"{first}__in": {k[0] for k in keys}, f"{second}__in": {k[1] for k in keys}}
    )
    return {
        (getattr(r, first), getattr(r, second)): r
        for r in rows
        if (getattr(r, first), getattr(r, second)) in keys
    }


def _frozen_keys(spec: DocumentSpec, documents: list[Any]) -> set[int]:
    """Ids of existing documents that may no longer change: their list has been dispatched."""
    if not documents:
        return set()
    model = ExportInventoryList if spec.kind in EXPORT_KINDS else InventoryList
    frozen = model.objects.filter(status__in=FROZEN_STATUSES)
    if spec.kind in LIST_KINDS:
        return {d.pk for d in documents if d.status in FROZEN_STATUSES}
    if spec.kind in (DocumentKind.WAYBILL, DocumentKind.EXPORT_WAYBILL):
        hits = set(
            frozen.filter(logistics_no__in=[d.logistics_no for d in documents]).values_list(
                "logistics_code", "logistics_no"
            )
        )
        return {d.pk for d in documents if (d.logistics_code, d.logistics_no) in hits}
    hits = set(
        frozen.filter(order_no__in=[d.order_no for d in documents]).values_list("ebp_code", "order_no")
    )
    return {d.pk for d in documents if (d.ebp_code, d.order_no) in hits}


def _natural_key_text(spec: DocumentSpec, key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}"[:100]


def submit(*, kind: str, documents: Sequence[Any], by: Principal) -> list[IntakeResult]:
    """Store a batch of documents of one kind; one IntakeResult per document, in order.

    Idempotent on the natural key: the same content again returns the first receipt and creates
    nothing; different content is a change (app_type 2), allowed until the list is dispatched.
    One bad document never loses the good ones.
    """
    spec = SPECS[kind]
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved:
        raise IntakeForbidden(_("Only an approved enterprise may submit documents."))
    if not any(enterprise.has_role(role) for role in spec.roles):
        raise IntakeForbidden(_("Your enterprise's roles do not include submitting this document."))
    if len(documents) > MAX_BATCH:
        raise ValueError(_("A batch has at most %(n)d documents.") % {"n": MAX_BATCH})

    mandates = agent_mandates(enterprise) if spec.kind in LIST_KINDS else frozenset()
    results: list[IntakeResult] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, (data, errors) in enumerate(validate_documents(kind, documents)):
        if data is not None and not errors:
            errors = _authorisation_errors(spec, enterprise, data, mandates)
        if data is not None and not errors:
            key = _key(spec, data)
            if key in seen:
                errors = {
                    spec.key_fields[1]: [
                        _("The same document appears twice in this batch (first at index %(i)d).")
                        % {"i": seen[key]}
                    ]
                }
            seen[key] = index
        result = IntakeResult(
            index=index, outcome="rejected", natural_key=_key_dict(spec, data), errors=errors
        )
        results.append(result)
        if not errors:
            valid.append((index, data))
        else:
            result.return_status = "100"
            result.return_info = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())[:1000]

    for attempt in range(3):
        try:
            _store(spec, enterprise, valid, results)
            break
        except IntegrityError:
            # A concurrent request inserted the same natural key between our read and write:
            # classify again against what is now stored.
            if attempt == 2:
                raise
    return results


@transaction.atomic
def _store(
    spec: DocumentSpec,
    enterprise: Enterprise,
    valid: list[tuple[int, dict[str, Any]]],
    results: list[IntakeResult],
) -> None:
    existing = _existing_by_key(spec, {_key(spec, data) for _i, data in valid})
    frozen = _frozen_keys(spec, list(existing.values()))
    now = timezone.now()
    new_rows: list[tuple[int, dict[str, Any], Any]] = []
    changed: list[tuple[int, dict[str, Any], Any]] = []
    for index, data in valid:
        digest = content_hash(data)
        current = existing.get(_key(spec, data))
        result = results[index]
        if current is None:
            new_rows.append((index, data, _instance(spec, enterprise, data, digest)))
        elif current.submitted_by_id != enterprise.pk:
            # Checked first, and answered without the document's id or state: nothing of another
            # enterprise's document is revealed.
            result.outcome = "rejected"
            result.errors = {spec.key_fields[1]: [_("Another enterprise submitted this document.")]}
            result.return_status, result.return_info = "100", result.errors[spec.key_fields[1]][0]
        elif current.content_hash == digest:
            result.outcome, result.id = "duplicate", current.pk
        elif current.pk in frozen:
            result.outcome = "rejected"
            result.id = current.pk
            result.return_status = spec.change_error
            result.errors = {
                spec.key_fields[1]: [
                    _(
                        "This document belongs to a list already sent to the agencies; "
                        "it can no longer change."
                    )
                ]
            }
            result.return_info = result.errors[spec.key_fields[1]][0]
        else:
            changed.append((index, data, _apply_change(spec, current, data, digest)))

    if new_rows:
        rows = [row for _i, _d, row in new_rows]
        if spec.kind in LIST_KINDS:
            _prepare_new_lists(rows, now)
        created = insert_rows(rows)
        for (index, _data, _row), obj in zip(new_rows, created, strict=True):
            results[index].outcome, results[index].id = "accepted", obj.pk
        _create_items(spec, [(obj, data) for (_i, data, _r), obj in zip(new_rows, created, strict=True)])
        if spec.kind in LIST_KINDS and any(not obj.pre_no for obj in created):
            for obj in created:
                obj.pre_no = _pre_no(obj.pk, now)
            update_rows(created, ["pre_no"])
    if changed:
        for index, _data, obj in changed:
            obj.save()
            results[index].outcome, results[index].id = "changed", obj.pk
        if spec.item_model is not None:
            spec.item_model.objects.filter(
                **{f"{spec.item_fk}__in": [obj for _i, _d, obj in changed]}
            ).delete()
            _create_items(spec, [(obj, data) for _i, data, obj in changed])

    touched = [results[i] for i, _d in valid if results[i].outcome in ("accepted", "changed")]
    receipts = [
        new_row(
            Receipt,
            enterprise_id=enterprise.pk,
            kind=spec.kind,
            document_id=r.id,
            source=ReceiptSource.PORTAL,
            natural_key=_natural_key_text(spec, tuple(r.natural_key.values())),
            return_status="120" if spec.kind not in LIST_KINDS else "2",
            return_info=(_("Stored; changes applied.") if r.outcome == "changed" else _("Stored.")),
            guid=new_guid(),
        )
        for r in touched
    ]
    for result, receipt in zip(touched, insert_rows(receipts), strict=True):
        result.receipt, result.return_status, result.return_info = (
            receipt,
            receipt.return_status,
            receipt.return_info,
        )
    duplicates = [r for r in results if r.outcome == "duplicate"]
    if duplicates:
        latest = {}
        for receipt in Receipt.objects.filter(
            kind=spec.kind, document_id__in=[r.id for r in duplicates], source=ReceiptSource.PORTAL
        ).order_by("id"):
            latest[receipt.document_id] = receipt
        for result in duplicates:
            result.receipt = latest.get(result.id)
            if result.receipt:
                result.return_status, result.return_info = (
                    result.receipt.return_status,
                    result.receipt.return_info,
                )
    if spec.kind in LIST_KINDS:
        # New lists were written already asking for a match: only changed ones need the request.
        rematch = [data for i, data in valid if results[i].outcome == "changed"]
        if new_rows:
            _wake_clearance(spec.kind)
    else:
        rematch = [data for i, data in valid if results[i].outcome in ("accepted", "changed")]
    if rematch:
        request_match(spec.kind, rematch)


def _pre_no(pk: int, now) -> str:
    return f"B{now:%Y%m%d}{pk % 1_000_000_000:09d}"


def _prepare_new_lists(rows: list, now) -> None:
    """New lists take their ids first (where the database hands them out), so that the preliminary
    number derived from the id and the request for a match go in with the row."""
    ids = reserve_ids(type(rows[0]), len(rows))
    for index, row in enumerate(rows):
        row.match_requested_at = now
        if ids is not None:
            row.pk = ids[index]
            row.pre_no = _pre_no(row.pk, now)


def _wake_clearance(kind: str) -> None:
    """After commit, the clearance processor of this kind's direction looks for lists to match."""
    from singlewindow import tasks

    task = tasks.process_pending_exports if kind in EXPORT_KINDS else tasks.process_pending_lists
    transaction.on_commit(lambda: send(task))


def _instance(spec: DocumentSpec, enterprise: Enterprise, data: dict[str, Any], digest: str):
    head = {k: v for k, v in data.items() if k != "items"}
    return new_row(spec.model, **head, submitted_by_id=enterprise.pk, content_hash=digest)


def _apply_change(spec: DocumentSpec, current, data: dict[str, Any], digest: str):
    for name, value in data.items():
        if name != "items":
            setattr(current, name, value)
    current.app_type = AppType.CHANGE
    current.content_hash = digest
    current.version += 1
    # A mismatched list keeps its status until the clearance processor matches it again (it is asked
    # to): that step is where its status and the statistics move together.
    return current


def _create_items(spec: DocumentSpec, pairs: list[tuple[Any, dict[str, Any]]]) -> None:
    if spec.item_model is None:
        return
    fk = f"{spec.item_fk}_id"  # the id: setting the related object costs more for a thousand lines
    insert_rows(
        [new_row(spec.item_model, **{fk: obj.pk}, **item) for obj, data in pairs for item in data["items"]]
    )


def request_match(kind: str, documents: list[dict[str, Any]]) -> int:
    """Mark the lists these documents belong to for (re)matching, and wake the clearance processor."""
    if kind in EXPORT_KINDS:
        return _request_export_match(kind, documents)
    lists = InventoryList.objects.filter(status__in=MATCHABLE_STATUSES)
    if kind == DocumentKind.INVENTORY:
        lists = lists.filter(cop_no__in={d["cop_no"] for d in documents})
        keys = {(d["ebc_code"], d["cop_no"]) for d in documents}
        condition = Q(
            pk__in=[pk for pk, e, c in lists.values_list("pk", "ebc_code", "cop_no") if (e, c) in keys]
        )
    elif kind == DocumentKind.WAYBILL:
        condition = Q(
            logistics_no__in={d["logistics_no"] for d in documents},
            logistics_code__in={d["logistics_code"] for d in documents},
        )
    else:  # orders and payments join the list by platform + order number
        condition = Q(
            order_no__in={d["order_no"] for d in documents}, ebp_code__in={d["ebp_code"] for d in documents}
        )
    updated = lists.filter(condition).update(match_requested_at=timezone.now())
    if updated:
        _wake_clearance(kind)
    return updated


def _request_export_match(kind: str, documents: list[dict[str, Any]]) -> int:
    from singlewindow import tasks

    lists = ExportInventoryList.objects.all()
    if kind == DocumentKind.EXPORT_INVENTORY:
        keys = {(d["ebc_code"], d["cop_no"]) for d in documents}
        rows = lists.filter(cop_no__in={k[1] for k in keys}).values_list("pk", "ebc_code", "cop_no")
        condition = Q(pk__in=[pk for pk, e, c in rows if (e, c) in keys])
    elif kind == DocumentKind.EXPORT_WAYBILL:
        condition = Q(
            logistics_no__in={d["logistics_no"] for d in documents},
            logistics_code__in={d["logistics_code"] for d in documents},
        )
    else:
        condition = Q(
            order_no__in={d["order_no"] for d in documents}, ebp_code__in={d["ebp_code"] for d in documents}
        )
    if kind == DocumentKind.RECEIPT_OF_PAYMENT:
        # A 9810 shipment is paid for after it sold abroad: its receipt settles a list already released.
        released = list(
            lists.filter(
                condition, status=InventoryStatus.RELEASED, forex_settlement__isnull=True
            ).values_list("pk", flat=True)
        )
        if released:
            transaction.on_commit(lambda: send(tasks.settle_export_receipts, released))
    updated = lists.filter(condition, status__in=MATCHABLE_STATUSES).update(match_requested_at=timezone.now())
    if updated:
        _wake_clearance(kind)
    return updated


def waybill_sign_for(*, documents: Sequence[Any], by: Principal) -> list[IntakeResult]:
    """CEB513: the consignee signed for the parcel. Updates the waybill's status; idempotent."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not enterprise.has_role(EnterpriseRole.LOGISTICS):
        raise IntakeForbidden(_("Only a logistics enterprise may report waybill status."))
    results = []
    schema = schemas.WaybillStatusSchema()
    for index, document in enumerate(documents):
        try:
            data = schema.run_validation(document)
        except serializers.ValidationError as exc:
            results.append(
                IntakeResult(index, "rejected", {}, errors=flatten_errors(exc.detail), return_status="100")
            )
            continue
        key = {"logistics_code": data["logistics_code"], "logistics_no": data["logistics_no"]}
        if not _owns(enterprise, data["logistics_code"]):
            results.append(
                IntakeResult(
                    index,
                    "rejected",
                    key,
                    errors={"logistics_code": [_("You may report only your own waybills.")]},
                    return_status="100",
                )
            )
            continue
        with transaction.atomic():
            waybill = Waybill.objects.select_for_update().filter(**key).first()
            if waybill is None:
                results.append(
                    IntakeResult(
                        index,
                        "rejected",
                        key,
                        errors={"logistics_no": [_("No waybill with this number is stored.")]},
                        return_status="-505001",
                    )
                )
                continue
            if waybill.logistics_status == "S":
                outcome = "duplicate"
            else:
                waybill.logistics_status, waybill.logistics_time = "S", data["logistics_time"]
                waybill.save(update_fields=["logistics_status", "logistics_time", "updated_at"])
                from .signals import waybill_signed

                waybill_signed.send(sender=Waybill, waybill=waybill, signed_at=data["logistics_time"])
                outcome = "accepted"
            receipt = Receipt.objects.filter(kind=DocumentKind.WAYBILL_STATUS, document_id=waybill.pk).first()
            if receipt is None:
                receipt = Receipt.objects.create(
                    enterprise=enterprise,
                    kind=DocumentKind.WAYBILL_STATUS,
                    document_id=waybill.pk,
                    natural_key=f"{waybill.logistics_code}/{waybill.logistics_no}",
                    return_status="120",
                    return_info=_("Signed for."),
                    guid=new_guid(),
                )
        results.append(
            IntakeResult(
                index,
                outcome,
                key,
                id=waybill.pk,
                receipt=receipt,
                return_status=receipt.return_status,
                return_info=receipt.return_info,
            )
        )
    return results


# --- CEB701 summary declaration of exports ("list approval and release, summary declaration") --------


class SummaryRefused(Exception):
    def __init__(self, errors: dict[str, list[str]], status: int = 400):
        super().__init__(errors)
        self.errors, self.status = errors, status


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
    from sharing.adapters import customs

    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not _owns(enterprise, ebc_code):
        if not (by.is_superuser or by.is_agency("customs")):
            raise IntakeForbidden(_("An exporter applies for its own summary declaration."))
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
        now = timezone.now()
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
        Receipt.objects.create(
            enterprise=enterprise,
            kind=DocumentKind.SUMMARY,
            document_id=summary.pk,
            source=ReceiptSource.CUSTOMS,
            natural_key=summary.cop_no,
            return_status="800",
            return_info=f"Summary {summary.sum_no}: declaration {summary.entry_id}, {len(lists)} lists",
            guid=new_guid(),
        )
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


class AmendmentRejected(Exception):
    """A cancel or return refused: `.errors` names the fields; `.code` is the CEB status of the
    receipt, `.status` the HTTP answer and `.reason` its short code."""

    def __init__(
        self, errors: dict[str, list[str]], *, code: str = "100", status: int = 400, reason: str = "invalid"
    ):
        super().__init__(errors)
        self.errors, self.code, self.status, self.reason = errors, code, status, reason
        self.inventory_id: int | None = None


def amendment_submit(
    *, kind: str, document: Any, by: Principal, user_id: int | None = None
) -> tuple[Any, bool]:
    """One CEB623 cancel or CEB625 return of one of the caller's lists, applied at once by the clearance
    pipeline. Returns (the cancel or return, created); idempotent per list."""
    from singlewindow import tasks

    from . import selectors

    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved:
        raise IntakeForbidden(_("Only an approved enterprise may submit documents."))
    schema = schemas.ListAmendmentSchema() if kind == DocumentKind.CANCEL else schemas.RefundSchema()
    try:
        data = schema.run_validation(document)
    except serializers.ValidationError as exc:
        raise AmendmentRejected(flatten_errors(exc.detail)) from None
    inventory = selectors.list_for_amendment(data=data, principal=by)
    if inventory is None:
        raise AmendmentRejected(
            {"invt_no": [_("None of your lists has this number.")]}, status=404, reason="not_found"
        )
    apply = tasks.cancel_list if kind == DocumentKind.CANCEL else tasks.apply_return
    try:
        return apply(inventory.pk, data, enterprise.pk, user_id)
    except tasks.AmendmentRefused as exc:
        rejected = AmendmentRejected(exc.errors, code=exc.code, status=exc.status, reason="refused")
        rejected.inventory_id = inventory.pk
        raise rejected from None


def amendments_submit(*, kind: str, documents: Sequence[Any], by: Principal) -> list[IntakeResult]:
    """CEB623 cancels or CEB625 returns, one answer per document in order (for the CEB XML endpoint)."""
    results: list[IntakeResult] = []
    for index, document in enumerate(documents):
        key = (
            {name: (document.get(name) or "") for name in ("ebc_code", "cop_no", "invt_no")}
            if isinstance(document, dict)
            else {}
        )
        try:
            obj, created = amendment_submit(kind=kind, document=document, by=by)
        except AmendmentRejected as exc:
            results.append(
                IntakeResult(
                    index,
                    "rejected",
                    key,
                    id=exc.inventory_id,
                    errors=exc.errors,
                    return_status=exc.code,
                    return_info=_summary(exc.errors),
                )
            )
            continue
        cancel = kind == DocumentKind.CANCEL
        results.append(
            IntakeResult(
                index,
                "accepted" if created else "duplicate",
                key,
                id=obj.inventory_id,
                return_status="800" if cancel else "120",
                return_info=_("Cancellation approved.") if cancel else _("Return accepted: goods due back."),
            )
        )
    return results


def _summary(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())[:1000]


# The head of a cancel (CEB623) or return (CEB625) is the list's own: its declarant adds the reason.
AMENDMENT_FIELDS = (
    "customs_code",
    "order_no",
    "ebp_code",
    "ebp_name",
    "ebc_code",
    "ebc_name",
    "logistics_no",
    "logistics_code",
    "logistics_name",
    "cop_no",
    "pre_no",
    "invt_no",
    "buyer_id_type",
    "buyer_id_number",
    "buyer_name",
    "buyer_telephone",
    "agent_code",
    "agent_name",
)


def amendment_for_list(inventory: InventoryList, *, reason: str, lines: list[dict] | None = None) -> dict:
    """A CEB623 (without `lines`) or CEB625 document for `inventory`, as its declarant would send it."""
    data: dict[str, Any] = {name: getattr(inventory, name) for name in AMENDMENT_FIELDS}
    data.update(
        guid=new_guid(),
        app_type="1",
        app_time=timezone.localtime().strftime("%Y%m%d%H%M%S"),
        app_status="2",
        reason=reason,
    )
    if lines is not None:
        data["items"] = lines
    return data

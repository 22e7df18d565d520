"""Storing a batch of documents of one kind in one transaction, idempotent on the natural key and
answered with receipts; and the CEB513 waybill status."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from sharing.choices import BusinessCode, EnterpriseRole
from sharing.models import Enterprise
from sharing.principal import Principal
from singlewindow.core.api import flatten_errors
from singlewindow.core.db import insert_rows, new_row, reserve_ids, update_rows
from singlewindow.core.texts import Text, gettext_noop

from .. import schemas
from ..choices import (
    FROZEN_STATUSES,
    AppStatus,
    AppType,
    DocumentKind,
    InventoryStatus,
    ReceiptSource,
    ReturnStatus,
)
from ..models import LIVE_LIST, ExportInventoryList, InventoryList, Receipt, Waybill
from ..signals import waybill_signed
from .identity import content_hash, natural_key, natural_key_fields, natural_key_text
from .parties import normalise
from .rematch import request_match, wake_clearance
from .specs import (
    EXPORT_KINDS,
    LIST_KINDS,
    MAX_BATCH,
    SPECS,
    DocumentSpec,
    IntakeForbidden,
    IntakeResult,
    errors_text,
)
from .validation import agent_mandates, authorisation_errors, owns_code, validate_documents


def _existing_by_key(spec: DocumentSpec, keys: set[tuple[str, ...]]) -> dict[tuple[str, ...], Any]:
    if not keys:
        return {}
    # Locked: a change must not overwrite what the pipeline writes to the same row meanwhile.
    rows = spec.model.objects.select_for_update().filter(
        **{f"{name}__in": {k[n] for k in keys} for n, name in enumerate(spec.key_fields)}
    )
    found = {tuple(getattr(r, name) for name in spec.key_fields): r for r in rows}
    return {key: row for key, row in found.items() if key in keys}


def _frozen_keys(spec: DocumentSpec, documents: list[Any]) -> set[int]:
    """Ids of existing documents that may no longer change: their list has been dispatched."""
    if not documents:
        return set()
    model = ExportInventoryList if spec.kind in EXPORT_KINDS else InventoryList
    # A cancelled or rejected list no longer holds its documents: they may change for the next list.
    frozen = model.objects.filter(LIVE_LIST, status__in=FROZEN_STATUSES)
    if spec.kind in LIST_KINDS:
        return {d.pk for d in documents if d.status in FROZEN_STATUSES}
    if spec.kind in (DocumentKind.WAYBILL, DocumentKind.EXPORT_WAYBILL):
        hits = set(
            frozen.filter(
                logistics_code__in={d.logistics_code for d in documents},
                logistics_no__in=[d.logistics_no for d in documents],
            ).values_list("logistics_code", "logistics_no")
        )
        return {d.pk for d in documents if (d.logistics_code, d.logistics_no) in hits}
    hits = set(
        frozen.filter(
            ebp_code__in={d.ebp_code for d in documents}, order_no__in=[d.order_no for d in documents]
        ).values_list("ebp_code", "order_no")
    )
    return {d.pk for d in documents if (d.ebp_code, d.order_no) in hits}


def submit(*, kind: str, documents: Sequence[Any], by: Principal) -> list[IntakeResult]:
    """Store a batch of documents of one kind; one IntakeResult per document, in order.

    Idempotent on the natural key: the same content again returns the first receipt and creates
    nothing; different content is a change (app_type 2), allowed until the list is dispatched.
    One bad document never loses the good ones.
    """
    results, valid = check(kind=kind, documents=documents, by=by)
    store(kind=kind, enterprise=by.enterprise, valid=valid, results=results)
    return results


def store(
    *,
    kind: str,
    enterprise: Enterprise,
    valid: list[tuple[int, dict[str, Any]]],
    results: list[IntakeResult],
) -> None:
    """Store the documents `check` found valid (one per natural key), filling in their results."""
    for attempt in range(3):
        try:
            _store(SPECS[kind], enterprise, valid, results)
            break
        except IntegrityError:
            # A concurrent request inserted the same natural key between our read and write:
            # classify again against what is now stored.
            if attempt == 2:
                raise


def check(
    *, kind: str, documents: Sequence[Any], by: Principal, repeats: bool = False
) -> tuple[list[IntakeResult], list[tuple[int, dict[str, Any]]]]:
    """What intake decides without the database's stored documents: may the caller submit this kind
    (IntakeForbidden if not), the fields of each document, its parties, and (unless `repeats`, for
    documents received one at a time) a natural key sent twice in the call. One IntakeResult per
    document (rejected ones final) and the valid (index, data)."""
    spec = SPECS[kind]
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved:
        raise IntakeForbidden(gettext_lazy("Only an approved enterprise may submit documents."))
    if not any(enterprise.has_role(role) for role in spec.roles):
        raise IntakeForbidden(
            gettext_lazy("Your enterprise's roles do not include submitting this document.")
        )
    if len(documents) > MAX_BATCH:
        raise ValueError(_("A batch has at most %(n)d documents.") % {"n": MAX_BATCH})

    mandates = agent_mandates(enterprise) if spec.kind in LIST_KINDS else frozenset()
    results: list[IntakeResult] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, ...], int] = {}
    checked = validate_documents(kind, documents)
    normalise(kind, [data for data, errors in checked if data is not None and not errors])
    for index, (data, errors) in enumerate(checked):
        if data is not None and not errors:
            errors = authorisation_errors(spec, enterprise, data, mandates)
        if data is not None and not errors and not repeats:
            key = natural_key(spec, data)
            if key in seen:
                errors = {
                    spec.key_fields[-1]: [
                        _("The same document appears twice in this batch (first at index %(i)d).")
                        % {"i": seen[key]}
                    ]
                }
            seen[key] = index
        result = IntakeResult(
            index=index, outcome="rejected", natural_key=natural_key_fields(spec, data), errors=errors
        )
        results.append(result)
        if not errors:
            valid.append((index, data))
        else:
            result.return_status = ReturnStatus.REJECTED
            result.return_info = errors_text(errors)
    return results, valid


@transaction.atomic
def _store(
    spec: DocumentSpec,
    enterprise: Enterprise,
    valid: list[tuple[int, dict[str, Any]]],
    results: list[IntakeResult],
) -> None:
    existing = _existing_by_key(spec, {natural_key(spec, data) for _i, data in valid})
    frozen = _frozen_keys(spec, list(existing.values()))
    now = timezone.now()
    new_rows: list[tuple[int, dict[str, Any], Any]] = []
    changed: list[tuple[int, dict[str, Any], Any]] = []
    for index, data in valid:
        digest = content_hash(data)
        current = existing.get(natural_key(spec, data))
        result = results[index]
        declared = _declared(data)
        if current is None:
            if data.get("app_type") == AppType.CHANGE:
                _refuse(result, spec.key_fields[-1], spec.unknown_error)
            else:
                new_rows.append((index, data, _instance(spec, enterprise, data, digest)))
        elif current.submitted_by_id != enterprise.pk:
            # Checked first, and answered without the document's id or state: nothing of another
            # enterprise's document is revealed.
            _refuse(result, spec.key_fields[-1], "", _("Another enterprise submitted this document."))
        elif current.content_hash == digest:
            result.outcome, result.id = "duplicate", current.pk
        elif current.app_status == AppStatus.SAVED:
            # A saved-only document (暂存) is the filer's draft: any new version replaces it.
            changed.append((index, data, _apply_change(spec, current, data, digest)))
        elif data.get("app_type") != AppType.CHANGE:
            # DOMAIN 1.5: app_type 1 is a new document; other content under a stored key is a change,
            # which says so (app_type 2), or a mistake the e-port refuses (-301010 and its kin).
            result.id = current.pk
            _refuse(result, spec.key_fields[-1], spec.exists_error)
        elif not declared:
            result.id = current.pk
            _refuse(
                result,
                "app_status",
                "",
                _("The document is declared already; a change is declared too (app_status 2)."),
            )
        elif current.pk in frozen:
            result.id = current.pk
            _refuse(
                result,
                spec.key_fields[-1],
                spec.change_error,
                _("This document belongs to a list already sent to the agencies; it can no longer change."),
            )
        else:
            changed.append((index, data, _apply_change(spec, current, data, digest)))
    if spec.kind in LIST_KINDS:
        new_rows, changed = _refuse_taken_documents(spec, new_rows, changed, results)

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

    touched = [(i, data) for i, data in valid if results[i].outcome in ("accepted", "changed")]
    receipts = []
    for index, data in touched:
        result = results[index]
        key_text = natural_key_text(spec, tuple(result.natural_key.values()))
        for status, info in _intake_sequence(
            spec.kind in LIST_KINDS, result.outcome == "changed", _declared(data)
        ):
            receipts.append(
                Receipt.new(
                    enterprise_id=enterprise.pk,
                    kind=spec.kind,
                    document_id=result.id,
                    natural_key=key_text,
                    status=status,
                    info=info,
                )
            )
    by_document = {receipt.document_id: receipt for receipt in insert_rows(receipts)}  # the last of each
    for index, _data in touched:
        result = results[index]
        result.receipt = by_document[result.id]
        result.return_status, result.return_info = result.receipt.return_status, result.receipt.info
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
                    result.receipt.info,
                )
    # Saved-only documents (app_status 1) go no further until they are declared.
    if spec.kind in LIST_KINDS:
        # New lists were written already asking for a match: only changed ones need the request.
        rematch = [data for i, data in touched if results[i].outcome == "changed" and _declared(data)]
        declared = sum(1 for _i, data, _row in new_rows if _declared(data))
        if declared:
            wake_clearance(spec.kind, lists=declared)
    else:
        rematch = [data for _i, data in touched if _declared(data)]
    if rematch:
        request_match(spec.kind, rematch)


def _declared(data: dict[str, Any]) -> bool:
    return data.get("app_status", AppStatus.DECLARED) == AppStatus.DECLARED


def _refuse(result: IntakeResult, field: str, code: str, message: str | None = None) -> None:
    """A document refused by a business rule: its negative code (DOMAIN 4.3) as the returnStatus, or
    100 when the rule has none, and the reason on the field, in the caller's language."""
    text = message or str(BusinessCode(code).label)
    result.outcome = "rejected"
    result.errors = {field: [text]}
    result.return_status = code or ReturnStatus.REJECTED
    result.return_info = f"{field}: {text}"[:1000]


SAVED_ONLY = Text(gettext_noop("Saved (not declared); send it with app_status 2 to declare it."))
STORED = Text(gettext_noop("Declared."))
STORED_CHANGED = Text(gettext_noop("Declared; changes applied."))
SENT = Text(gettext_noop("Sent to customs."))
ACCEPTED = Text(gettext_noop("Accepted into the customs system."))


def _intake_sequence(is_list: bool, changed: bool, declared: bool) -> list[tuple[str, Text]]:
    """The receipts intake writes (DOMAIN 4.1): a saved-only document 1; a declared list 2 (the
    pipeline takes it on); an order, payment or waybill 2 -> 3 -> 120 (the window is its e-port and
    customs' store)."""
    if not declared:
        steps: list[tuple[str, Text]] = [(ReturnStatus.SAVED, SAVED_ONLY)]
    elif is_list:
        steps = [(ReturnStatus.DECLARING, STORED_CHANGED if changed else STORED)]
    else:
        steps = [
            (ReturnStatus.DECLARING, STORED_CHANGED if changed else STORED),
            (ReturnStatus.SENT, SENT),
            (ReturnStatus.ACCEPTED, ACCEPTED),
        ]
    return steps


def _refuse_taken_documents(
    spec: DocumentSpec,
    new_rows: list[tuple[int, dict[str, Any], Any]],
    changed: list[tuple[int, dict[str, Any], Any]],
    results: list[IntakeResult],
) -> tuple[list[tuple[int, dict[str, Any], Any]], list[tuple[int, dict[str, Any], Any]]]:
    """R10, 5.1: an order and a waybill belong to at most one live list. Declared lists naming an order
    or a waybill another live list holds (stored, or earlier in this batch) are refused; two queries
    for the batch. The partial unique indexes on the lists are the backstop against a concurrent call."""
    declared = [entry for entry in new_rows + changed if _declared(entry[1])]
    if not declared:
        return new_rows, changed
    exported = spec.kind == DocumentKind.EXPORT_INVENTORY
    model = ExportInventoryList if exported else InventoryList
    codes = (
        (BusinessCode.EXPORT_ORDER_ON_ANOTHER_LIST, BusinessCode.EXPORT_WAYBILL_ON_ANOTHER_LIST)
        if exported
        else (BusinessCode.ORDER_ON_ANOTHER_LIST, BusinessCode.WAYBILL_ON_ANOTHER_LIST)
    )
    live = model.objects.filter(LIVE_LIST)
    orders = {
        (e, o): pk
        for pk, e, o in live.filter(
            ebp_code__in={d["ebp_code"] for _i, d, _r in declared},
            order_no__in={d["order_no"] for _i, d, _r in declared},
        ).values_list("pk", "ebp_code", "order_no")
    }
    waybills = {
        (c, n): pk
        for pk, c, n in live.filter(
            logistics_code__in={d["logistics_code"] for _i, d, _r in declared},
            logistics_no__in={d["logistics_no"] for _i, d, _r in declared},
        ).values_list("pk", "logistics_code", "logistics_no")
    }
    refused: set[int] = set()
    for index, data, row in declared:
        order_key = (data["ebp_code"], data["order_no"])
        waybill_key = (data["logistics_code"], data["logistics_no"])
        holder = orders.get(order_key)
        if holder is not None and holder != row.pk:
            _refuse(results[index], "order_no", codes[0])
        elif (holder := waybills.get(waybill_key)) is not None and holder != row.pk:
            _refuse(results[index], "logistics_no", codes[1])
        else:
            # Held from here on, for the lists after it in the batch (a new list has no id yet: -index).
            orders[order_key] = waybills[waybill_key] = row.pk if row.pk is not None else -1 - index
            continue
        refused.add(index)
    if not refused:
        return new_rows, changed
    return (
        [entry for entry in new_rows if entry[0] not in refused],
        [entry for entry in changed if entry[0] not in refused],
    )


CLOSED = Text(gettext_noop("Closed: the consignee signed for the goods."))
SIGNED_FOR = Text(gettext_noop("Signed for."))


def _close(inventory: InventoryList) -> None:
    """A released list whose goods were signed for is closed (899, DOMAIN 4.1)."""
    if inventory.return_status != ReturnStatus.RELEASED:
        return
    inventory.return_status = ReturnStatus.CLOSED
    inventory.save(update_fields=["return_status", "updated_at"])
    Receipt.new(
        enterprise_id=inventory.submitted_by_id,
        kind=DocumentKind.INVENTORY,
        document_id=inventory.pk,
        source=ReceiptSource.CUSTOMS,
        natural_key=f"{inventory.ebc_code}/{inventory.cop_no}",
        status=ReturnStatus.CLOSED,
        info=CLOSED,
    ).save()


def _pre_no(pk: int, now: datetime.datetime) -> str:
    return f"B{now:%Y%m%d}{pk % 1_000_000_000:09d}"


def _prepare_new_lists(rows: list[Any], now: datetime.datetime) -> None:
    """New lists take their ids first (where the database hands them out), so that the preliminary
    number derived from the id and the request for a match go in with the row."""
    ids = reserve_ids(type(rows[0]), len(rows))
    for index, row in enumerate(rows):
        declared = row.app_status == AppStatus.DECLARED
        row.match_requested_at = now if declared else None
        row.return_status = ReturnStatus.DECLARING if declared else ReturnStatus.SAVED
        if ids is not None:
            row.pk = ids[index]
            row.pre_no = _pre_no(row.pk, now)


def _instance(spec: DocumentSpec, enterprise: Enterprise, data: dict[str, Any], digest: str) -> Any:
    head = {k: v for k, v in data.items() if k != "items"}
    return new_row(spec.model, **head, submitted_by_id=enterprise.pk, content_hash=digest)


def _apply_change(spec: DocumentSpec, current: Any, data: dict[str, Any], digest: str) -> Any:
    for name, value in data.items():
        if name != "items":
            setattr(current, name, value)
    current.app_type = AppType.CHANGE
    current.content_hash = digest
    if spec.kind in LIST_KINDS:
        # A new version of the list starts its receipts again (DOMAIN 4.1): declared, or saved only.
        current.return_status = ReturnStatus.DECLARING if _declared(data) else ReturnStatus.SAVED
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


def waybill_sign_for(*, documents: Sequence[Any], by: Principal) -> list[IntakeResult]:
    """CEB513: the consignee signed for the parcel. Updates the waybill's status; idempotent."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not enterprise.has_role(EnterpriseRole.LOGISTICS):
        raise IntakeForbidden(gettext_lazy("Only a logistics enterprise may report waybill status."))
    results: list[IntakeResult] = []
    schema = schemas.WaybillStatusSchema()
    checked: list[tuple[int, dict[str, Any]]] = []
    for index, document in enumerate(documents):
        try:
            checked.append((index, schema.run_validation(document)))
        except serializers.ValidationError as exc:
            results.append(
                IntakeResult(
                    index,
                    "rejected",
                    {},
                    errors=flatten_errors(exc.detail),
                    return_status=ReturnStatus.REJECTED,
                )
            )
    normalise(DocumentKind.WAYBILL_STATUS, [data for _i, data in checked])  # as every document
    for index, data in checked:
        key = {"logistics_code": data["logistics_code"], "logistics_no": data["logistics_no"]}
        if not owns_code(enterprise, data["logistics_code"]):
            results.append(
                IntakeResult(
                    index,
                    "rejected",
                    key,
                    errors={"logistics_code": [_("You may report only your own waybills.")]},
                    return_status=ReturnStatus.REJECTED,
                )
            )
            continue
        with transaction.atomic():
            waybill = Waybill.objects.select_for_update().filter(**key, app_status=AppStatus.DECLARED).first()
            # Only goods customs released can be signed for (CEB513 follows 800), and the list closes.
            released = (
                InventoryList.objects.select_for_update()
                .filter(**key, status=InventoryStatus.RELEASED)
                .first()
                if waybill is not None
                else None
            )
            if waybill is None or released is None:
                refusal = IntakeResult(index, "rejected", key)
                _refuse(
                    refusal,
                    "logistics_no",
                    BusinessCode.WAYBILL_NOT_FOUND if waybill is None else BusinessCode.WAYBILL_NOT_RELEASED,
                )
                results.append(refusal)
                continue
            if waybill.logistics_status == "S":
                outcome = "duplicate"
            else:
                waybill.logistics_status, waybill.logistics_time = "S", data["logistics_time"]
                waybill.save(update_fields=["logistics_status", "logistics_time", "updated_at"])
                waybill_signed.send(sender=Waybill, waybill=waybill, signed_at=data["logistics_time"])
                _close(released)
                outcome = "accepted"
            receipt = Receipt.objects.filter(kind=DocumentKind.WAYBILL_STATUS, document_id=waybill.pk).first()
            if receipt is None:
                receipt = Receipt.new(
                    enterprise_id=enterprise.pk,
                    kind=DocumentKind.WAYBILL_STATUS,
                    document_id=waybill.pk,
                    natural_key=f"{waybill.logistics_code}/{waybill.logistics_no}",
                    status=ReturnStatus.ACCEPTED,
                    info=SIGNED_FOR,
                )
                receipt.save()
        results.append(
            IntakeResult(
                index,
                outcome,
                key,
                id=waybill.pk,
                receipt=receipt,
                return_status=receipt.return_status,
                return_info=receipt.info,
            )
        )
    return sorted(results, key=lambda result: result.index)

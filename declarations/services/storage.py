"""Storing a batch of documents of one kind in one transaction, idempotent on the natural key and
answered with receipts; and the CEB513 waybill status."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from sharing.choices import EnterpriseRole
from sharing.models import Enterprise
from sharing.principal import Principal
from singlewindow.core.api import flatten_errors
from singlewindow.core.db import insert_rows, new_row, reserve_ids, update_rows

from .. import schemas
from ..choices import FROZEN_STATUSES, AppType, DocumentKind, ReceiptSource, ReturnStatus
from ..guids import new_guid
from ..models import ExportInventoryList, InventoryList, Receipt, Waybill
from ..signals import waybill_signed
from .identity import content_hash, natural_key, natural_key_fields, natural_key_text
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
            errors = authorisation_errors(spec, enterprise, data, mandates)
        if data is not None and not errors:
            key = natural_key(spec, data)
            if key in seen:
                errors = {
                    spec.key_fields[1]: [
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
    existing = _existing_by_key(spec, {natural_key(spec, data) for _i, data in valid})
    frozen = _frozen_keys(spec, list(existing.values()))
    now = timezone.now()
    new_rows: list[tuple[int, dict[str, Any], Any]] = []
    changed: list[tuple[int, dict[str, Any], Any]] = []
    for index, data in valid:
        digest = content_hash(data)
        current = existing.get(natural_key(spec, data))
        result = results[index]
        if current is None:
            new_rows.append((index, data, _instance(spec, enterprise, data, digest)))
        elif current.submitted_by_id != enterprise.pk:
            # Checked first, and answered without the document's id or state: nothing of another
            # enterprise's document is revealed.
            result.outcome = "rejected"
            result.errors = {spec.key_fields[1]: [_("Another enterprise submitted this document.")]}
            result.return_status = ReturnStatus.REJECTED
            result.return_info = result.errors[spec.key_fields[1]][0]
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
            natural_key=natural_key_text(spec, tuple(r.natural_key.values())),
            return_status=ReturnStatus.ACCEPTED if spec.kind not in LIST_KINDS else ReturnStatus.DECLARING,
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
            wake_clearance(spec.kind)
    else:
        rematch = [data for i, data in valid if results[i].outcome in ("accepted", "changed")]
    if rematch:
        request_match(spec.kind, rematch)


def _pre_no(pk: int, now: datetime.datetime) -> str:
    return f"B{now:%Y%m%d}{pk % 1_000_000_000:09d}"


def _prepare_new_lists(rows: list[Any], now: datetime.datetime) -> None:
    """New lists take their ids first (where the database hands them out), so that the preliminary
    number derived from the id and the request for a match go in with the row."""
    ids = reserve_ids(type(rows[0]), len(rows))
    for index, row in enumerate(rows):
        row.match_requested_at = now
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
        raise IntakeForbidden(_("Only a logistics enterprise may report waybill status."))
    results = []
    schema = schemas.WaybillStatusSchema()
    for index, document in enumerate(documents):
        try:
            data = schema.run_validation(document)
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
            continue
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
                waybill_signed.send(sender=Waybill, waybill=waybill, signed_at=data["logistics_time"])
                outcome = "accepted"
            receipt = Receipt.objects.filter(kind=DocumentKind.WAYBILL_STATUS, document_id=waybill.pk).first()
            if receipt is None:
                receipt = Receipt.objects.create(
                    enterprise=enterprise,
                    kind=DocumentKind.WAYBILL_STATUS,
                    document_id=waybill.pk,
                    natural_key=f"{waybill.logistics_code}/{waybill.logistics_no}",
                    return_status=ReturnStatus.ACCEPTED,
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

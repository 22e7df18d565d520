"""CEB623 cancels and CEB625 returns of import lists: validated here, applied at once by the clearance
pipeline (run by task name), answered like intake."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from sharing.principal import Principal
from singlewindow.core.api import flatten_errors
from singlewindow.core.broker import run_named
from singlewindow.core.errors import ServiceError

from .. import schemas, selectors
from ..choices import AppType, DocumentKind, ReturnStatus
from ..codes import code_errors
from ..guids import new_guid
from ..models import InventoryCancel, InventoryList, InventoryRefund
from ..models.amendments import LIST_HEAD_FIELDS
from .parties import normalise
from .specs import IntakeForbidden, IntakeResult, errors_text


class AmendmentRejected(ServiceError):
    """A cancel or return refused: `.fields` names the fields; `.code` is the API's short code
    ("invalid", "not_found", "refused"), `.status` the HTTP answer and `.return_status` the CEB status of
    the receipt. `.inventory_id` is the list's once it is found."""

    def __init__(
        self,
        fields: Mapping[str, Sequence[str]],
        *,
        code: str = "invalid",
        status: int = 400,
        return_status: str = ReturnStatus.REJECTED,
        inventory_id: int | None = None,
    ) -> None:
        super().__init__(fields, code=code, status=status)
        self.return_status = return_status
        self.inventory_id = inventory_id


# The pipeline's tasks that apply an amendment, by registered name: declarations never imports it.
APPLY_TASKS = {DocumentKind.CANCEL: "clearance.cancel_list", DocumentKind.REFUND: "clearance.apply_return"}
# The returnStatus of a return whose goods did not come back in time (the pipeline's -625005).
RETURN_EXPIRED = "-625005"


def amendment_apply(
    *,
    kind: str,
    inventory_id: int,
    data: dict[str, Any],
    enterprise_id: int,
    user_id: int | None,
    api_key_prefix: str | None = None,
) -> tuple[Any, bool]:
    """Apply a validated cancel or return of a list its declarant names, at once, in the pipeline.
    Returns (the cancel or return, created); a refusal raises the pipeline's ServiceError, whose `.code`
    is the receipt's CEB status. The user or the partner's key (by prefix) is the audit trail's actor."""
    return run_named(
        APPLY_TASKS[kind],
        inventory_id=inventory_id,
        data=data,
        enterprise_id=enterprise_id,
        user_id=user_id,
        api_key_prefix=api_key_prefix,
    )


def goods_back(*, refund_id: int, user_id: int | None, api_key_prefix: str | None = None) -> InventoryRefund:
    """The returned goods are back (said by whom `selectors.confirms_goods` allows): the pipeline gives
    back quota and tax and restocks, or expires the return when they came back too late."""
    return run_named(
        "clearance.return_goods_back", refund_id=refund_id, user_id=user_id, api_key_prefix=api_key_prefix
    )


def amendment_submit(
    *, kind: str, document: Any, by: Principal, user_id: int | None = None
) -> tuple[Any, bool]:
    """One CEB623 cancel or CEB625 return of one of the caller's lists (as its e-commerce enterprise,
    declaring agent or submitter; another's list is not found), applied at once by the clearance
    pipeline, which stores the list's head, not the one sent (a head differing from the list's is
    refused on its field). Returns (the cancel or return, created): a cancel is idempotent per list, a
    return per list, guid and lines."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved:
        raise IntakeForbidden(gettext_lazy("Only an approved enterprise may submit documents."))
    schema = schemas.ListAmendmentSchema() if kind == DocumentKind.CANCEL else schemas.RefundSchema()
    try:
        data = schema.run_validation(document)
    except serializers.ValidationError as exc:
        raise AmendmentRejected(flatten_errors(exc.detail)) from None
    if errors := code_errors(kind, data):  # the code tables, as for every other document
        raise AmendmentRejected(errors)
    normalise(kind, [data])  # as every other document: the head is then compared with the list's
    inventory = selectors.list_for_amendment(data=data, principal=by)
    if inventory is None:
        raise AmendmentRejected(
            {"invt_no": [_("None of your lists has this number.")]}, code="not_found", status=404
        )
    try:
        return amendment_apply(
            kind=kind,
            inventory_id=inventory.pk,
            data=data,
            enterprise_id=enterprise.pk,
            user_id=user_id,
            api_key_prefix=by.api_key.prefix if by.api_key is not None else None,
        )
    except ServiceError as exc:  # the pipeline's refusal: its code is the receipt's CEB status
        raise AmendmentRejected(
            exc.errors,
            code="refused",
            status=exc.status,
            return_status=exc.code,
            inventory_id=inventory.pk,
        ) from None


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
                    return_status=exc.return_status,
                    return_info=errors_text(exc.errors),
                )
            )
            continue
        status, info = amendment_answer(obj)
        results.append(
            IntakeResult(
                index,
                "accepted" if created else "duplicate",
                key,
                id=obj.inventory_id,
                return_status=status,
                return_info=info,
            )
        )
    return results


# The head of a cancel (CEB623) or return (CEB625) is the list's own: its declarant adds the reason.
AMENDMENT_FIELDS = LIST_HEAD_FIELDS


def amendment_answer(obj: InventoryCancel | InventoryRefund) -> tuple[str, str]:
    """The CEB624/626 returnStatus and text a cancel or return stands at: 399 once concluded (cancelled,
    or the goods back), 120 while a return waits for its goods; never 800, which is a list's release."""
    if isinstance(obj, InventoryCancel):
        return ReturnStatus.REVIEW_CONCLUDED, _("Cancellation approved.")
    if obj.state == InventoryRefund.State.COMPLETED:
        return ReturnStatus.REVIEW_CONCLUDED, _("Return completed: goods back, tax and quota given back.")
    if obj.state == InventoryRefund.State.EXPIRED:
        return RETURN_EXPIRED, _("Return expired: the goods did not come back within 45 days.")
    return ReturnStatus.ACCEPTED, _("Return accepted: goods due back.")


def amendment_for_list(inventory: InventoryList, *, reason: str, lines: list[dict] | None = None) -> dict:
    """A CEB623 (without `lines`) or CEB625 document for `inventory`, as its declarant would send it:
    the elements in the order of the message (DOMAIN 2.6), the head the list's own."""
    data: dict[str, Any] = {
        "guid": new_guid(),
        "app_type": AppType.NEW,
        "app_time": timezone.localtime().strftime("%Y%m%d%H%M%S"),
        "app_status": "2",
        **{name: getattr(inventory, name) for name in AMENDMENT_FIELDS},
        "reason": reason,
    }
    if lines is not None:
        data["items"] = lines
    return data

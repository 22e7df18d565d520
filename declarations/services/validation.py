"""Validation of each document on its own (its schema) and of who may submit it (roles, own codes, an
agent's mandates)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from sharing.choices import EnterpriseRole
from sharing.models import AgentMandate, Enterprise
from sharing.selectors import valid_codes
from singlewindow.core.api import flatten_errors

from .. import schemas
from ..codes import code_errors
from .specs import SPECS, DocumentSpec


def owns_code(enterprise: Enterprise, code_value: str) -> bool:
    # Enterprise-code fields accept the 10-character customs code or the 18-character USCC.
    return code_value in (enterprise.customs_code, enterprise.uscc)


def authorisation_errors(
    spec: DocumentSpec, enterprise: Enterprise, data: dict[str, Any], mandates: set[str] = frozenset()
) -> dict[str, list[str]]:
    allowed = [role for role in spec.roles if enterprise.has_role(role)]
    for role in allowed:
        if owns_code(enterprise, data[spec.own_code_field[role]]):
            if (
                role == EnterpriseRole.AGENT
                and not owns_code(enterprise, data["ebc_code"])
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
    the errors. A document that passed its schema has its codes checked against the code tables
    (`declarations.codes`): one valid today in its table for each code field, or the field's error.
    """
    spec = SPECS[kind]
    schema = None  # the DRF schema, built only for a document the fast path does not pass
    fast = schemas.FastValidator.of(spec.schema)
    codes = valid_codes()  # once per batch: then a set lookup per field
    out: list[tuple[dict | None, dict[str, list[str]]]] = []
    for document in documents:
        if not isinstance(document, dict):
            out.append((None, {"non_field_errors": [_("Each document must be a JSON object.")]}))
            continue
        data = fast.validate(document)
        if data is None:
            schema = schema or spec.schema()
            try:
                data = schema.run_validation(document)
            except serializers.ValidationError as exc:
                out.append((None, flatten_errors(exc.detail)))
                continue
        errors = code_errors(kind, data, codes)
        out.append((None, errors) if errors else (data, {}))
    return out

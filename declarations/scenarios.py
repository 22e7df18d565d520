"""Sandbox scenarios at intake: the outcome a partner asks of a sandbox document, read from the
`X-Sandbox-Scenario` header (every document of the request) or a document's `sandbox_scenario` field.

The scenario is stored on the document and travels with the list to the simulated agencies
(`sharing.adapters.base.scenario_decision`), so the real clearance path produces the outcome. A live
key's request naming one is refused (400 on `sandbox_scenario`): production never takes a test outcome.
"""

import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from sharing.choices import AgencyCode
from singlewindow.core import sandbox
from singlewindow.core.errors import ServiceError

from .services import IntakeResult
from .services.specs import SPECS

FIELD = "sandbox_scenario"
HEADER = "HTTP_X_SANDBOX_SCENARIO"
_AGENCIES = "|".join((AgencyCode.CUSTOMS, AgencyCode.INSPECTION, AgencyCode.TAX, AgencyCode.FOREX))
# inspect | hold | reject:<negative business code, DOMAIN 4.3> | timeout:<agency>
VALID = re.compile(rf"^(inspect|hold|reject:-[1-9][0-9]{{3,5}}|timeout:({_AGENCIES}))$")


def _take(document: Any) -> Any:
    """The document's scenario, taken out of a parsed JSON object; read only from a form body (an
    immutable QueryDict), which intake then refuses as it refuses any non-JSON document."""
    if type(document) is dict:
        return document.pop(FIELD, "")
    return document.get(FIELD, "") if isinstance(document, dict) else ""


def requested(meta: dict[str, Any], documents: Sequence[Any]) -> list[str] | None:
    """Each document's scenario (taken out of its data), or None when none was asked for."""
    header = str(meta.get(HEADER, "")).strip()
    own = [str(_take(d) or "").strip() for d in documents]
    wanted = [mine or header for mine in own]
    if not any(wanted):
        return None
    if not sandbox.active():
        raise ServiceError(
            {FIELD: [_("Scenarios are for sandbox keys only: a live key declares for real.")]},
            "sandbox_only",
        )
    for scenario in wanted:
        if scenario and not VALID.match(scenario):
            raise ServiceError(
                {
                    FIELD: [
                        _(
                            "Unknown scenario %(value)s: use inspect, hold, reject:<negative code> or "
                            "timeout:<customs|inspection|tax|forex>."
                        )
                        % {"value": scenario[:40]}
                    ]
                }
            )
    return wanted


def apply(kind: str, results: Sequence[IntakeResult], wanted: Sequence[str]) -> None:
    """Keep each stored document's scenario (before its commit starts the pipeline)."""
    model = SPECS[kind].model
    for result in results:
        if result.id is not None and wanted[result.index]:
            model.objects.filter(pk=result.id).update(sandbox_scenario=wanted[result.index])


# The API docs: the header, and one example per scenario (drf-spectacular).
SCENARIO_HELP = (
    "Sandbox keys only (a live key is refused, 400 on `sandbox_scenario`): the outcome the simulated "
    "agencies give the sandbox list. `inspect`: customs selects it for inspection (500). "
    "`reject:<code>`: customs refuses it with that negative business code (DOMAIN 4.3), e.g. "
    "`reject:-621018`. `timeout:<customs|inspection|tax|forex>`: that agency does not answer; the list "
    "stays dispatched. `hold`: the risk step holds it for an official (300). The header applies to "
    "every document of the request; a document's own `sandbox_scenario` field wins."
)
_EXAMPLES = (
    ("Sandbox: force inspection", "inspect"),
    ("Sandbox: refused with a chosen code", "reject:-621018"),
    ("Sandbox: customs does not answer", "timeout:customs"),
    ("Sandbox: held for an official", "hold"),
)


def openapi_parameters() -> list:
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            "X-Sandbox-Scenario",
            OpenApiTypes.STR,
            location=OpenApiParameter.HEADER,
            required=False,
            description=SCENARIO_HELP,
            enum=["inspect", "reject:-621018", "timeout:customs", "hold"],
        )
    ]


def openapi_examples() -> list:
    from drf_spectacular.utils import OpenApiExample

    return [
        OpenApiExample(
            title,
            value={"cop_no": "SANDBOX-0001", "...": "the document's other fields", FIELD: scenario},
            request_only=True,
            description=SCENARIO_HELP if scenario == "inspect" else "",
        )
        for title, scenario in _EXAMPLES
    ]

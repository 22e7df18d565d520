"""What every simulated authority shares: the declared data it receives, the decisions it returns,
and the configurable latency and failure rate that let tests and benchmarks simulate outages.

Adapters see only the message and their own registers (passed in as context by the clearance
pipeline), as a real authority would; they never touch the portal's tables.
"""

import functools
import random
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings

from singlewindow.core.texts import Text, gettext_noop

from ..choices import ReturnStatus


class AgencyUnavailable(Exception):
    """The authority did not answer (timeout, outage): the call is retried with backoff."""


@dataclass(frozen=True)
class DeclaredLine:
    gnum: int
    gcode: str
    gname: str
    bar_code: str
    qty: Decimal
    total_price: Decimal
    country: str
    item_record_no: str = ""


@dataclass(frozen=True)
class DeclaredList:
    """An inventory list as sent to an agency, with what it needs of the order and payment."""

    id: int
    cop_no: str
    pre_no: str
    trade_mode: str
    customs_code: str
    ebp_code: str
    ebc_code: str
    agent_code: str
    logistics_code: str
    assure_code: str
    area_code: str
    ems_no: str
    buyer_id_number: str
    freight: Decimal
    insured_fee: Decimal
    tax_amount: Decimal
    order_tax_total: Decimal
    pay_code: str
    payer_id_number: str
    amount_paid: Decimal
    lines: tuple[DeclaredLine, ...] = field(default_factory=tuple)
    enterprise_id: int = 0  # the submitter, whom the receipts are for (not part of what agencies judge)
    scenario: str = ""  # a sandbox list's chosen outcome (SCENARIOS); empty for every live list

    def to_message(self) -> dict[str, Any]:
        """The list as sent to the agencies (JSON-ready), written once per batch."""
        return _message(self)

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> "DeclaredList":
        lines = tuple(_built(DeclaredLine, line, ("qty", "total_price")) for line in data["lines"])
        return _built(
            cls,
            {**data, "lines": lines},
            ("freight", "insured_fee", "tax_amount", "order_tax_total", "amount_paid"),
        )

    def as_payload(self) -> dict[str, Any]:
        return {
            "pre_no": self.pre_no,
            "cop_no": self.cop_no,
            "trade_mode": self.trade_mode,
            "tax_amount": str(self.tax_amount),
            "lines": len(self.lines),
        }


_D = TypeVar("_D", bound=Hashable)  # a frozen dataclass of this module


def _built(cls: type[_D], values: dict[str, Any], money: tuple[str, ...]) -> _D:
    """`cls(**values)` with the `money` fields read as Decimal. Each agency reads a batch's 500 lists, and
    a frozen dataclass's constructor sets every field through object.__setattr__: a message holding
    exactly the fields fills the instance directly; any other goes through the constructor (its
    defaults for a field the message lacks, its TypeError for one the class lacks)."""
    if values.keys() != _field_names(cls):
        return cls(**{k: (Decimal(v) if k in money else v) for k, v in values.items()})
    obj = object.__new__(cls)
    state = obj.__dict__
    state.update(values)
    for name in money:
        state[name] = Decimal(state[name])
    return obj


@functools.cache
def _field_names(cls: type[Any]) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def _message(declared: "DeclaredList | DeclaredExport") -> dict[str, Any]:
    """A declared list as JSON-ready data: amounts as strings, its lines likewise."""

    def plain(values: dict[str, Any]) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}

    data = plain({k: v for k, v in declared.__dict__.items() if k != "lines"})
    data["lines"] = [plain(line.__dict__) for line in declared.lines]
    return data


RELEASE, INSPECT, REJECT = "release", "inspect", "reject"


@dataclass(frozen=True)
class Decision:
    inventory_id: int
    outcome: str  # release | inspect | reject
    return_status: str  # a ReturnStatus, or a negative business code (DOMAIN 4.1, 4.3)
    # A Text where it has words, so the window keeps it in Chinese (CEB receipts) and in English.
    return_info: str | Text
    # e.g. the tax to draw from a guarantee, the USD to add to a payer's forex total
    amounts: dict[str, Decimal] = field(default_factory=dict)


def refused(inventory_id: int, code: str, info: str | Text) -> Decision:
    """A refusal with its business code: a negative code is the returnStatus itself (DOMAIN 4.1: "< 0,
    the code identifies the error"); anything else is a plain 100.

    The info is the reason alone: the code is the decision's return_status, which the fan-in makes
    the list's receipt's, so the enterprise reads it there in any language.
    """
    status = code if code.startswith("-") else ReturnStatus.REJECTED
    return Decision(inventory_id, REJECT, status, info)


def simulate_network(agency: str, lists: Sequence["DeclaredList | DeclaredExport"] = ()) -> None:
    """Latency and failures as configured (SINGLEWINDOW_ADAPTERS), to exercise retries and overlap;
    and the timeout a sandbox list asked of this agency (`timeout:<agency>`)."""
    if any(declared.scenario == f"timeout:{agency}" for declared in lists):
        raise AgencyUnavailable(f"{agency} did not answer (sandbox scenario)")
    config = getattr(settings, "SINGLEWINDOW_ADAPTERS", {}).get(agency, {})
    latency_ms = config.get("latency_ms", 0)
    if latency_ms:
        time.sleep(latency_ms / 1000)
    failure_rate = config.get("failure_rate", 0.0)
    if failure_rate and random.random() < failure_rate:  # noqa: S311 - simulation, not security
        raise AgencyUnavailable(f"{agency} did not answer (simulated failure)")


@dataclass(frozen=True)
class ExportLine:
    gnum: int
    gcode: str
    gname: str
    qty: Decimal
    total_price: Decimal
    currency: str


@dataclass(frozen=True)
class DeclaredExport:
    """An export list (CEB603) as sent to an agency, with what it needs of its receipt of payment."""

    id: int
    cop_no: str
    pre_no: str
    trade_mode: str
    statistics_flag: str
    customs_code: str
    ebp_code: str
    ebc_code: str
    agent_code: str
    logistics_code: str
    owner_code: str
    country: str
    warehouse_code: str
    license_no: str
    value_cny: Decimal
    receipt_currency: str = ""
    receipt_charge: Decimal = Decimal(0)
    pay_code: str = ""
    lines: tuple[ExportLine, ...] = field(default_factory=tuple)
    enterprise_id: int = 0
    scenario: str = ""  # a sandbox list's chosen outcome (SCENARIOS); empty for every live list

    def to_message(self) -> dict[str, Any]:
        """The list as sent to the agencies (JSON-ready), written once per batch."""
        return _message(self)

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> "DeclaredExport":
        lines = tuple(_built(ExportLine, line, ("qty", "total_price")) for line in data["lines"])
        return _built(cls, {**data, "lines": lines}, ("value_cny", "receipt_charge"))

    def as_payload(self) -> dict[str, Any]:
        return {
            "pre_no": self.pre_no,
            "cop_no": self.cop_no,
            "trade_mode": self.trade_mode,
            "value_cny": str(self.value_cny),
            "lines": len(self.lines),
        }


# --- sandbox scenarios ------------------------------------------------------------------------------

# What a partner may ask of a sandbox list (X-Sandbox-Scenario or `sandbox_scenario`): customs decides
# inspection or a refusal with a chosen business code, an agency does not answer, or the risk step holds
# the list for an official. Live lists never carry one (intake refuses the field outside the sandbox).
SCENARIO_INSPECT = "inspect"
SCENARIO_HOLD = "hold"
SCENARIO_REJECT = "reject"
SCENARIO_TIMEOUT = "timeout"
SCENARIOS = (SCENARIO_INSPECT, SCENARIO_HOLD, f"{SCENARIO_REJECT}:<code>", f"{SCENARIO_TIMEOUT}:<agency>")


def scenario_decision(declared: "DeclaredList | DeclaredExport") -> Decision | None:
    """Customs' answer that a sandbox list's scenario asks for, or None to decide by the rules."""
    kind, _sep, argument = declared.scenario.partition(":")
    if kind == SCENARIO_INSPECT:
        return Decision(
            declared.id,
            INSPECT,
            ReturnStatus.INSPECTION,
            Text(gettext_noop("Selected for physical inspection (sandbox scenario)")),
        )
    if kind == SCENARIO_REJECT:
        return refused(
            declared.id,
            argument,
            Text(gettext_noop("Refused with %(code)s (sandbox scenario)"), code=argument),
        )
    return None

"""Foreign exchange: the payment enterprise is licensed for cross-border payments, and each payer's
foreign-exchange purchases in the calendar year stay under the USD 50,000 equivalent."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from singlewindow.core.texts import Text, gettext_noop

from ..choices import AgencyCode, ReturnStatus
from .base import REJECT, RELEASE, Decision, DeclaredExport, DeclaredList, simulate_network

YEARLY_LIMIT_USD = Decimal(50_000)


def unlicensed(pay_code: str) -> Text:
    return Text(
        gettext_noop("payment enterprise %(code)s holds no cross-border payment licence"), code=pay_code
    )


@dataclass
class ForexContext:
    licensed: set[str]  # pay codes with a valid licence
    cny_per_usd: Decimal
    used_usd: dict[str, Decimal]  # payer ID -> USD purchased this year before this batch


def decide(lists: Sequence[DeclaredList], context: ForexContext) -> list[Decision]:
    simulate_network(AgencyCode.FOREX, lists)
    used = dict(context.used_usd)
    decisions = []
    for declared in lists:
        if declared.pay_code not in context.licensed:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    unlicensed(declared.pay_code),
                )
            )
            continue
        usd = (declared.amount_paid / context.cny_per_usd).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total = used.get(declared.payer_id_number, Decimal(0)) + usd
        if total > YEARLY_LIMIT_USD:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    Text(
                        gettext_noop(
                            "payer's purchases this year would reach USD %(total)s, over USD %(limit)s"
                        ),
                        total=total,
                        limit=f"{YEARLY_LIMIT_USD:,}",
                    ),
                )
            )
            continue
        used[declared.payer_id_number] = total
        decisions.append(
            Decision(
                declared.id,
                RELEASE,
                ReturnStatus.REVIEW_CONCLUDED,
                Text(gettext_noop("Forex: within the payer's yearly limit")),
                amounts={"usd": usd},
            )
        )
    return decisions


# --- export: settlement of the proceeds --------------------------------------------------------------


@dataclass
class ExportForexContext:
    licensed: set[str]
    cny_per_unit: dict[str, Decimal]  # currency -> rate of the day


def decide_export(lists: Sequence[DeclaredExport], context: ExportForexContext) -> list[Decision]:
    simulate_network(AgencyCode.FOREX, lists)
    decisions = []
    for declared in lists:
        if not declared.receipt_currency:
            # 9810: sold abroad later; the proceeds are settled when their receipt arrives.
            decisions.append(
                Decision(
                    declared.id,
                    RELEASE,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(gettext_noop("Forex: proceeds to be settled on receipt")),
                )
            )
        elif declared.receipt_currency not in context.cny_per_unit:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    Text(
                        gettext_noop("currency %(currency)s has no rate to settle at"),
                        currency=declared.receipt_currency,
                    ),
                )
            )
        elif declared.pay_code and declared.pay_code not in context.licensed:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    unlicensed(declared.pay_code),
                )
            )
        else:
            decisions.append(
                Decision(
                    declared.id,
                    RELEASE,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(gettext_noop("Forex: proceeds settled")),
                )
            )
    return decisions

"""Step 4, score: risk rules and the enterprise's credit between the assessment and the fan-out.

Holds for an official what scores over the threshold (or whose enterprise is held by its credit level
or the negative list), and draws the rest for inspection ("double random"). Runs inside the claim's
transaction.
"""

from django.utils import timezone

from declarations.choices import InventoryStatus, ReceiptSource, ReturnStatus
from declarations.models import InventoryList
from risk import selectors as risk_selectors
from risk import services as risk_services
from risk.models import RiskAssessment
from sharing.adapters.base import SCENARIO_HOLD
from sharing.choices import AgencyCode, NotificationKind
from sharing.models import Membership
from singlewindow.core.db import insert_rows
from singlewindow.core.texts import Text, encoded, gettext_noop

from . import notices
from .records import ACCEPTED_BY_CUSTOMS, SENT_TO_CUSTOMS, advance_all, assign_invt_no


def score(lists: list[InventoryList]) -> list[InventoryList]:
    """Returns the lists cleared for the fan-out; the held ones get their 300 receipt."""
    if not lists:
        return []
    facts = risk_selectors.facts_for(lists)
    scored = risk_services.score(facts, now=timezone.now())
    rates = {
        f.id: (f.credit_inspection_rate, f.credit_level, f.credit_held or bool(f.negative_list_reason))
        for f in facts
    }
    inspectors = list(
        Membership.objects.filter(agency__code=AgencyCode.CUSTOMS).values_list("user_id", flat=True)
    )
    assessments = {
        a.inventory_id: a for a in risk_services.assess_batch(scored, rates=rates, inspectors=inspectors)
    }
    cleared, held, receipts = [], [], []
    now = timezone.now()
    for inventory in lists:
        assessment = assessments[inventory.pk]
        # Past the window's checks, the list is with customs (3).
        receipts += advance_all([inventory], ReceiptSource.CUSTOMS, [SENT_TO_CUSTOMS])
        if assessment.decision == RiskAssessment.Decision.HOLD or inventory.sandbox_scenario == SCENARIO_HOLD:
            # Customs holds it: accepted into its system (120, and its list number), manual review (300).
            inventory.status = InventoryStatus.HELD
            # The enterprise sees the reason code only; officials see the rules and their evidence.
            inventory.status_reason = assessment.reason_code
            inventory.status_reason_text = encoded(
                Text(
                    gettext_noop(
                        "Held for review by a customs officer (%(code)s). Nothing to do for now: the "
                        "officer's decision will show here."
                    ),
                    code=assessment.reason_code,
                )
            )
            assign_invt_no(inventory, "I", now)
            receipts += advance_all(
                [inventory],
                ReceiptSource.CUSTOMS,
                [
                    ACCEPTED_BY_CUSTOMS,
                    (
                        ReturnStatus.MANUAL_REVIEW,
                        Text(gettext_noop("Manual review (%(code)s)."), code=assessment.reason_code),
                    ),
                ],
            )
            held.append(inventory)
        else:
            cleared.append(inventory)
    insert_rows(receipts)
    notices.lists_reached(NotificationKind.LIST_HELD, held, receipts)
    notices.alerts_arrived([i.pk for i in held])
    return cleared

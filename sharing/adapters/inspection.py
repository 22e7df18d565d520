"""Inspection and quarantine: goods must be on the positive list of CBEC retail import goods, and
foods and cosmetics need a registered overseas producer (identified by the GS1 prefix of the barcode).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from singlewindow.core.texts import Text, gettext_noop

from ..choices import AgencyCode, ReturnStatus
from .base import INSPECT, REJECT, RELEASE, Decision, DeclaredExport, DeclaredList, simulate_network

RESTRICTED = ("food", "cosmetics")
# The restricted categories as a reason names them.
CATEGORY_NAMES = {"food": Text(gettext_noop("food")), "cosmetics": Text(gettext_noop("cosmetics"))}


@dataclass
class InspectionContext:
    positive_list: dict[str, str]  # HS prefix -> category ("" when unrestricted)
    producers: dict[str, set[str]]  # category -> GS1 company prefixes of registered producers


def _category(gcode: str, positive_list: dict[str, str]) -> str | None:
    for length in range(len(gcode), 1, -1):
        category = positive_list.get(gcode[:length])
        if category is not None:
            return category
    return None


def decide(lists: Sequence[DeclaredList], context: InspectionContext) -> list[Decision]:
    simulate_network(AgencyCode.INSPECTION, lists)
    decisions = []
    for declared in lists:
        problem = None
        for line in declared.lines:
            category = _category(line.gcode, context.positive_list)
            if category is None:
                problem = Text(
                    gettext_noop(
                        "line %(gnum)s: %(gname)s (%(gcode)s) is not on the positive list of "
                        "CBEC retail imports"
                    ),
                    gnum=line.gnum,
                    gname=line.gname,
                    gcode=line.gcode,
                )
                break
            if category in RESTRICTED:
                prefixes = context.producers.get(category, set())
                if not any(line.bar_code.startswith(p) for p in prefixes if p):
                    problem = Text(
                        gettext_noop(
                            "line %(gnum)s: %(category)s %(gname)s needs a registered overseas producer; "
                            "barcode %(barcode)s matches none"
                        ),
                        gnum=line.gnum,
                        category=CATEGORY_NAMES[category],
                        gname=line.gname,
                        barcode=line.bar_code or Text(gettext_noop("(none)")),
                    )
                    break
        if problem:
            decisions.append(Decision(declared.id, REJECT, ReturnStatus.REJECTED, problem))
        else:
            decisions.append(
                Decision(
                    declared.id,
                    RELEASE,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(gettext_noop("Inspection: goods admitted")),
                )
            )
    return decisions


# --- export -----------------------------------------------------------------------------------------

# Exports of live animals and animal products (HS chapters 01-05) need quarantine before they leave.
EXPORT_QUARANTINE_CHAPTERS = frozenset({"01", "02", "03", "04", "05"})


@dataclass
class ExportInspectionContext:
    # destination country -> HS chapters it refuses (e.g. animal products under an import ban)
    banned: dict[str, set[str]]


def decide_export(lists: Sequence[DeclaredExport], context: ExportInspectionContext) -> list[Decision]:
    simulate_network(AgencyCode.INSPECTION, lists)
    decisions = []
    for declared in lists:
        chapters = {line.gcode[:2] for line in declared.lines}
        banned = chapters & context.banned.get(declared.country, set())
        if banned:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    Text(
                        gettext_noop("country %(country)s does not admit goods of HS chapter %(chapters)s"),
                        country=declared.country,
                        chapters=", ".join(sorted(banned)),
                    ),
                )
            )
        elif chapters & EXPORT_QUARANTINE_CHAPTERS:
            decisions.append(
                Decision(
                    declared.id,
                    INSPECT,
                    ReturnStatus.INSPECTION,
                    Text(gettext_noop("Animal products: quarantine inspection")),
                )
            )
        else:
            decisions.append(
                Decision(
                    declared.id,
                    RELEASE,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(gettext_noop("Inspection: no export inspection needed")),
                )
            )
    return decisions

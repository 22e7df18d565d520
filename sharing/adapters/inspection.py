"""Inspection and quarantine: goods must be on the positive list of CBEC retail import goods, and
foods and cosmetics need a registered overseas producer (identified by the GS1 prefix of the barcode).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .base import REJECT, RELEASE, Decision, DeclaredList, simulate_network

RESTRICTED = ("food", "cosmetics")


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
    simulate_network("inspection")
    decisions = []
    for declared in lists:
        problem = None
        for line in declared.lines:
            category = _category(line.gcode, context.positive_list)
            if category is None:
                problem = (
                    f"line {line.gnum}: {line.gname} ({line.gcode}) is not on the positive list of "
                    "CBEC retail imports"
                )
                break
            if category in RESTRICTED:
                prefixes = context.producers.get(category, set())
                if not any(line.bar_code.startswith(p) for p in prefixes if p):
                    problem = (
                        f"line {line.gnum}: {category} {line.gname} needs a registered overseas producer; "
                        f"barcode {line.bar_code or '(none)'} matches none"
                    )
                    break
        if problem:
            decisions.append(Decision(declared.id, REJECT, "100", problem[:1000]))
        else:
            decisions.append(Decision(declared.id, RELEASE, "399", "Inspection: goods admitted"))
    return decisions

"""The simulated authorities the window fans a declaration out to."""

from . import customs, forex, inspection, tax
from .base import AgencyUnavailable, Decision, DeclaredExport, DeclaredLine, DeclaredList, ExportLine

ADAPTERS = {"customs": customs, "inspection": inspection, "tax": tax, "forex": forex}
AGENCIES = tuple(ADAPTERS)

__all__ = [
    "ADAPTERS",
    "AGENCIES",
    "AgencyUnavailable",
    "DeclaredExport",
    "DeclaredLine",
    "DeclaredList",
    "Decision",
    "ExportLine",
]

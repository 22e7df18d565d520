"""The simulated authorities the window fans a declaration out to."""

from ..choices import AgencyCode
from . import customs, forex, inspection, tax
from .base import (
    AgencyUnavailable,
    Decision,
    DeclaredExport,
    DeclaredLine,
    DeclaredList,
    ExportLine,
    refused,
)

ADAPTERS = {
    AgencyCode.CUSTOMS: customs,
    AgencyCode.INSPECTION: inspection,
    AgencyCode.TAX: tax,
    AgencyCode.FOREX: forex,
}
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
    "refused",
]

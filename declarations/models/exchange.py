"""The messages of the exchange that name waybills or lists rather than declare goods: CEB507 export
arrival, CEB509 departure, CEB607 master/sub bill, CEB605 export list cancel, CEB213/215 export return
and its tally, and CEB711 in its real meaning, the arrival of direct-mail (9610) import waybills under
a master bill.

One row per message document (its head kept as sent), one line per waybill it names; the natural key
is the filer's code and its own number (copNo, or the master bill for an arrival of imports), so the
same document sent again is answered as the first time."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise


class ExchangeFiling(models.Model):
    """A CEB507/509/605/607/213/215/701/711 document, its outcome and the answer given (so a repeat is
    answered the same). `filer_code` is the code that files it (site operator, carrier or agent)."""

    class Kind(models.TextChoices):
        ARRIVAL = "CEB507", _("Export arrival (CEB507)")
        DEPARTURE = "CEB509", _("Export departure (CEB509)")
        CANCEL = "CEB605", _("Export list cancellation (CEB605)")
        BILL = "CEB607", _("Master/sub bill (CEB607)")
        RETURN = "CEB213", _("Export return (CEB213)")
        RETURN_TALLY = "CEB215", _("Export return tally (CEB215)")
        SUMMARY = "CEB701", _("Summary application (CEB701)")
        IMPORT_ARRIVAL = "CEB711", _("Arrival of direct-mail waybills (CEB711)")

    kind = models.CharField(_("message"), max_length=6, choices=Kind.choices)
    guid = models.CharField(max_length=36)
    filer_code = models.CharField(max_length=18)
    cop_no = models.CharField(max_length=37)
    pre_no = models.CharField(max_length=18)
    customs_code = models.CharField(max_length=4, blank=True)
    bill_no = models.CharField(_("master bill"), max_length=37, blank=True)
    invt_no = models.CharField(max_length=20, blank=True)
    head = models.JSONField(_("head as sent"))
    return_status = models.CharField(_("customs status code"), max_length=10)
    return_info = models.CharField(max_length=1000)
    # What else the answer named (a summary's sumNo), so a repeat is answered the same.
    answer = models.JSONField(default=dict, blank=True)
    # The export list a cancel or a return concerns.
    export_list = models.ForeignKey(
        "ExportInventoryList", null=True, blank=True, on_delete=models.PROTECT, related_name="filings"
    )
    submitted_by = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("exchange filing")
        verbose_name_plural = _("exchange filings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "filer_code", "cop_no"], name="exchange_filing_natural_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filer_code}/{self.cop_no}"


class ExchangeFilingWaybill(models.Model):
    """A waybill an arrival, departure, bill, return or tally names (its List line)."""

    filing = models.ForeignKey(ExchangeFiling, on_delete=models.CASCADE, related_name="waybills")
    kind = models.CharField(max_length=6)  # the filing's, so "has it arrived" is one index lookup
    gnum = models.PositiveIntegerField()
    logistics_code = models.CharField(max_length=18)
    logistics_no = models.CharField(max_length=80)
    invt_no = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["filing", "gnum"]
        indexes = [models.Index(fields=["kind", "logistics_code", "logistics_no"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.logistics_code}/{self.logistics_no}"

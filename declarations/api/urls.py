"""Routes of the declarations' REST API."""

from django.urls import path

from singlewindow.core.api import Router

from .exports import (
    ExportInventoryViewSet,
    ExportOrderViewSet,
    ExportWaybillViewSet,
    InventoryCancelViewSet,
    InventoryRefundViewSet,
    ReceiptOfPaymentViewSet,
    SummaryDeclarationViewSet,
)
from .receipts import ReceiptQueueView
from .views import (
    CebCertificateView,
    CebMessageView,
    InventoryViewSet,
    OrderViewSet,
    PaymentViewSet,
    WaybillViewSet,
)

app_name = "declarations-api"

router = Router(trailing_slash=True)
router.register("orders", OrderViewSet, basename="order")
router.register("payments", PaymentViewSet, basename="payment")
router.register("waybills", WaybillViewSet, basename="waybill")
router.register("inventories", InventoryViewSet, basename="inventory")
router.register("inventory-cancels", InventoryCancelViewSet, basename="inventory-cancel")
router.register("inventory-returns", InventoryRefundViewSet, basename="inventory-return")
router.register("export-orders", ExportOrderViewSet, basename="export-order")
router.register("receipts-of-payment", ReceiptOfPaymentViewSet, basename="receipt-of-payment")
router.register("export-waybills", ExportWaybillViewSet, basename="export-waybill")
router.register("export-inventories", ExportInventoryViewSet, basename="export-inventory")
router.register("summary-declarations", SummaryDeclarationViewSet, basename="summary-declaration")
urlpatterns = [
    path("ceb/", CebMessageView.as_view(), name="ceb"),
    path("ceb/certificate/", CebCertificateView.as_view(), name="ceb-certificate"),
    path("receipts/", ReceiptQueueView.as_view(), name="receipt-queue"),
    *router.urls,
]

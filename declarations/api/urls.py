from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    CebMessageView,
    InventoryViewSet,
    OrderViewSet,
    PaymentViewSet,
    ReceiptViewSet,
    WaybillViewSet,
)

app_name = "declarations-api"

router = DefaultRouter(trailing_slash=True)
router.register("orders", OrderViewSet, basename="order")
router.register("payments", PaymentViewSet, basename="payment")
router.register("waybills", WaybillViewSet, basename="waybill")
router.register("inventories", InventoryViewSet, basename="inventory")
router.register("receipts", ReceiptViewSet, basename="receipt")
urlpatterns = [path("ceb/", CebMessageView.as_view(), name="ceb"), *router.urls]

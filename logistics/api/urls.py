"""Routes of logistics' API: tracking events, public tracking, warehouses, entries and stock."""

from django.urls import path

from singlewindow.core.api import Router

from .views import (
    PublicTrackingView,
    StockItemViewSet,
    StockMovementViewSet,
    TrackingEventsView,
    WarehouseEntryViewSet,
    WarehouseViewSet,
)

app_name = "logistics-api"

urlpatterns = [
    path("tracking-events/", TrackingEventsView.as_view(), name="tracking-events"),
    path("tracking/<str:logistics_no>/", PublicTrackingView.as_view(), name="tracking"),
]
router = Router(trailing_slash=True)
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("warehouse-entries", WarehouseEntryViewSet, basename="warehouse-entry")
router.register("stock", StockItemViewSet, basename="stock")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
urlpatterns += router.urls

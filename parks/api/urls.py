"""Routes of parks' API: zones, parks and park applications."""

from rest_framework.routers import DefaultRouter

from .views import ParkApplicationViewSet, ParkViewSet, ZoneViewSet

app_name = "parks-api"

router = DefaultRouter(trailing_slash=True)
router.register("zones", ZoneViewSet, basename="zone")
router.register("parks", ParkViewSet, basename="park")
router.register("park-applications", ParkApplicationViewSet, basename="park-application")
urlpatterns = router.urls

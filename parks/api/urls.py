"""Routes of parks' API: zones, parks and park applications."""

from singlewindow.core.api import Router

from .views import ParkApplicationViewSet, ParkViewSet, ZoneViewSet

app_name = "parks-api"

router = Router(trailing_slash=True)
router.register("zones", ZoneViewSet, basename="zone")
router.register("parks", ParkViewSet, basename="park")
router.register("park-applications", ParkApplicationViewSet, basename="park-application")
urlpatterns = router.urls

"""Routes of credit's API: credit profiles and the negative list."""

from singlewindow.core.api import Router

from .views import CreditProfileViewSet, NegativeListViewSet

app_name = "credit-api"

router = Router(trailing_slash=True)
router.register("credit-profiles", CreditProfileViewSet, basename="credit-profile")
router.register("negative-list", NegativeListViewSet, basename="negative-list")
urlpatterns = router.urls

"""Routes of credit's API: credit profiles and the negative list."""

from rest_framework.routers import DefaultRouter

from .views import CreditProfileViewSet, NegativeListViewSet

app_name = "credit-api"

router = DefaultRouter(trailing_slash=True)
router.register("credit-profiles", CreditProfileViewSet, basename="credit-profile")
router.register("negative-list", NegativeListViewSet, basename="negative-list")
urlpatterns = router.urls

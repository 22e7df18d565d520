"""Routes of sharing's API: enterprises and agencies."""

from rest_framework.routers import DefaultRouter

from .views import AgencyViewSet, EnterpriseViewSet

app_name = "sharing-api"

router = DefaultRouter(trailing_slash=True)
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("agencies", AgencyViewSet, basename="agency")
urlpatterns = router.urls

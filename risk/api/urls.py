"""Routes of risk's API: alerts and risk rules."""

from rest_framework.routers import DefaultRouter

from .views import AlertViewSet, RiskRuleViewSet

app_name = "risk-api"

router = DefaultRouter(trailing_slash=True)
router.register("alerts", AlertViewSet, basename="alert")
router.register("risk-rules", RiskRuleViewSet, basename="risk-rule")
urlpatterns = router.urls

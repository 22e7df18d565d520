"""Routes of risk's API: alerts and risk rules."""

from singlewindow.core.api import Router

from .views import AlertViewSet, RiskRuleViewSet

app_name = "risk-api"

router = Router(trailing_slash=True)
router.register("alerts", AlertViewSet, basename="alert")
router.register("risk-rules", RiskRuleViewSet, basename="risk-rule")
urlpatterns = router.urls

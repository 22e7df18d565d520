"""Routes of sharing's API: enterprises, agencies, webhooks and the code tables."""

from django.urls import path

from singlewindow.core.api import Router

from .certificates import CertificateViewSet
from .keys import ApiKeyListView
from .views import AgencyViewSet, CodeTableEntryListView, CodeTableListView, EnterpriseViewSet
from .webhooks import WebhookViewSet

app_name = "sharing-api"

router = Router(trailing_slash=True)
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("certificates", CertificateViewSet, basename="certificate")
urlpatterns = [
    *router.urls,
    path("api-keys/", ApiKeyListView.as_view(), name="api-key-list"),
    path("code-tables/", CodeTableListView.as_view(), name="code-table-list"),
    path("code-tables/<str:table>/", CodeTableEntryListView.as_view(), name="code-table-entries"),
]

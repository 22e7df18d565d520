"""Routes of sharing's API: enterprises, agencies and the code tables."""

from django.urls import path

from singlewindow.core.api import Router

from .views import AgencyViewSet, CodeTableEntryListView, CodeTableListView, EnterpriseViewSet

app_name = "sharing-api"

router = Router(trailing_slash=True)
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("agencies", AgencyViewSet, basename="agency")
urlpatterns = [
    *router.urls,
    path("code-tables/", CodeTableListView.as_view(), name="code-table-list"),
    path("code-tables/<str:table>/", CodeTableEntryListView.as_view(), name="code-table-entries"),
]

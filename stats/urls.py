"""Pages of stats: the zone, live, enterprise, agency and park dashboards, and their CSV."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.zone_dashboard, name="stats-zone"),
    path("dashboard/live/", views.live, name="stats-live"),
    path("dashboard/enterprise/", views.enterprise_dashboard, name="stats-enterprise"),
    path("dashboard/agency/", views.agency_dashboard, name="stats-agency"),
    path("dashboard/csv/<str:chart>/", views.chart_csv, name="stats-csv"),
    path("dashboard/xlsx/<str:chart>/", views.chart_csv, {"export": "xlsx"}, name="stats-xlsx"),
    path("parks/<slug:slug>/dashboard/", views.park_dashboard, name="stats-park"),
]

"""Routes of stats' API: overview, trend, breakdowns and rejections."""

from django.urls import path

from .views import BreakdownView, OverviewView, RejectionsView, TrendView

app_name = "stats-api"

urlpatterns = [
    path("stats/overview/", OverviewView.as_view(), name="overview"),
    path("stats/trend/", TrendView.as_view(), name="trend"),
    path("stats/breakdown/<str:by>/", BreakdownView.as_view(), name="breakdown"),
    path("stats/rejections/", RejectionsView.as_view(), name="rejections"),
]

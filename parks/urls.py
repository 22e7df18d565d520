"""Pages of parks: the zone directory, zone and park pages, applications and their review."""

from django.urls import path

from . import views

urlpatterns = [
    path("zones/", views.zone_directory, name="zone-list"),
    path("zones/<slug:slug>/", views.zone_detail, name="zone-detail"),
    path("parks/<slug:slug>/", views.park_detail, name="park-detail"),
    path("parks/<slug:slug>/apply/", views.park_apply, name="park-apply"),
    path("officials/park-applications/", views.application_review_list, name="park-application-review-list"),
    path(
        "officials/park-applications/<int:pk>/decide/",
        views.application_decide,
        name="park-application-decide",
    ),
]

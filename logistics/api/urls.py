from django.urls import path

from .views import PublicTrackingView, TrackingEventsView

app_name = "logistics-api"

urlpatterns = [
    path("tracking-events/", TrackingEventsView.as_view(), name="tracking-events"),
    path("tracking/<str:logistics_no>/", PublicTrackingView.as_view(), name="tracking"),
]

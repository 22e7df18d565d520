"""Pages of risk: the officials' alert queue and alert pages, the risk rules and their changes."""

from django.urls import path

from . import views, worklist_views

urlpatterns = [
    path("officials/alerts/", views.alert_queue, name="alert-queue"),
    path("officials/alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("officials/alerts/release/", worklist_views.alerts_release_many, name="alerts-release-many"),
    path("officials/worklist/", worklist_views.worklist, name="worklist"),
    path("officials/worklist/assign/", worklist_views.worklist_assign, name="worklist-assign"),
    path("officials/risk-rules/", views.rule_list, name="risk-rules"),
    path("officials/risk-rules/<str:code>/", views.rule_change, name="risk-rule-change"),
]

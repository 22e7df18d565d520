"""Pages of sharing: home, sign-up and login, onboarding, an enterprise's keys and webhooks, the
public enterprise page and officials' review of enterprises."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("enterprise/", views.enterprise_home, name="enterprise-home"),
    path("enterprise/api-keys/", views.api_keys, name="api-keys"),
    path("enterprise/api-keys/<str:prefix>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("enterprise/webhooks/", views.webhooks, name="webhooks"),
    path("enterprises/<int:pk>/", views.enterprise_public, name="enterprise-public"),
    path("officials/enterprises/", views.enterprise_review_list, name="enterprise-review-list"),
    path("officials/enterprises/<int:pk>/", views.enterprise_review_detail, name="enterprise-review-detail"),
    path(
        "enterprise/webhooks/<int:pk>/disable/",
        views.webhook_action,
        {"action": "disable"},
        name="webhook-disable",
    ),
    path(
        "enterprise/webhooks/<int:pk>/enable/",
        views.webhook_action,
        {"action": "enable"},
        name="webhook-enable",
    ),
    path("enterprise/webhooks/<int:pk>/test/", views.webhook_action, {"action": "test"}, name="webhook-test"),
]

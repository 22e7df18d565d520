"""Pages of sharing: home, sign-up, login and a person's account (password reset and change, second
factor), onboarding, an enterprise's keys and webhooks, the public enterprise page and officials' review
of enterprises."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import certificate_views, lookup_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("lookups/hs-codes/", lookup_views.hs_codes, name="lookup-hs-codes"),
    path("lookups/<str:table>/", lookup_views.code_table, name="lookup-code-table"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup-done"),
    path("accounts/activate/<str:uidb64>/<str:token>/", views.signup_activate, name="signup-activate"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", views.account, name="account"),
    path("accounts/notifications/", views.notification_preferences, name="notification-preferences"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("accounts/otp/enrol/", views.otp_enrol, name="otp-enrol"),
    path("accounts/otp/verify/", views.otp_verify, name="otp-verify"),
    # Django's own password views (the names are the ones they redirect to), in the portal's layout.
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("enterprise/", views.enterprise_home, name="enterprise-home"),
    path("enterprise/api-keys/", views.api_keys, name="api-keys"),
    path("enterprise/api-keys/<str:prefix>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("enterprise/certificates/", certificate_views.certificate_list, name="certificates"),
    path(
        "enterprise/certificates/<int:pk>/retire/",
        certificate_views.certificate_retire,
        name="certificate-retire",
    ),
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

"""Pages of credit: the public disclosure and an official's view of an enterprise's credit."""

from django.urls import path

from . import views

urlpatterns = [
    path("credit/", views.disclosure, name="credit-disclosure"),
    path("officials/credit/<int:pk>/", views.enterprise_credit, name="enterprise-credit"),
]

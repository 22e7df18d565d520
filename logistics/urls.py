"""Pages of logistics: public tracking, and warehouses with their review."""

from django.urls import path

from . import views

urlpatterns = [
    path("track/", views.track, name="track"),
    path("warehouses/", views.warehouse_list, name="warehouse-list"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse-detail"),
    path("warehouses/<int:pk>/decide/", views.warehouse_decide, name="warehouse-decide"),
]

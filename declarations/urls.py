from django.urls import path

from . import views

urlpatterns = [
    path("declarations/", views.inventory_list, name="inventory-list"),
    path("declarations/home/", views.declarations_home, name="declarations-home"),
    path("declarations/inventories/<int:pk>/", views.inventory_detail, name="inventory-detail"),
    path("declarations/new/<str:kind>/", views.document_new, name="document-new"),
    path("declarations/inventories/<int:pk>/inspection/", views.inspection_result, name="inspection-result"),
    path("declarations/upload/", views.upload_new, name="upload-new"),
    path("declarations/uploads/<int:pk>/", views.upload_detail, name="upload-detail"),
    path("declarations/receipts/", views.receipt_list, name="receipt-list"),
    path("officials/receipts/", views.agency_receipts, name="agency-receipts"),
    path("officials/dispatches/<int:dispatch_id>/redrive/", views.redrive, name="dispatch-redrive"),
]

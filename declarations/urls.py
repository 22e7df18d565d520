"""Routes of the declarations' pages."""

from django.urls import path

from . import export_views, views

urlpatterns = [
    path("declarations/", views.inventory_list, name="inventory-list"),
    path("declarations/home/", views.declarations_home, name="declarations-home"),
    path("declarations/inventories/<int:pk>/", views.inventory_detail, name="inventory-detail"),
    path("declarations/inventories/<int:pk>/pdf/", views.inventory_pdf, name="inventory-pdf"),
    path(
        "declarations/inventories/<int:pk>/release-notice/", views.release_notice_pdf, name="release-notice"
    ),
    path("declarations/new/<str:kind>/", views.document_new, name="document-new"),
    path("declarations/inventories/<int:pk>/inspection/", views.inspection_result, name="inspection-result"),
    path("declarations/upload/", views.upload_new, name="upload-new"),
    path("declarations/uploads/<int:pk>/", views.upload_detail, name="upload-detail"),
    path("declarations/receipts/", views.receipt_list, name="receipt-list"),
    path("officials/receipts/", views.agency_receipts, name="agency-receipts"),
    path("officials/dispatches/<int:dispatch_id>/redrive/", views.redrive, name="dispatch-redrive"),
    path("declarations/inventories/<int:pk>/cancel/", views.inventory_cancel, name="inventory-cancel"),
    path("declarations/inventories/<int:pk>/return/", views.inventory_return, name="inventory-return"),
    path(
        "declarations/returns/<int:pk>/goods-received/",
        views.return_goods_received,
        name="return-goods-received",
    ),
    path("exports/", export_views.export_list, name="export-list"),
    path("exports/summaries/", export_views.summary_list, name="summary-list"),
    path("exports/<int:pk>/", export_views.export_detail, name="export-detail"),
]

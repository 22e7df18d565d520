"""The portal's routes: every app's pages, its API under /api/v1/, the schema and its docs, the admin."""

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from clearance.api.check import CheckView
from singlewindow.core.schema import SchemaView

# The document endpoints first: partners pushing one document per request resolve them on every call.
api_v1 = [
    path("", include("declarations.api.urls")),
    path("", include("sharing.api.urls")),
    path("", include("parks.api.urls")),
    path("", include("risk.api.urls")),
    path("", include("credit.api.urls")),
    path("", include("logistics.api.urls")),
    path("", include("finance.api.urls")),
    path("", include("stats.api.urls")),
    path("check/", CheckView.as_view(), name="check"),
    path("", include("clearance.api.urls")),
]

# The API first: its paths never collide with the pages', and it takes most requests.
urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", include("sharing.urls")),
    path("", include("parks.urls")),
    path("", include("declarations.urls")),
    path("", include("risk.urls")),
    path("", include("credit.urls")),
    path("", include("logistics.urls")),
    path("", include("finance.urls")),
    path("", include("stats.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Generated once per language under a lock: drf-spectacular's generator is not thread-safe.
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI starts itself with an inline script: the one page without the CSP.
    path("api/docs/", csp_exempt()(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
]

# Errors raised before or outside a view (a body over the size limit, a URL that matches nothing): JSON
# in the API's error shape under /api/, a page in the layout elsewhere.
handler400 = "singlewindow.core.error_views.bad_request"
handler403 = "singlewindow.core.error_views.permission_denied"
handler404 = "singlewindow.core.error_views.page_not_found"
handler500 = "singlewindow.core.error_views.server_error"

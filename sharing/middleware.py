"""Sets `request.principal` (who the user acts as) for the pages."""

from django.utils.functional import SimpleLazyObject

from .principal import principal_for_user


class PrincipalMiddleware:
    """Attach `request.principal` for pages (the API resolves its own, see api/base.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = SimpleLazyObject(lambda: principal_for_user(getattr(request, "user", None)))
        return self.get_response(request)

"""Page access by role, read from `request.principal` (set by sharing's middleware)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase

View = Callable[..., HttpResponseBase]
# A test of the principal (sharing's `Principal`, which core cannot import: typed Any here).
PrincipalTest = Callable[[Any], bool]


def guard(test: PrincipalTest) -> Callable[[View], View]:
    """A decorator admitting signed-in users whose principal passes `test` (others: login or 403)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.principal):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def enterprise_member_required(view: View) -> View:
    return guard(lambda p: p.enterprise is not None)(view)


def enterprise_admin_required(view: View) -> View:
    return guard(lambda p: p.is_enterprise_admin)(view)


def official_required(view: View) -> View:
    return guard(lambda p: p.sees_everything)(view)


def commerce_official_required(view: View) -> View:
    return guard(lambda p: p.is_commerce_official)(view)

"""Templates' context: the request's principal, and the header's count of unread notifications."""

from django.utils.functional import SimpleLazyObject


def principal(request):
    principal = getattr(request, "principal", None)

    def unread() -> int:
        from .selectors import notifications_unread

        if principal is None or (principal.enterprise is None and principal.agency is None):
            return 0
        return notifications_unread(principal=principal)

    # Lazy: counted only on pages that show the header, once.
    return {"principal": principal, "unread_notifications": SimpleLazyObject(unread)}

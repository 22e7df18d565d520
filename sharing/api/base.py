"""Base classes every API view uses, so each one scopes its queryset through the caller's Principal.

`request.principal` is set lazily by PrincipalMiddleware and resolved on first use, after DRF has
authenticated the request (DRF copies its user, a person or a partner key, onto the request).
"""

from rest_framework import viewsets

from ..principal import Principal


class PrincipalMixin:
    @property
    def principal(self) -> Principal:
        return self.request.principal


class ScopedReadOnlyViewSet(PrincipalMixin, viewsets.ReadOnlyModelViewSet):
    """Subclasses implement `scoped_queryset(principal)`; objects outside it answer 404."""

    def scoped_queryset(self, principal: Principal):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return self.queryset
        return self.scoped_queryset(self.principal)

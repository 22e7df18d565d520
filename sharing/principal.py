"""Who is calling: a user of an enterprise or an agency, a partner's API key, or the public.

Every page and endpoint scopes what it shows through a Principal, so tenancy is decided in one place.
"""

from dataclasses import dataclass
from typing import Any

from .choices import AgencyCode, MemberRole
from .models import Agency, Enterprise, EnterpriseAPIKey


@dataclass(frozen=True)
class Principal:
    user: Any = None
    enterprise: Enterprise | None = None
    agency: Agency | None = None
    role: str | None = None
    api_key: EnterpriseAPIKey | None = None
    is_superuser: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.api_key is not None or bool(self.user and self.user.is_authenticated)

    @property
    def is_official(self) -> bool:
        return self.agency is not None

    @property
    def is_enterprise_admin(self) -> bool:
        return self.enterprise is not None and self.role == MemberRole.ADMIN and self.api_key is None

    @property
    def sees_everything(self) -> bool:
        """Officials and site administrators may read the whole registry."""
        return self.is_official or self.is_superuser

    def is_agency(self, code: str) -> bool:
        return self.agency is not None and self.agency.code == code

    @property
    def is_commerce_official(self) -> bool:
        return self.is_agency(AgencyCode.COMMERCE) or self.is_superuser


ANONYMOUS = Principal()


class PartnerUser:
    """The request.user of a partner system: authenticated, acting for one enterprise, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, key: EnterpriseAPIKey):
        self.api_key = key
        self.enterprise = key.enterprise
        self.pk = self.id = f"api-key:{key.prefix}"
        self.username = self.pk

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


def principal_for_user(user: Any) -> Principal:
    """The principal of a Django user, or of a partner key (DRF puts its PartnerUser on the request)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if isinstance(user, PartnerUser):
        return principal_for_api_key(user.api_key)
    membership = getattr(user, "membership", None) if _has_membership(user) else None
    if membership is None:
        return Principal(user=user, is_superuser=user.is_superuser)
    return Principal(
        user=user,
        enterprise=membership.enterprise,
        agency=membership.agency,
        role=membership.role,
        is_superuser=user.is_superuser,
    )


def principal_for_api_key(key: EnterpriseAPIKey) -> Principal:
    return Principal(enterprise=key.enterprise, api_key=key, role=MemberRole.STAFF)


def _has_membership(user: Any) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        user.membership  # noqa: B018 - touching the relation loads it once per request
    except ObjectDoesNotExist:
        return False
    return True

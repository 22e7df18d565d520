"""Who may register which kind of warehouse and who decides registrations: the predicates the
warehouse pages share with the services. Each allowed and refused; no database needed."""

import pytest
from django.utils import translation

from logistics import services
from logistics.models import Warehouse
from sharing.choices import AgencyCode, EnterpriseRole, EnterpriseStatus, MemberRole
from sharing.models import Agency, Enterprise
from sharing.principal import ANONYMOUS, Principal


def member(*roles: str, status: str = EnterpriseStatus.APPROVED) -> Principal:
    enterprise = Enterprise(
        customs_code="3301900001", uscc="91330100MA2T00001X", roles=list(roles), status=status
    )
    return Principal(enterprise=enterprise, role=MemberRole.STAFF)


def official(code: str) -> Principal:
    return Principal(agency=Agency(code=code), role=MemberRole.STAFF)


OVERSEAS = [(Warehouse.Kind.OVERSEAS, Warehouse.Kind.OVERSEAS.label)]


@pytest.mark.parametrize(
    ("principal", "kinds"),
    [
        (member(EnterpriseRole.WAREHOUSE), list(Warehouse.Kind.choices)),
        (member(EnterpriseRole.WAREHOUSE, EnterpriseRole.ECOMMERCE), list(Warehouse.Kind.choices)),
        (member(EnterpriseRole.ECOMMERCE), OVERSEAS),
        (member(EnterpriseRole.LOGISTICS), []),
        (member(EnterpriseRole.WAREHOUSE, status=EnterpriseStatus.PENDING), []),
        (official(AgencyCode.CUSTOMS), []),
        (Principal(is_superuser=True), []),
        (ANONYMOUS, []),
    ],
)
def test_registrable_kinds(principal, kinds):
    assert services.registrable_kinds(principal) == kinds


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (official(AgencyCode.CUSTOMS), True),
        (Principal(is_superuser=True), True),
        (official(AgencyCode.COMMERCE), False),
        (member(EnterpriseRole.WAREHOUSE), False),
        (ANONYMOUS, False),
    ],
)
def test_only_customs_decides_warehouses(principal, allowed):
    assert services.may_decide_warehouses(principal) is allowed


@pytest.mark.parametrize(
    ("principal", "kind", "roles"),
    [
        (member(EnterpriseRole.ECOMMERCE), Warehouse.Kind.BONDED, "warehouse"),
        (member(EnterpriseRole.ECOMMERCE), Warehouse.Kind.ORDINARY, "warehouse"),
        (member(EnterpriseRole.LOGISTICS), Warehouse.Kind.OVERSEAS, "ecommerce / warehouse"),
        (
            member(EnterpriseRole.WAREHOUSE, status=EnterpriseStatus.PENDING),
            Warehouse.Kind.BONDED,
            "warehouse",
        ),
    ],
)
def test_the_service_refuses_what_the_page_does_not_offer(principal, kind, roles):
    assert kind not in dict(services.registrable_kinds(principal))
    with translation.override("en"), pytest.raises(PermissionError) as refused:
        services.warehouse_register(data={"kind": kind, "code": "W1"}, by=principal)
    assert str(refused.value) == f"Only an approved enterprise with the role {roles} may do this."

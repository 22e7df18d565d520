"""Who may read and do what in finance, through the predicates the pages and the API share: the tax
summary's readers and guarantor, the forex statement's readers and exporters, tax officials' and
financial services officers' acts. Each allowed and refused; no database needed."""

import pytest

from finance import selectors, services
from sharing.choices import AgencyCode, EnterpriseRole, MemberRole
from sharing.models import Agency, Enterprise
from sharing.principal import ANONYMOUS, Principal

SELLER = Enterprise(
    customs_code="3301900001", uscc="91330100MA2T00001X", roles=[EnterpriseRole.ECOMMERCE], status="approved"
)


def official(code: str) -> Principal:
    return Principal(agency=Agency(code=code), role=MemberRole.STAFF)


MEMBER = Principal(enterprise=SELLER, role=MemberRole.STAFF)
SUPERUSER = Principal(is_superuser=True)


@pytest.mark.parametrize(
    ("principal", "every", "any_"),
    [
        (official(AgencyCode.TAX), True, True),
        (official(AgencyCode.CUSTOMS), True, True),
        (SUPERUSER, True, True),
        (MEMBER, False, True),
        (official(AgencyCode.FOREX), False, False),
        (ANONYMOUS, False, False),
    ],
)
def test_who_reads_tax_summaries(principal, every, any_):
    assert selectors.reads_every_tax_summary(principal) is every
    assert selectors.reads_tax_summaries(principal) is any_


def test_an_official_reads_the_guarantor_named_and_must_name_one():
    tax = official(AgencyCode.TAX)
    assert selectors.tax_summary_guarantor(tax, "3301999999") == "3301999999"
    assert selectors.tax_summary_guarantor(tax, "") == ""  # the caller asks for a name
    assert selectors.tax_summary_guarantor(SUPERUSER, "") == ""


def test_an_enterprise_reads_its_own_months_only():
    assert selectors.tax_summary_guarantor(MEMBER, "") == SELLER.customs_code
    assert selectors.tax_summary_guarantor(MEMBER, SELLER.uscc) == SELLER.uscc
    assert selectors.tax_summary_guarantor(MEMBER, "3301999999") is None


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (MEMBER, True),
        (official(AgencyCode.FOREX), True),
        (official(AgencyCode.TAX), True),
        (SUPERUSER, True),
        (ANONYMOUS, False),
    ],
)
def test_who_reads_forex_statements(principal, allowed):
    assert selectors.reads_forex_statements(principal) is allowed


def test_forex_statement_codes_are_an_officials_choice_and_an_enterprises_own():
    forex = official(AgencyCode.FOREX)
    assert selectors.forex_statement_codes(forex, "3301999999") == {"3301999999"}
    assert selectors.forex_statement_codes(forex, "") == set()  # the caller asks for a name
    own = {SELLER.customs_code, SELLER.uscc}
    assert selectors.forex_statement_codes(MEMBER, "") == own
    assert selectors.forex_statement_codes(MEMBER, "3301999999") == own  # never another's


@pytest.mark.parametrize(
    ("principal", "tax", "financing"),
    [
        (official(AgencyCode.TAX), True, False),
        (official(AgencyCode.FINANCE), False, True),
        (SUPERUSER, True, True),
        (official(AgencyCode.CUSTOMS), False, False),
        (MEMBER, False, False),
        (ANONYMOUS, False, False),
    ],
)
def test_who_acts_for_tax_and_decides_financing(principal, tax, financing):
    assert services.may_act_for_tax(principal) is tax
    assert services.may_decide_financing(principal) is financing

import factory
from django.contrib.auth import get_user_model

from sharing.choices import EnterpriseRole, EnterpriseStatus, MemberRole
from sharing.identifiers import uscc_with_check_character
from sharing.models import Agency, Enterprise, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    customs_code = factory.Sequence(lambda n: f"33019{n:05d}")
    uscc = factory.LazyAttribute(lambda e: uscc_with_check_character(f"91330100MA2T{e.customs_code[-5:]}"))
    name_zh = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Enterprise {n} Co.")
    roles = factory.LazyFunction(lambda: [EnterpriseRole.ECOMMERCE])
    status = EnterpriseStatus.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = MemberRole.ADMIN


def official(agency_code: str, username: str | None = None):
    """A user who is an official of the agency with this code."""
    user = UserFactory(username=username or f"{agency_code}-official")
    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency_code), role=MemberRole.STAFF)
    return user

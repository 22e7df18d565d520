"""Demo data for a newcomer's first run: enterprises of every role (approved and pending), officials of
every agency, park settlements and an application. Idempotent: running it again changes nothing."""

import base64
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from parks.choices import ApplicationStatus
from parks.models import Park, ParkApplication

from .choices import AgencyCode, EnterpriseRole, EnterpriseStatus, MemberRole
from .identifiers import uscc_with_check_character
from .models import AgentMandate, Enterprise
from .services import member_add, official_enroll

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - demo accounts only, printed by `make run`
# The demo officials' and administrator's authenticator secret (base32, as apps take it). Demo data only:
# seeded when DEBUG is on (`make run`), never with production settings; `manage.py demo_totp` prints
# the current code.
DEMO_TOTP_SECRET = "SINGLEWINDOWDEMOSECRETFORTOTPAPP"  # noqa: S105
DEMO_TOTP_DEVICE_NAME = "demo authenticator"


@dataclass(frozen=True)
class DemoEnterprise:
    username: str
    customs_code: str
    name_zh: str
    name_en: str
    roles: tuple[str, ...]
    status: str
    park: str | None


R = EnterpriseRole
DEMO_ENTERPRISES = [
    DemoEnterprise(
        "platform",
        "3301960001",
        "杭州云购跨境电商平台有限公司",
        "Hangzhou Yungou CBEC Platform Co.",
        (R.PLATFORM,),
        EnterpriseStatus.APPROVED,
        "hangzhou-xiacheng",
    ),
    DemoEnterprise(
        "seller",
        "3301960002",
        "杭州海淘优品贸易有限公司",
        "Hangzhou Haitao Youpin Trading Co.",
        (R.ECOMMERCE,),
        EnterpriseStatus.APPROVED,
        "hangzhou-xiasha",
    ),
    DemoEnterprise(
        "logistics",
        "3301960003",
        "杭州速通国际物流有限公司",
        "Hangzhou Sutong International Logistics Co.",
        (R.LOGISTICS,),
        EnterpriseStatus.APPROVED,
        "hangzhou-airport",
    ),
    DemoEnterprise(
        "payment",
        "3301960004",
        "杭州跨付支付服务有限公司",
        "Hangzhou Kuafu Payment Services Co.",
        (R.PAYMENT,),
        EnterpriseStatus.APPROVED,
        "hangzhou-xiacheng",
    ),
    DemoEnterprise(
        "warehouse",
        "3301960005",
        "下沙保税仓储有限公司",
        "Xiasha Bonded Warehousing Co.",
        (R.WAREHOUSE,),
        EnterpriseStatus.APPROVED,
        "hangzhou-xiasha",
    ),
    DemoEnterprise(
        "agent",
        "3301960006",
        "杭州关通报关有限公司",
        "Hangzhou Guantong Customs Brokerage Co.",
        (R.AGENT,),
        EnterpriseStatus.APPROVED,
        "hangzhou-postal",
    ),
    DemoEnterprise(
        "new-platform",
        "3301960101",
        "西湖好物跨境平台有限公司",
        "West Lake Goods CBEC Platform Co.",
        (R.PLATFORM,),
        EnterpriseStatus.PENDING,
        None,
    ),
    DemoEnterprise(
        "new-seller",
        "3301960102",
        "钱塘优选进口贸易有限公司",
        "Qiantang Select Import Trading Co.",
        (R.ECOMMERCE,),
        EnterpriseStatus.PENDING,
        None,
    ),
    DemoEnterprise(
        "new-logistics",
        "3301960103",
        "萧山快运国际货代有限公司",
        "Xiaoshan Express Forwarding Co.",
        (R.LOGISTICS, R.WAREHOUSE),
        EnterpriseStatus.PENDING,
        None,
    ),
    DemoEnterprise(
        "new-payment",
        "3301960104",
        "之江跨境支付有限公司",
        "Zhijiang Cross-border Pay Co.",
        (R.PAYMENT,),
        EnterpriseStatus.PENDING,
        None,
    ),
    DemoEnterprise(
        "new-warehouse",
        "3301960105",
        "空港保税物流中心有限公司",
        "Airport Bonded Logistics Centre Co.",
        (R.WAREHOUSE,),
        EnterpriseStatus.PENDING,
        None,
    ),
    DemoEnterprise(
        "new-agent",
        "3301960106",
        "余杭通关代理有限公司",
        "Yuhang Clearance Agency Co.",
        (R.AGENT,),
        EnterpriseStatus.PENDING,
        None,
    ),
]

OFFICIALS = [(code.value, code.value) for code in AgencyCode]


def demo_uscc(customs_code: str) -> str:
    return uscc_with_check_character(f"91330100MA2H{customs_code[-5:]}")


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    """Create the demo parties; returns (username, what it is) for the logins to print."""
    User = get_user_model()
    logins: list[tuple[str, str]] = []

    def user(username: str, *, superuser: bool = False):
        account, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if created:
            account.set_password(DEMO_PASSWORD)
            account.is_staff = account.is_superuser = superuser
            account.save()
        return account

    user("admin", superuser=True)
    logins.append(("admin", "site administrator (Django admin)"))
    for username, code in OFFICIALS:
        official_enroll(user=user(username), agency_code=code, role=MemberRole.ADMIN)
        logins.append((username, f"official of the {code} agency"))

    parks = {p.slug: p for p in Park.objects.all()}
    for demo in DEMO_ENTERPRISES:
        enterprise, _created = Enterprise.objects.get_or_create(
            customs_code=demo.customs_code,
            defaults={
                "uscc": demo_uscc(demo.customs_code),
                "name_zh": demo.name_zh,
                "name_en": demo.name_en,
                "roles": list(demo.roles),
                "status": demo.status,
                "park": parks.get(demo.park or ""),
                "contact_name": "张三",
                "contact_phone": "0571-88000000",
                "contact_email": f"{demo.username}@example.com",
                "address": "浙江省杭州市",
            },
        )
        if demo.status == EnterpriseStatus.APPROVED and enterprise.approved_at is None:
            enterprise.approved_at = enterprise.created_at
            enterprise.save(update_fields=["approved_at"])
        member_add(user=user(demo.username), enterprise=enterprise, role=MemberRole.ADMIN)
        logins.append((demo.username, f"admin of {demo.name_en} ({demo.status}, {', '.join(demo.roles)})"))

    seller = Enterprise.objects.get(customs_code="3301960002")
    # The demo seller has mandated the demo declaring agent to file its lists.
    AgentMandate.objects.get_or_create(
        enterprise=seller, agent=Enterprise.objects.get(customs_code="3301960006")
    )
    ParkApplication.objects.get_or_create(
        enterprise=seller,
        park=parks["hangzhou-airport"],
        status=ApplicationStatus.PENDING,
        defaults={"message": "申请在空港园区设立直邮进口分拨仓。"},
    )
    return logins


def demo_totp_key() -> str:
    """The demo secret as django-otp stores it (hex)."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


@transaction.atomic
def seed_demo_totp() -> list[str]:
    """Give the demo officials and the administrator a confirmed TOTP device with the demo secret, so
    `make run` works out of the box; returns their usernames. Refused unless DEBUG is on: a secret
    printed in the README must never guard a real deployment. Anyone who enrolled an app of their own
    keeps it."""
    if not settings.DEBUG:
        raise PermissionError("the demo TOTP secret is seeded only with DEBUG on (development)")
    User = get_user_model()
    usernames = ["admin", *(username for username, _code in OFFICIALS)]
    seeded = []
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name=DEMO_TOTP_DEVICE_NAME, key=demo_totp_key(), confirmed=True
            )
        seeded.append(user.username)
    return seeded


def demo_totp_device(username: str) -> TOTPDevice | None:
    """The demo device of this demo account, if it has one (never another person's device)."""
    return (
        TOTPDevice.objects.filter(
            user__username=username, name=DEMO_TOTP_DEVICE_NAME, key=demo_totp_key(), confirmed=True
        )
        .select_related("user")
        .first()
    )

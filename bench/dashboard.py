"""Dashboard benchmark: render times of the dashboards and /api/v1/stats/ with 100,000 released lists.

    .venv/bin/python -m bench.dashboard --lists 100000      # needs PostgreSQL (DATABASE_URL)

It creates its own database (`<name>_dash`), fills it with released lists spread over 30 days, 20
enterprises in 8 parks, both flows' modes, and builds the counters with `rebuild_stats`; then times each
page (the median and the slowest of 15 requests, after one warm-up) through Django's test client as a
signed-in official and as an enterprise.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

from bench.database import ROOT, recreate_database


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/singlewindow")
    if not base.startswith("postgres"):
        sys.exit("The dashboard benchmark needs PostgreSQL: DATABASE_URL=postgres://...")
    parsed = urlparse(base)
    return parsed._replace(path=parsed.path.rstrip("/") + "_dash").geturl()


REASONS = [
    "customs: -621021 item R33049900: 0 in stock in W1, the list takes 1",
    "tax: tax guarantee of 3301980000 has 12.00 left, the list needs 30.00",
    "inspection: line 1: food 婴幼儿奶粉 (0402210000) needs a registered overseas producer",
    "forex: payer's purchases this year would reach USD 50012.00, over USD 50,000",
]


def fill(n: int) -> tuple[object, object]:
    """n lists (one line each; about 97% released, 3% rejected) and the counters; returns (official,
    enterprise user)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from declarations.models import InventoryItem, InventoryList
    from parks.models import Park
    from sharing.models import Agency, Enterprise, Membership
    from singlewindow.generator import GOODS

    call_command("migrate", verbosity=0)
    parks = list(Park.objects.all()[:8])
    from sharing.identifiers import uscc_with_check_character

    enterprises = [
        Enterprise.objects.create(
            customs_code=f"33019800{i:02d}",
            uscc=uscc_with_check_character(f"91330100MA2D{i:05d}"),
            name_zh=f"看板企业{i}",
            roles=["ecommerce"],
            status="approved",
            park=parks[i % len(parks)] if parks else None,
        )
        for i in range(20)
    ]
    users = get_user_model()
    officer = users.objects.create_user("dash-official")  # signed in with force_login
    Membership.objects.create(user=officer, agency=Agency.objects.get(code="commerce"), role="staff")
    member = users.objects.create_user("dash-enterprise")
    Membership.objects.create(user=member, enterprise=enterprises[0], role="admin")
    rng = random.Random(2026)
    now = timezone.now()
    template = {
        "guid": "D" * 36,
        "app_time": "20261125000000",
        "ebp_code": "3301980099",
        "ebp_name": "平台",
        "ebc_name": "企业",
        "logistics_code": "3301980098",
        "logistics_name": "物流",
        "assure_code": "",
        "decl_time": "20261125",
        "customs_code": "2928",
        "port_code": "2928",
        "buyer_id_type": "1",
        "buyer_id_number": "330106199001011234",
        "buyer_name": "买家",
        "buyer_telephone": "13800000000",
        "consignee_address": "杭州",
        "agent_name": "企业",
        "traf_mode": "5",
        "country": "142",
        "freight": Decimal("10"),
        "insured_fee": Decimal(0),
        "currency": "142",
        "pack_no": 1,
        "gross_weight": Decimal("1.2"),
        "net_weight": Decimal("1"),
        "content_hash": "x",
    }
    started = time.monotonic()
    for start in range(0, n, 5000):
        lists, items = [], []
        for i in range(start, min(n, start + 5000)):
            enterprise = enterprises[i % len(enterprises)]
            final = now - timedelta(days=rng.randint(0, 29), seconds=rng.randint(0, 86_000))
            gcode, name, spec, price, barcode = GOODS[i % len(GOODS)]
            tax = (price * Decimal("0.091")).quantize(Decimal("0.01"))
            lists.append(
                InventoryList(
                    **template,
                    submitted_by=enterprise,
                    ebc_code=enterprise.customs_code,
                    agent_code=enterprise.customs_code,
                    cop_no=f"DASH{i:09d}",
                    order_no=f"DASHO{i:09d}",
                    logistics_no=f"DASHL{i:09d}",
                    trade_mode="1210" if i % 10 == 0 else "9610",
                    final_at=final,
                    # about 3% rejected, with the reasons the agencies give, for the reasons table
                    **(
                        {
                            "status": "rejected",
                            "return_status": "100",
                            "status_reason": REASONS[i % len(REASONS)],
                        }
                        if i % 33 == 0
                        else {"status": "released", "return_status": "800"}
                    ),
                    tax_amount=tax,
                    dutiable_value=price,
                )
            )
        created = InventoryList.objects.bulk_create(lists)
        for inventory in created:
            gcode, name, spec, price, barcode = GOODS[inventory.pk % len(GOODS)]
            items.append(
                InventoryItem(
                    inventory=inventory,
                    gnum=1,
                    gcode=gcode,
                    gname=name,
                    gmodel=spec,
                    country="116",
                    currency="142",
                    qty=1,
                    unit="007",
                    qty1=1,
                    unit1="007",
                    price=price,
                    total_price=price,
                )
            )
        InventoryItem.objects.bulk_create(items)
        # created_at is auto_now_add: put intake a few seconds before release, as the pipeline does
        InventoryList.objects.filter(pk__in=[i.pk for i in created]).update(
            created_at=models_f_minus("final_at", rng.randint(1, 20))
        )
    print(f"{n} released lists in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    call_command("rebuild_stats", stdout=sys.stdout)
    print(f"counters rebuilt in {time.monotonic() - started:.0f} s", flush=True)
    return officer, member


def models_f_minus(field: str, seconds: int):
    from django.db.models import F

    return F(field) - timedelta(seconds=seconds)


def time_pages(user, urls: list[str], repeat: int = 15) -> dict[str, dict]:
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user)
    out = {}
    for url in urls:
        first = client.get(url)
        if first.status_code != 200:
            out[url] = {"status": first.status_code}
            continue
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        out[url] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lists", type=int, default=100_000)
    args = parser.parse_args()
    url = database_url()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    officer, member = fill(args.lists)
    official_pages = [
        "/dashboard/",
        "/dashboard/live/",
        "/dashboard/agency/",
        "/api/v1/stats/overview/",
        "/api/v1/stats/trend/",
        "/api/v1/stats/breakdown/park/",
        "/api/v1/stats/rejections/",
    ]
    enterprise_pages = ["/dashboard/enterprise/", "/api/v1/stats/overview/"]
    result = {
        "lists": args.lists,
        "official": time_pages(officer, official_pages),
        "enterprise": time_pages(member, enterprise_pages),
    }
    print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()

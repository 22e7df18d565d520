"""In the browser, in Chinese: a clerk files a list by the labels she reads, with a lookup and a line
added, fixes an error from the summary at the top, and declares it."""

import pytest

from declarations.models import InventoryList

from ..factories import ClearanceWorld, UserFactory
from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_clerk_files_a_list_by_its_chinese_labels(browser, live_server):
    from credit.models import CreditLevel
    from sharing.models import Membership

    from ..conftest import reload_reference_data

    reload_reference_data()
    CreditLevel.objects.update(inspection_rate=0)
    world = ClearanceWorld()
    docs = world.declaration(1, lines=2)
    for kind in ("order", "payment", "waybill"):
        assert world.post(kind, docs[kind]).status_code == 201
    user = UserFactory(username="seller-clerk-zh")
    Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "seller-clerk-zh")
    page.goto(f"{page.base_url}/declarations/new/inventory/")
    inventory = docs["inventory"]
    first, second = inventory["items"]

    # given the list copied from its order: parties, buyer and the first line
    page.get_by_label("订单编号", exact=True).first.fill(inventory["order_no"])
    page.get_by_role("button", name="从订单复制").click()
    page.wait_for_url("**?order=*")
    form = page.locator("form[data-document-form]")
    assert form.get_by_label("订购人姓名").input_value() == inventory["buyer_name"]

    # when the clerk fills the head by its labels, a code from a lookup among them
    head = {
        "运单编号": inventory["logistics_no"],
        "物流企业代码": inventory["logistics_code"],
        "物流企业名称": inventory["logistics_name"],
        "企业内部编号": inventory["cop_no"],
        "口岸海关代码": inventory["port_code"],
        "运输方式": inventory["traf_mode"],
        "起运国（地区）": inventory["country"],
        "保费": str(inventory["insured_fee"]),
        "毛重（千克）": str(inventory["gross_weight"]),
        "净重（千克）": str(inventory["net_weight"]),
        "订购人证件号码": inventory["buyer_id_number"],
        "订购人电话": inventory["buyer_telephone"],
        "运费": str(inventory["freight"]),
        "运输工具编号": inventory["traf_no"],
        "航班航次号": inventory["voyage_no"],
        "提运单号": inventory["bill_no"],
    }
    for label, value in head.items():
        form.get_by_label(label, exact=True).fill(str(value))
    district = form.get_by_label("申报地海关代码")
    assert district.get_attribute("list") == "lookup-customs_district"
    assert page.locator(f"#lookup-customs_district option[value='{inventory['customs_code']}']").count() == 1
    district.fill(inventory["customs_code"])
    form.get_by_label("监管方式").select_option(inventory["trade_mode"])

    # the copied order had one line per order line; the clerk removes them and adds her own two
    lines = form.locator("fieldset.line")
    while lines.count() > 1:
        lines.last.get_by_role("button").click()
    form.get_by_role("button", name="添加一项").click()
    assert lines.count() == 2
    for index, item in enumerate((first, second)):
        line = lines.nth(index)
        values = {
            "商品编码": item["gcode"],
            "商品名称": item["gname"],
            "商品规格型号": item["gmodel"],
            "原产国（地区）": item["country"],
            "币制": item["currency"],
            "数量": str(item["qty"]),
            "计量单位": item["unit"],
            "法定数量": str(item["qty1"]),
            "法定计量单位": item["unit1"],
            "单价": str(item["price"]),
        }
        for label, value in values.items():
            line.get_by_label(label, exact=True).fill(value)
        # the total is computed as she types
        assert float(line.get_by_label("总价", exact=True).input_value()) == pytest.approx(
            float(item["total_price"]), abs=0.01
        )
    # with one mistake: a commodity code of 3 digits
    lines.nth(1).get_by_label("商品编码", exact=True).fill("123")
    screenshot(page, "inventory-form-zh")
    # (from the keyboard: a click would only close the lookup's open suggestions)
    form.get_by_role("button", name="申报", exact=True).press("Enter")

    # then the summary at the top names the field; its link leads to the line's field to fix
    summary = page.get_by_role("alert").filter(has_text="错误")
    summary.wait_for()
    summary.get_by_role("link", name="第 2 项: 商品编码").click()
    assert page.evaluate("document.activeElement.id") == "id_items-1-gcode"
    screenshot(page, "inventory-form-error-summary-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "inventory-form-error-summary-zh-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#id_items-1-gcode").fill(second["gcode"])
    page.locator("form[data-document-form]").get_by_role("button", name="申报", exact=True).press("Enter")
    page.wait_for_url("**/declarations/inventories/*/")
    listed = InventoryList.objects.get()
    assert listed.items.count() == 2 and listed.app_status == "2"
    assert errors == []
    context.close()

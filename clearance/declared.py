"""What the agencies are sent: a list with its documents as the adapters' DeclaredList/DeclaredExport."""

from decimal import Decimal

from declarations.models import ExportInventoryList, InventoryList
from sharing.adapters import DeclaredExport, DeclaredLine, DeclaredList, ExportLine


def declare_import(inventory: InventoryList) -> DeclaredList:
    """An import list with its order and payment loaded."""
    payment, order = inventory.payment, inventory.order
    return DeclaredList(
        id=inventory.pk,
        enterprise_id=inventory.submitted_by_id,
        scenario=inventory.sandbox_scenario,
        cop_no=inventory.cop_no,
        pre_no=inventory.pre_no,
        trade_mode=inventory.trade_mode,
        customs_code=inventory.customs_code,
        ebp_code=inventory.ebp_code,
        ebc_code=inventory.ebc_code,
        agent_code=inventory.agent_code,
        logistics_code=inventory.logistics_code,
        assure_code=inventory.assure_code,
        area_code=inventory.area_code,
        ems_no=inventory.ems_no,
        buyer_id_number=inventory.buyer_id_number,
        freight=inventory.freight,
        insured_fee=inventory.insured_fee,
        tax_amount=inventory.tax_amount or Decimal(0),
        order_tax_total=order.tax_total if order else Decimal(0),
        pay_code=payment.pay_code if payment else "",
        payer_id_number=payment.payer_id_number if payment else "",
        amount_paid=payment.amount_paid if payment else Decimal(0),
        lines=tuple(
            DeclaredLine(
                gnum=line.gnum,
                gcode=line.gcode,
                gname=line.gname,
                bar_code=line.bar_code,
                qty=line.qty,
                total_price=line.total_price,
                country=line.country,
                item_record_no=line.item_record_no,
            )
            for line in inventory.items.all()
        ),
    )


def declare_export(inventory: ExportInventoryList) -> DeclaredExport:
    """An export list with its receipt of payment (if any) loaded."""
    receipt = inventory.receipt
    return DeclaredExport(
        id=inventory.pk,
        enterprise_id=inventory.submitted_by_id,
        scenario=inventory.sandbox_scenario,
        cop_no=inventory.cop_no,
        pre_no=inventory.pre_no,
        trade_mode=inventory.trade_mode,
        statistics_flag=inventory.statistics_flag,
        customs_code=inventory.customs_code,
        ebp_code=inventory.ebp_code,
        ebc_code=inventory.ebc_code,
        agent_code=inventory.agent_code,
        logistics_code=inventory.logistics_code,
        owner_code=inventory.owner_code,
        country=inventory.country,
        warehouse_code=inventory.warehouse_code,
        license_no=inventory.license_no,
        value_cny=inventory.fob_value_cny or Decimal(0),
        receipt_currency=receipt.currency if receipt else "",
        receipt_charge=receipt.charge if receipt else Decimal(0),
        pay_code=receipt.pay_code if receipt else "",
        lines=tuple(
            ExportLine(
                gnum=line.gnum,
                gcode=line.gcode,
                gname=line.gname,
                qty=line.qty,
                total_price=line.total_price,
                currency=line.currency,
            )
            for line in inventory.items.all()
        ),
    )

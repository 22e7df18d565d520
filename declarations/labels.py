"""The words a clerk reads on the document forms: one table of the CEB fields' labels (DOMAIN 2, in the
reader's language through the catalogs), their help and the fieldset each belongs to. Forms read it; no
form carries its own strings, so the order, the list and the export forms name a field alike."""

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FieldLabel(NamedTuple):
    group: str
    label: Promise
    help: Promise | str = ""


# Fieldsets, in the order a form shows them; lines come last, in their own formset.
GROUPS: dict[str, Promise] = {
    "document": _("Document"),
    "parties": _("Parties"),
    "buyer": _("Buyer and consignee"),
    "transport": _("Transport"),
    "amounts": _("Amounts"),
    "lines": _("Lines"),
}

# Head fields by their schema name; line fields as `items.<name>`.
FIELD_LABELS: dict[str, FieldLabel] = {
    "order_no": FieldLabel(
        "document", _("Order number"), _("The platform's order number, exactly as on the order.")
    ),
    "order_type": FieldLabel(
        "document", _("Order type"), _("I: import; E: export; B: B2B; W: overseas warehouse.")
    ),
    "cop_no": FieldLabel(
        "document",
        _("Enterprise's internal list number"),
        _("Your own number for this list; it identifies the list among yours."),
    ),
    "pay_transaction_id": FieldLabel("document", _("Payment transaction number")),
    "pay_no": FieldLabel("document", _("Payment number")),
    "logistics_no": FieldLabel(
        "transport", _("Waybill number"), _("The parcel label number, unique to the logistics enterprise.")
    ),
    "bill_no": FieldLabel(
        "transport",
        _("Bill of lading number"),
        _("Master bill of lading, air waybill or truck manifest number."),
    ),
    "ie_flag": FieldLabel("document", _("Import or export")),
    "decl_time": FieldLabel("document", _("Declaration date")),
    "ie_date": FieldLabel("transport", _("Import or export date")),
    "customs_code": FieldLabel(
        "document", _("Customs district of declaration"), _("A customs district code of 4 digits, e.g. 2928.")
    ),
    "port_code": FieldLabel("transport", _("Port of entry or exit")),
    "trade_mode": FieldLabel(
        "document", _("Supervision mode"), _("9610: direct purchase; 1210: bonded import.")
    ),
    "ems_no": FieldLabel("document", _("Bonded account book number"), _("For bonded goods (1210) only.")),
    "license_no": FieldLabel("document", _("Licence number")),
    "statistics_flag": FieldLabel("document", _("Declaration type"), _("A: simplified; B: consolidated.")),
    "batch_numbers": FieldLabel("document", _("Batch numbers")),
    "note": FieldLabel("document", _("Note")),
    "ebp_code": FieldLabel(
        "parties", _("E-commerce platform code"), _("The platform's customs registration code.")
    ),
    "ebp_name": FieldLabel("parties", _("E-commerce platform name")),
    "ebc_code": FieldLabel("parties", _("E-commerce enterprise code")),
    "ebc_name": FieldLabel("parties", _("E-commerce enterprise name")),
    "ebc_telephone": FieldLabel("parties", _("E-commerce enterprise telephone")),
    "pay_code": FieldLabel("parties", _("Payment enterprise code")),
    "pay_name": FieldLabel("parties", _("Payment enterprise name")),
    "logistics_code": FieldLabel("parties", _("Logistics enterprise code")),
    "logistics_name": FieldLabel("parties", _("Logistics enterprise name")),
    "agent_code": FieldLabel("parties", _("Declaring agent code")),
    "agent_name": FieldLabel("parties", _("Declaring agent name")),
    "assure_code": FieldLabel(
        "parties",
        _("Guarantor enterprise code"),
        _("The enterprise that guarantees the tax, usually yourself."),
    ),
    "area_code": FieldLabel("parties", _("Bonded-area enterprise code")),
    "area_name": FieldLabel("parties", _("Bonded-area enterprise name")),
    "owner_code": FieldLabel("parties", _("Owner code")),
    "owner_name": FieldLabel("parties", _("Owner name")),
    "iac_code": FieldLabel("parties", _("Inspection agency code")),
    "iac_name": FieldLabel("parties", _("Inspection agency name")),
    "warehouse_code": FieldLabel("parties", _("Warehouse code")),
    "buyer_reg_no": FieldLabel("buyer", _("Buyer's account on the platform")),
    "buyer_name": FieldLabel("buyer", _("Buyer's name"), _("The buyer's real name, as on the ID document.")),
    "buyer_telephone": FieldLabel("buyer", _("Buyer's telephone")),
    "buyer_id_type": FieldLabel("buyer", _("Buyer's ID type"), _("1: resident identity card; 2: other.")),
    "buyer_id_number": FieldLabel("buyer", _("Buyer's ID number")),
    "payer_id_type": FieldLabel("buyer", _("Payer's ID type"), _("1: resident identity card; 2: other.")),
    "payer_id_number": FieldLabel("buyer", _("Payer's ID number")),
    "payer_name": FieldLabel("buyer", _("Payer's name")),
    "telephone": FieldLabel("buyer", _("Payer's telephone")),
    "consignee": FieldLabel("buyer", _("Consignee")),
    "consignee_telephone": FieldLabel("buyer", _("Consignee's telephone")),
    "consignee_address": FieldLabel(
        "buyer", _("Delivery address"), _("Must be the same on the order, the waybill and the list.")
    ),
    "consignee_district": FieldLabel(
        "buyer", _("Consignee's administrative division"), _("6 digits, e.g. 330106.")
    ),
    "traf_mode": FieldLabel(
        "transport", _("Transport mode"), _("One digit or capital letter, e.g. 5 (air).")
    ),
    "traf_name": FieldLabel("transport", _("Means of transport")),
    "traf_no": FieldLabel("transport", _("Transport vehicle number")),
    "voyage_no": FieldLabel("transport", _("Voyage or flight number")),
    "loct_no": FieldLabel("transport", _("Supervision site code")),
    "country": FieldLabel("transport", _("Country of departure")),
    "pod": FieldLabel("transport", _("Port of destination")),
    "wrap_type": FieldLabel("transport", _("Packing type")),
    "pack_no": FieldLabel("transport", _("Number of packages")),
    "total_package_no": FieldLabel("transport", _("Total number of packages")),
    "gross_weight": FieldLabel("transport", _("Gross weight (kg)")),
    "net_weight": FieldLabel("transport", _("Net weight (kg)")),
    "weight": FieldLabel("transport", _("Weight (kg)")),
    "goods_info": FieldLabel("transport", _("Goods carried")),
    "pay_time": FieldLabel("amounts", _("Payment time")),
    "accounting_date": FieldLabel("amounts", _("Accounting date")),
    "goods_value": FieldLabel("amounts", _("Goods value"), _("The sum of the lines' total prices.")),
    "freight": FieldLabel("amounts", _("Freight"), _("0 if none.")),
    "insured_fee": FieldLabel("amounts", _("Insurance fee"), _("0 if none.")),
    "discount": FieldLabel("amounts", _("Discount")),
    "tax_total": FieldLabel("amounts", _("Tax collected")),
    "actual_paid": FieldLabel(
        "amounts", _("Amount actually paid"), _("Goods value + freight - discount + tax.")
    ),
    "amount_paid": FieldLabel("amounts", _("Amount paid"), _("Must equal the order's amount actually paid.")),
    "charge": FieldLabel("amounts", _("Amount received")),
    "currency": FieldLabel("amounts", _("Currency")),
    "f_currency": FieldLabel("amounts", _("Freight currency")),
    "f_flag": FieldLabel("amounts", _("Freight type"), _("1: rate; 2: per unit; 3: total.")),
    "i_currency": FieldLabel("amounts", _("Insurance currency")),
    "i_flag": FieldLabel("amounts", _("Insurance type"), _("1: rate; 2: per unit; 3: total.")),
    "items.gnum": FieldLabel("lines", _("Line number")),
    "items.item_no": FieldLabel("lines", _("Enterprise's item number")),
    "items.item_record_no": FieldLabel("lines", _("Account book item number")),
    "items.item_name": FieldLabel("lines", _("Item name on the platform")),
    "items.item_describe": FieldLabel("lines", _("Item description")),
    "items.gcode": FieldLabel("lines", _("HS code"), _("10 digits: the 8-digit tariff line and 2 more.")),
    "items.gname": FieldLabel("lines", _("Goods name")),
    "items.gmodel": FieldLabel("lines", _("Specification and model")),
    "items.bar_code": FieldLabel("lines", _("Bar code")),
    "items.country": FieldLabel("lines", _("Country of origin")),
    "items.trade_country": FieldLabel("lines", _("Country of trade")),
    "items.currency": FieldLabel("lines", _("Currency")),
    "items.qty": FieldLabel("lines", _("Quantity")),
    "items.unit": FieldLabel("lines", _("Unit")),
    "items.qty1": FieldLabel("lines", _("Quantity in the first legal unit")),
    "items.unit1": FieldLabel("lines", _("First legal unit")),
    "items.qty2": FieldLabel("lines", _("Quantity in the second legal unit")),
    "items.unit2": FieldLabel("lines", _("Second legal unit")),
    "items.price": FieldLabel("lines", _("Unit price")),
    "items.total_price": FieldLabel("lines", _("Total price"), _("Quantity × unit price.")),
    "items.note": FieldLabel("lines", _("Note")),
}


def field_label(name: str) -> FieldLabel:
    """The label of a field; one the table does not know (a new schema field) shows its CEB name."""
    return FIELD_LABELS.get(name) or FieldLabel("document", _("Other"), name)

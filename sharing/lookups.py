"""The forms' code lookups: codes searched by the start of the code or by a part of their Chinese or
English name, one page at a time (the code tables of DOMAIN 8 hold thousands of divisions: a page
never sends them all).

HS codes are not a code table of DOMAIN 8: the lookup offers the headings the window knows (the
positive list officials keep, with the names below in both languages), the first digits of a line's
10-digit code.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .models import CodeTableEntry, PositiveListEntry
from .selectors import valid_on

PAGE_SIZE = 20
MAX_QUERY = 50

# The HS headings of the positive list and of the tax reference (finance.reference), named in both
# languages; a heading officials add to the positive list shows its own description.
HS_HEADINGS: dict[str, tuple[str, str]] = {
    "0401": ("乳及稀奶油（未浓缩）", "Milk and cream, not concentrated"),
    "0402": ("奶粉及浓缩乳", "Milk powder, concentrated milk"),
    "1901": ("婴幼儿配方食品、谷物食品", "Infant formula, cereal food"),
    "2106": ("食品制剂、膳食补充剂", "Food preparations, dietary supplements"),
    "2204": ("葡萄酒", "Wine of fresh grapes"),
    "3004": ("已配定剂量的药品", "Medicaments in measured doses"),
    "33": ("精油、香料制品及化妆盥洗品", "Essential oils, perfumery, cosmetic or toilet preparations"),
    "3303": ("香水及花露水", "Perfumes and toilet waters"),
    "3304": ("美容品、化妆品及护肤品", "Beauty, make-up and skin-care preparations"),
    "3305": ("护发品", "Preparations for use on the hair"),
    "3401": ("肥皂及洗涤用品", "Soap and washing products"),
    "42": ("皮革制品、手提包及旅行用品", "Articles of leather, handbags and travel goods"),
    "4202": ("手提包及箱包", "Handbags and cases"),
    "61": ("针织或钩编的服装及衣着附件", "Apparel, knitted or crocheted"),
    "62": ("非针织或非钩编的服装及衣着附件", "Apparel, not knitted"),
    "64": ("鞋靴", "Footwear"),
    "7113": ("贵金属首饰", "Articles of jewellery of precious metal"),
    "84": ("机器、机械器具及电脑", "Machinery and mechanical appliances, computers"),
    "85": ("电机、电气设备及消费电子产品", "Electrical machinery, consumer electronics"),
    "8509": ("家用电动器具", "Household electric appliances"),
    "8516": ("电吹风、电热器具", "Hair dryers, electric heaters"),
    "8517": ("电话机、智能手机", "Telephone sets, smartphones"),
    "8518": ("耳机及扬声器", "Headphones and speakers"),
    "9101": ("贵金属表壳手表", "Wrist watches, case of precious metal"),
    "9102": ("其他手表", "Wrist watches, other"),
    "9503": ("玩具", "Toys, scale models and puzzles"),
    "9619": ("卫生巾及尿布", "Sanitary towels, diapers"),
}


@dataclass(frozen=True)
class Found:
    code: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class FoundPage:
    results: list[Found]
    page: int
    has_next: bool


def _query(text: str) -> str:
    return " ".join(text.split())[:MAX_QUERY]


def _page(found: list[Found], page: int) -> FoundPage:
    start = (page - 1) * PAGE_SIZE
    return FoundPage(found[start : start + PAGE_SIZE], page, len(found) > start + PAGE_SIZE)


def hs_search(q: str, *, chinese: bool, page: int = 1) -> FoundPage:
    """HS headings whose code starts with `q`, or whose Chinese or English name contains it."""
    q = _query(q)
    headings = dict(HS_HEADINGS)
    for prefix, description in PositiveListEntry.objects.values_list("hs_prefix", "description"):
        headings.setdefault(prefix, (description, description))
    found = [
        Found(code, zh if chinese else en)
        for code, (zh, en) in sorted(headings.items())
        if not q or code.startswith(q) or q in zh or q.lower() in en.lower()
    ]
    return _page(found, page)


def code_search(table: str, q: str, *, chinese: bool, page: int = 1) -> FoundPage:
    """Codes of a table valid today whose code starts with `q` or whose name contains it."""
    q = _query(q)
    entries = valid_on(CodeTableEntry.objects.filter(table=table), timezone.localdate())
    if q:
        entries = entries.filter(Q(code__startswith=q) | Q(name_zh__contains=q) | Q(name_en__icontains=q))
    start = (page - 1) * PAGE_SIZE
    # One row more than the page says whether there is a next one, without counting the table.
    rows = list(
        entries.order_by("code").values_list("code", "name_zh", "name_en")[start : start + PAGE_SIZE + 1]
    )
    found = [Found(code, zh if chinese or not en else en) for code, zh, en in rows[:PAGE_SIZE]]
    return FoundPage(found, page, len(rows) > PAGE_SIZE)

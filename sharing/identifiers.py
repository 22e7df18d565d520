"""Enterprise identifiers: the USCC (GB 32100-2015) and the 10-character customs code."""

import re

from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CUSTOMS_CODE_RE = re.compile(r"^[0-9A-Z]{10}$")
# A party's code as a query names it (a guarantor's, an exporter's): the customs code, the USCC or
# any code a CEB message carries (C..30), letters and digits only. It may end up in a file name.
PARTY_CODE_PATTERN = r"^[0-9A-Za-z]{1,30}$"


def uscc_error(value: str) -> str | None:
    """Why `value` is not a valid USCC, or None if it is.

    Positions 1-2 may be any symbol of the alphabet, 3-8 are the division code (digits), and the
    18th is the GB 32100 check character (python-stdnum computes it).
    """
    if len(value) != 18:
        return _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(value)}
    bad = sorted({c for c in value if c not in USCC_ALPHABET})
    if bad:
        message = _("Characters not allowed in a unified social credit code: %(chars)s.")
        return message % {"chars": " ".join(bad)} + " " + _("I, O, S, V and Z are never used.")
    if not value[2:8].isdigit():
        return _(
            "Positions 3 to 8 of a unified social credit code are the administrative division code (digits)."
        )
    expected = stdnum_uscc.calc_check_digit(value[:17])
    if value[17] != expected:
        return _("Wrong check character: the 18th character should be %(expected)s, not %(got)s.") % {
            "expected": expected,
            "got": value[17],
        }
    return None


def uscc_with_check_character(first17: str) -> str:
    """Complete 17 characters into a valid USCC (for reference data and tests)."""
    return first17 + stdnum_uscc.calc_check_digit(first17)


def customs_code_error(value: str) -> str | None:
    if not CUSTOMS_CODE_RE.match(value):
        return _("A customs code is exactly 10 upper-case letters or digits.")
    return None

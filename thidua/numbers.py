"""Numbers read and shown the Vietnamese way: one parser, one formatter, used everywhere.

Vietnamese writes a thousands dot and a decimal comma (``1.245,5``). People here also paste
figures from English-locale spreadsheets (``1,245.5``), so the reader follows one rule and never
guesses silently:

- when both marks appear, the last one is the decimal mark and the other one groups thousands
  (``1.245,5`` and ``1,245.5`` are both one thousand two hundred forty-five and a half);
- a lone mark follows the Vietnamese convention: a comma is the decimal mark (``95,6``), dots
  group thousands (``1.245``, ``1.245.500``);
- anything else — a dot that cannot be a thousands group (``25.5``), groups of the wrong size
  (``1.24.5``), two decimal marks, letters — is refused with a message that says how the text
  would be read and how to write what was meant.

The formatter is Babel's, with the ``vi`` locale; pages, documents, charts and exports all call
`format_number`, `format_fixed` or `format_percent`, so a number reads the same wherever it is.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal as _babel_format

LOCALE = "vi"
# The largest magnitude a form accepts: Numeric(18, 4) columns hold 14 digits before the point.
LIMIT = Decimal("1e14")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MINUS = {"\u2212": "-", "\u2013": "-"}


class NumberError(ValueError):
    """Text that is not a number written one of the accepted ways; `message` is for the user."""

    def __init__(self, text: str, message: str):
        super().__init__(message)
        self.text = text
        self.message = message


def _grouped(whole: str, sep: str) -> bool:
    """1.245.500 with `sep` "." — a first group of one to three digits, then groups of three."""
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})*", whole) is not None


def parse_number(text: str | None, *, allow_percent: bool = False) -> Decimal | None:
    """The value of a number typed by a person; None for an empty box; NumberError otherwise.

    >>> parse_number("1.245,5"), parse_number("1,245.5"), parse_number("95,6"), parse_number("1.245")
    (Decimal('1245.5'), Decimal('1245.5'), Decimal('95.6'), Decimal('1245'))
    """
    if text is None:
        return None
    original = text
    value = _SPACES.sub("", str(text))
    for mark, minus in _MINUS.items():
        value = value.replace(mark, minus)
    if allow_percent and value.endswith("%"):
        value = value[:-1]
    if not value:
        return None
    sign = ""
    if value[0] in "+-":
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    if not re.fullmatch(r"\d(?:[\d.,]*\d)?", value):
        raise NumberError(original, f"“{original.strip()}” không phải là một số. Ví dụ: 1.245 hoặc 95,6.")

    dots, commas = value.count("."), value.count(",")
    if dots and commas:
        decimal_mark = "." if value.rfind(".") > value.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _, fraction = value.rpartition(decimal_mark)
        if decimal_mark in whole or not fraction.isdigit() or not _grouped(whole, group_mark):
            raise NumberError(original, _unreadable(original))
        digits = whole.replace(group_mark, "") + "." + fraction
    elif commas:
        if commas > 1:
            if not _grouped(value, ","):
                raise NumberError(original, _unreadable(original))
            raise NumberError(original, f"“{original.strip()}” có nhiều dấu phẩy. Dấu phẩy là dấu thập phân; "
                                        f"nếu đó là dấu ngăn cách hàng nghìn, hãy viết {sign}{value.replace(',', '.')}.")
        whole, _, fraction = value.partition(",")
        if not whole or not fraction:
            raise NumberError(original, _unreadable(original))
        digits = whole + "." + fraction
    elif dots:
        if not _grouped(value, "."):
            meant = value.replace(".", ",") if dots == 1 else None
            hint = (f"Nếu đó là số thập phân, hãy viết {sign}{meant} (dấu phẩy là dấu thập phân)."
                    if meant and not meant.startswith(",") and not meant.endswith(",") else
                    "Dấu chấm chỉ ngăn cách hàng nghìn, ví dụ 1.245.500.")
            raise NumberError(original, f"“{original.strip()}” không đọc được: dấu chấm ngăn cách hàng nghìn "
                                        f"theo nhóm ba chữ số. {hint}")
        digits = value.replace(".", "")
    else:
        digits = value
    try:
        number = Decimal(sign + digits)
    except InvalidOperation:
        raise NumberError(original, _unreadable(original)) from None
    if abs(number) >= LIMIT:
        raise NumberError(original, f"“{original.strip()}” quá lớn (tối đa {format_number(LIMIT - 1)}).")
    return number


def _unreadable(original: str) -> str:
    return (f"“{original.strip()}” không đọc được. Viết dấu chấm ngăn cách hàng nghìn và dấu phẩy thập phân, "
            "ví dụ 1.245,5.")


def format_number(value, *, places: int = 4) -> str:
    """Grouped with dots, a decimal comma, at most `places` decimals, trailing zeros dropped: 1.245,5."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return _babel_format(Decimal(str(value)), format=pattern, locale=LOCALE, decimal_quantization=True)


def format_fixed(value, places: int = 2) -> str:
    """Exactly `places` decimals: scores and thresholds (89,33 · 85,00)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return _babel_format(Decimal(str(value)), format=pattern, locale=LOCALE, decimal_quantization=True)


def format_percent(value, places: int = 1) -> str:
    """A share already in percent: 95,6%."""
    if value is None:
        return ""
    return format_fixed(value, places) + "%"

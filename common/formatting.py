"""Numbers as people read them: the active language's separators, grouping, and no trailing zeros."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import formats


def number_display(value) -> str:
    """`Decimal("14.0000")` → "14", `250000000` → "250.000.000" (id) or "250,000,000" (en); "" for None."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    places = max(0, -number.as_tuple().exponent)
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)

"""How the report writes numbers: thousands separators, fixed decimals, signed deltas, "unknown".

An unknown figure is written "unknown", never 0. Deltas carry their sign ("+8", "-1,234.56"); a zero
delta is written without one ("0", "0.00").
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

UNKNOWN_TEXT = "unknown"

# Decimals per figure: cents, tenths of a kWh, kilograms of CO2e (as tonnes).
DECIMALS: dict[str, int] = {"gpus": 0, "monthly_usd": 2, "monthly_kwh": 1, "monthly_tco2e": 3}


def to_decimal(value: float | int | None, decimals: int) -> Decimal | None:
    """A float as the decimal it prints as (`repr`), rounded half-even to `decimals`."""
    if value is None:
        return None
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(Decimal(1).scaleb(-decimals),
                                                                                 rounding=ROUND_HALF_EVEN)


def number(value: float | int | Decimal | None, decimals: int) -> str:
    """"160,716.80"; "unknown" for None."""
    if value is None:
        return UNKNOWN_TEXT
    d = value if isinstance(value, Decimal) else to_decimal(value, decimals)
    assert d is not None
    d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    return f"{d + 0:,.{decimals}f}"  # `+ 0` turns -0.00 into 0.00


def signed(value: float | int | Decimal | None, decimals: int) -> str:
    """"+8", "-1,234.56", "0.00"; "unknown" for None."""
    if value is None:
        return UNKNOWN_TEXT
    d = value if isinstance(value, Decimal) else to_decimal(value, decimals)
    assert d is not None
    d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    if d == 0:
        return number(d, decimals)
    return f"{d:+,.{decimals}f}"


def figure(name: str, value: float | int | Decimal | None) -> str:
    return number(value, DECIMALS[name])


def delta(name: str, value: float | int | Decimal | None) -> str:
    return signed(value, DECIMALS[name])


def count(n: int, singular: str, plural: str | None = None) -> str:
    """"1 resource", "3 resources"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"

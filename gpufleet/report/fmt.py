"""How the report writes numbers: thousands separators, fixed decimals, signed deltas, "unknown".

An unknown figure is written "unknown", never 0. Deltas carry their sign ("+8", "-1,234.56"); a zero
delta is written without one ("0", "0.00"). A figure is written whole however large (a hostile or
broken plan's 1e26 USD reads as what it is, in scientific notation from 10^15 on); one that is not
finite reads "infinite" or "not a number".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction

from gpufleet.words import count  # noqa: F401 - the report modules say fmt.count

UNKNOWN_TEXT = "unknown"
# Beyond this a figure is no real fleet's: written in scientific notation, so it stays readable.
ABSURD = Decimal(10) ** 15
# Enough digits for any float (10^308) with its decimals, so rounding never fails on a huge figure.
_CONTEXT = Context(prec=400, Emax=999_999, Emin=-999_999)

# Decimals per figure: cents, tenths of a kWh, kilograms of CO2e (as tonnes).
DECIMALS: dict[str, int] = {"gpus": 0, "monthly_usd": 2, "monthly_kwh": 1, "monthly_tco2e": 3,
                             "monthly_embodied_tco2e": 3}


def to_decimal(value: float | int | None, decimals: int) -> Decimal | None:
    """A float as the decimal it prints as (`repr`), rounded half-even to `decimals`."""
    if value is None:
        return None
    d = Decimal(repr(value) if isinstance(value, float) else value)
    if not d.is_finite():
        return d
    with localcontext(_CONTEXT):
        return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def _not_finite(d: Decimal) -> str:
    return "not a number" if d.is_nan() else "infinite" if d > 0 else "-infinite"


def number(value: float | int | Decimal | None, decimals: int) -> str:
    """"160,716.80"; "unknown" for None."""
    if value is None:
        return UNKNOWN_TEXT
    d = value if isinstance(value, Decimal) else to_decimal(value, decimals)
    assert d is not None
    if not d.is_finite():
        return _not_finite(d)
    if abs(d) >= ABSURD:
        return f"{d:.3e}"
    with localcontext(_CONTEXT):
        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
        return f"{d + 0:,.{decimals}f}"  # `+ 0` turns -0.00 into 0.00


def signed(value: float | int | Decimal | None, decimals: int) -> str:
    """"+8", "-1,234.56", "0.00"; "unknown" for None."""
    if value is None:
        return UNKNOWN_TEXT
    d = value if isinstance(value, Decimal) else to_decimal(value, decimals)
    assert d is not None
    if not d.is_finite():
        return _not_finite(d) if d.is_nan() or d < 0 else "+infinite"
    if abs(d) >= ABSURD:
        return f"{d:+.3e}"
    with localcontext(_CONTEXT):
        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
        if d == 0:
            return number(d, decimals)
        return f"{d:+,.{decimals}f}"


def figure(name: str, value: float | int | Decimal | None) -> str:
    return number(value, DECIMALS[name])


def delta(name: str, value: float | int | Decimal | None) -> str:
    return signed(value, DECIMALS[name])


def is_finite(value: float | int | Decimal | None) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return value is None or math.isfinite(value)


def difference(head: Decimal | None, base: Decimal | None) -> Decimal | None:
    """head - base, exact for any figure a plan can hold; infinite minus infinite is not a number."""
    if head is None or base is None:
        return None
    with localcontext(_CONTEXT) as context:
        context.traps[InvalidOperation] = False
        return head - base


def sum_figures(values: list[Decimal | int]) -> Decimal:
    """The exact sum of figures as printed; infinities add up to infinite (or not a number)."""
    with localcontext(_CONTEXT) as context:
        context.traps[InvalidOperation] = False
        return sum((Decimal(v) for v in values), Decimal(0))


def gpu_figure(value: int | float) -> int | Decimal:
    """A GPU count from a plan, exact for subtraction: whole counts as int, shares of a GPU as the
    decimal the plan wrote (0.1667), never truncated to a whole GPU."""
    return value if isinstance(value, int) else Decimal(str(value))


def _gpu_decimal(n: int | float | Fraction | Decimal) -> Decimal:
    return Decimal(n.numerator) / Decimal(n.denominator) if isinstance(n, Fraction) else Decimal(n)


def gpus(n: int | float | Fraction | Decimal | None) -> str:
    """A GPU count: "1,024"; partitions of a GPU with two decimals ("0.17" for a sixth of one, never 0);
    a count no fleet has (a broken plan) in scientific notation."""
    if n is None:
        return UNKNOWN_TEXT
    d = _gpu_decimal(n)
    if not d.is_finite():
        return _not_finite(d)
    if abs(d) >= ABSURD:
        return f"{d:.3e}"
    return f"{int(d):,}" if d == d.to_integral_value() else f"{d:,.2f}"


def gpu_range(low: int | Fraction | None, high: int | Fraction | None) -> str:
    """GPUs as counted ("0"), or "0–32" for capacity that can scale above them (`high`: at its maximum
    node counts; None or equal: it cannot)."""
    return gpus(low) if high is None or high == low or low is None else f"{gpus(low)}–{gpus(high)}"


def gpus_with_unknown(counted: str, any_counted: bool, unknown: bool) -> str:
    """GPUs as counted, "+ unknown" beside GPU capacity of unknown size; "unknown" when that is all there is."""
    if not unknown:
        return counted
    return f"{counted} + unknown" if any_counted else "unknown"


def signed_gpu_range(counted: int | Decimal | None, reach: int | Decimal | None, noun: str = "") -> str:
    """A change of GPUs: "+8"; "0, max +32" or "+8, max unchanged" when what capacity can scale to changed
    otherwise (`reach`: the change of the GPUs reachable at maximum node counts). `noun` (singular) follows
    the count: "+8 GPUs, max unchanged", "+1 GPU"."""
    shown = count(signed_gpus(counted), noun) if noun else signed_gpus(counted)
    if reach is None or reach == counted:
        return shown
    return f"{shown}, max {signed_gpus(reach) if reach else 'unchanged'}"


def signed_gpus(n: int | float | Fraction | Decimal | None) -> str:
    if n is None:
        return UNKNOWN_TEXT
    d = _gpu_decimal(n)
    if not d.is_finite():
        return _not_finite(d)
    if abs(d) >= ABSURD:
        return f"{d:+.3e}"
    if not d:
        return "0"
    return f"{int(d):+,}" if d == d.to_integral_value() else f"{d:+,.2f}"

"""Parsing of OSM measurement values (lengths, heights, inclines) into SI numbers.

Each function returns ``nan`` when the value cannot be read: unknown is never turned into 0.
"""

from __future__ import annotations

import math
import re

NAN = math.nan

_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_LENGTH = re.compile(rf"^\s*({_NUMBER})\s*(m|cm|mm|km|ft|in|'|\"|)\s*$", re.IGNORECASE)
_FEET_INCHES = re.compile(rf"^\s*({_NUMBER})\s*'\s*({_NUMBER})\s*\"\s*$")
_UNIT_M = {"m": 1.0, "": 1.0, "cm": 0.01, "mm": 0.001, "km": 1000.0, "ft": 0.3048, "'": 0.3048}
_UNIT_M |= {"in": 0.0254, '"': 0.0254}

#: A kerb cannot be half a metre high; a unit-less kerb:height above this is read as centimetres
#: (mappers often write ``kerb:height=3`` meaning 3 cm). Source: OSM wiki Key:kerb:height notes
#: that values are in metres by default, and kerb heights in practice are 0-0.25 m.
KERB_UNITLESS_CM_ABOVE_M = 0.5

#: Grades beyond this are mapping errors, not slopes (steps are ~60-70 %).
MAX_PLAUSIBLE_INCLINE_PCT = 200.0


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def length_m(value: str | None) -> float:
    """Read a length such as ``1.5``, ``1,5 m``, ``150 cm``, ``5'6"`` or ``3 ft`` as metres."""
    if value is None:
        return NAN
    value = value.strip()
    match = _FEET_INCHES.match(value)
    if match:
        return _number(match[1]) * 0.3048 + _number(match[2]) * 0.0254
    match = _LENGTH.match(value)
    if not match:
        return NAN
    metres = _number(match[1]) * _UNIT_M[match[2].lower()]
    return metres if metres >= 0 else NAN


def kerb_height_m(value: str | None) -> float:
    """Read ``kerb:height`` (``0.03``, ``3 cm``, ``30 mm``, or a unit-less ``3`` meaning 3 cm)."""
    if value is None:
        return NAN
    match = _LENGTH.match(value.strip())
    if not match:
        return NAN
    number = _number(match[1])
    unit = match[2].lower()
    if unit == "" and number > KERB_UNITLESS_CM_ABOVE_M:
        unit = "cm"
    metres = number * _UNIT_M[unit]
    return metres if 0 <= metres <= 1.0 else NAN


_INCLINE = re.compile(rf"^\s*({_NUMBER})\s*(%|°|deg|)\s*$", re.IGNORECASE)


def incline(value: str | None) -> tuple[float, str]:
    """Read ``incline=*``.

    Returns ``(grade_pct, direction)`` where direction is ``"up"``, ``"down"``, ``"level"`` or
    ``""``. ``incline=up`` gives ``(nan, "up")``: a direction, not a grade. A signed grade gives
    its sign as the direction too.
    """
    if value is None:
        return NAN, ""
    text = value.strip().lower()
    if text in {"up", "down"}:
        return NAN, text
    if text in {"no", "flat", "level"}:
        return 0.0, "level"
    match = _INCLINE.match(text)
    if not match:
        return NAN, ""
    number = _number(match[1])
    grade = math.tan(math.radians(number)) * 100.0 if match[2] in {"°", "deg"} else number
    if (abs(number) >= 90 and match[2] in {"°", "deg"}) or abs(grade) > MAX_PLAUSIBLE_INCLINE_PCT:
        return NAN, ""
    direction = "up" if grade > 0 else "down" if grade < 0 else "level"
    return grade, direction


def count(value: str | None) -> int:
    """Read a non-negative integer count (``step_count``, ``lanes``); -1 when unknown."""
    if value is None:
        return -1
    text = value.strip()
    if not text.isdigit():
        return -1
    number = int(text)
    return number if number <= 10_000 else -1

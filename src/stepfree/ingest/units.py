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

#: The highest kerb (m) a ``kerb:height`` can describe. A unit-less value is metres (OSM wiki
#: Key:kerb and Key:height: "the default unit is metres"), so ``kerb:height=0.6`` is 0.6 m. The
#: highest step-like edges mapped as kerbs are level-boarding platform edges: 0.55 and 0.76 m
#: above the rail in the EU (TSI INF, Regulation (EU) 1299/2014, 4.2.9.2); bus boarding kerbs
#: stand 0.16-0.24 m. 1 m is also the top of the profiles' ``max_kerb_height_m`` range (no
#: limit). A value above it (``kerb:height=3`` or ``12``: the mapper probably meant cm, but
#: 3 m is as possible a misreading) cannot be a kerb: its height is unknown, never a guess.
MAX_KERB_HEIGHT_M = 1.0

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


def kerb_height(value: str | None) -> tuple[float, bool]:
    """Read ``kerb:height``: ``(metres, readable)``.

    ``0.03``, ``0.03 m``, ``3 cm``, ``30 mm`` and ``1.5"`` are read as given (no unit is
    metres). ``readable`` is False for a value given but not read: not a length, negative, or
    above `MAX_KERB_HEIGHT_M` (``kerb:height=3``: 3 m is no kerb, 3 cm a guess); its height is
    ``nan`` (unknown) and the caller reports it as a data problem. An absent value gives
    ``(nan, True)``.
    """
    if value is None:
        return NAN, True
    metres = length_m(value)
    if math.isnan(metres) or metres > MAX_KERB_HEIGHT_M:
        return NAN, False
    return metres, True


def kerb_height_m(value: str | None) -> float:
    """``kerb:height`` in metres, ``nan`` when absent or unreadable (see `kerb_height`)."""
    return kerb_height(value)[0]


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

"""Kerb readings of a node: one kerb, or the two kerbs a person meets at a crossing node.

OSM wiki Key:kerb: ``kerb=*`` (with ``kerb:height``) describes the kerb at a node; on a
``highway=crossing`` node it describes both kerbs of the crossing, and where the two differ the
wiki recommends ``kerb:left=*`` / ``kerb:right=*`` (``kerb:both=*`` for both), each with its own
``:height``. On a ``barrier=kerb`` node ``height=*`` is also seen for the height (Key:kerb, "On a
node"): it is read where ``kerb:height`` is absent.

A person crossing meets both kerbs, so a node with two sides carries the one that is worse for a
wheel: the higher type (raised over rolled over lowered over flush) and the larger height (a side
without a height counts at its type's typical height). What cannot be read safely is never
guessed lower: it is reported in ``kerb_problem`` (the tags at fault, ``kerb:height=3``, or
``kerb:right`` for a side with neither type nor height), which makes the node a kerb of unknown
height for the routing rules and a data problem in ``stepfree inspect``, while the part that is
known (a raised kerb on one side) still stops every profile it stops.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stepfree.attributes import Kerb
from stepfree.ingest import units
from stepfree.ingest.tag_tables import KERB

Tags = Mapping[str, str]

#: Kerb types from best to worst for a wheel (OSM wiki Key:kerb: flush ~0 cm, lowered ~3 cm,
#: rolled: sloped, raised > 3 cm). UNKNOWN and OTHER say nothing about height.
KERB_RANK = {Kerb.FLUSH: 1, Kerb.LOWERED: 2, Kerb.ROLLED: 3, Kerb.RAISED: 4}
#: Typical heights (m) by type, to tell which of two sides is the higher where one has no
#: height: the values the routing rules use for a kerb without height (costing.rules
#: KERB_TYPICAL_M: DIN 18040-3 lowered up to 0.03 m, typical 0.02; rolled 0.05-0.10; raised
#: 0.10-0.15), kept equal to them by a test (ingest may not import profiles).
TYPICAL_M = {Kerb.FLUSH: 0.0, Kerb.LOWERED: 0.02, Kerb.ROLLED: 0.06, Kerb.RAISED: 0.12}
SIDES = ("left", "right")


@dataclass(frozen=True)
class KerbReading:
    """What a node says of its kerb: type, height in metres, and the tags not read safely."""

    kind: Kerb = Kerb.UNKNOWN
    height_m: float = math.nan
    problems: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """Whether the type or the height says how high the kerb is."""
        return self.kind in KERB_RANK or not math.isnan(self.height_m)

    @property
    def mapped(self) -> bool:
        """Whether the node carries any kerb tag at all."""
        return self.kind != Kerb.UNKNOWN or not math.isnan(self.height_m) or bool(self.problems)


def _kind(value: str | None) -> Kerb:
    return Kerb.UNKNOWN if value is None else KERB.get(value.strip().lower(), Kerb.OTHER)


def _levels(tags: Tags, side: str) -> list[tuple[str, list[str]]]:
    """The kerb keys for one side, most specific first: (type key, height keys)."""
    plain = ["kerb:height"] + (["height"] if tags.get("barrier") == "kerb" else [])
    levels = [("kerb", plain)]
    if side:
        levels = [(f"kerb:{side}", [f"kerb:{side}:height"]), ("kerb:both", ["kerb:both:height"])]
        levels.append(("kerb", plain))
    return levels


def _side(tags: Tags, side: str) -> KerbReading:
    """One kerb: its type from the most specific key that has one, its height from a key no
    less specific than the type's (``kerb:left=raised`` does not take the plain kerb's
    ``kerb:height``, which describes ``kerb=*``)."""
    levels = _levels(tags, side)
    typed = next((i for i, (key, _) in enumerate(levels) if key in tags), len(levels) - 1)
    kind = _kind(tags.get(levels[typed][0]))
    for _, height_keys in levels[: typed + 1]:
        key = next((k for k in height_keys if k in tags), None)
        if key is not None:
            height, readable = units.kerb_height(tags[key])
            problems = () if readable else (f"{key}={tags[key]}",)
            return KerbReading(kind, height, problems)
    return KerbReading(kind)


def _has_sides(tags: Tags) -> bool:
    return any(key.startswith(("kerb:left", "kerb:right", "kerb:both")) for key in tags)


def _effective_m(side: KerbReading) -> float:
    """A side's height, else its type's typical height (for comparing two sides only)."""
    return side.height_m if not math.isnan(side.height_m) else TYPICAL_M.get(side.kind, math.nan)


def _worse(left: KerbReading, right: KerbReading) -> KerbReading:
    """The kerb a person crossing meets at its worst, both sides known: the worse type, and
    the larger height where a measured height is the larger (else the worse type's typical
    height applies, which is at least the other side's)."""
    kind = max((left, right), key=lambda side: KERB_RANK.get(side.kind, 0)).kind
    worse = max((left, right), key=lambda side: (_effective_m(side), KERB_RANK.get(side.kind, 0)))
    return KerbReading(kind, worse.height_m, left.problems + right.problems)


def node_kerb(tags: Tags) -> KerbReading:
    """The kerb a person meets at a node (see the module docstring for the readings)."""
    if not _has_sides(tags):
        return _side(tags, "")
    left, right = (_side(tags, side) for side in SIDES)
    problems = left.problems + right.problems
    if left.known and right.known:
        return _worse(left, right)
    if left.known or right.known:
        # One side unknown: the known one is a floor (a raised kerb stops whom it stops), and
        # the unknown side makes the node a kerb of unknown height.
        known, unknown, name = (left, right, "right") if left.known else (right, left, "left")
        gap = () if unknown.problems else (f"kerb:{name}",)
        return KerbReading(known.kind, known.height_m, problems + gap)
    kind = Kerb.OTHER if Kerb.OTHER in (left.kind, right.kind) else Kerb.UNKNOWN
    return KerbReading(kind, math.nan, problems)

"""Tag proportions of the synthetic city, measured on real extracts, and the tag builders.

Every share below was measured with ``benchmarks/measure_tags.py`` on the seven extracts in
``../shared/data/osm/`` (Andorra 2023, Baltimore 2015, Helsinki 2019, Monaco 2023, Moscow centre
2020, Porto 2020, Redmond 2023), pooled; the comment beside each constant gives the counts.
Where a tag kind the brief asks for is rarer than ``MIN_SHARE`` in the extracts (``kerb=rolled``,
``kerb:height``, ``ramp:wheelchair``...), its share is raised to ``MIN_SHARE`` so that it occurs
in a city of 10^4 nodes; those constants say "floored". Choices that no extract can measure
(block sizes, the district mix, ``sidewalk=separate`` on roads) say "design".

The synthetic city is a *well-mapped* city: every district maps its sidewalks, either as tags
on the roads or as separate ways. In the extracts 95% of road ways carry no sidewalk
information (10,251 of 10,757); we do not copy that gap, since the benchmark is about the
accessibility attributes.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

import numpy as np

MIN_SHARE = 0.01  # floor for rare tag kinds (so each occurs in a 10^4-node city)

Dist = tuple[tuple[str | None, ...], tuple[float, ...]]


def dist(shares: Mapping[str | None, float]) -> Dist:
    """A categorical distribution (``None`` = tag absent), normalised to sum 1."""
    values = tuple(shares)
    weights = np.array([shares[v] for v in values], dtype=float)
    cum = np.cumsum(weights / weights.sum())
    cum[-1] = 1.0
    return values, tuple(float(c) for c in cum)


class Draws:
    """Uniform numbers drawn in bulk from a seeded numpy generator, consumed one by one."""

    def __init__(self, rng: np.random.Generator, size: int = 1 << 16) -> None:
        self._rng, self._size = rng, size
        self._pool: list[float] = []
        self._next = 0

    def u(self) -> float:
        if self._next >= len(self._pool):
            self._pool = self._rng.random(self._size).tolist()
            self._next = 0
        self._next += 1
        return self._pool[self._next - 1]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def pick(self, distribution: Dist) -> str | None:
        values, cum = distribution
        return values[min(bisect.bisect_right(cum, self.u()), len(values) - 1)]

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.u()


# --- Street network ---------------------------------------------------------------------------
# Street ways (primary 1,241, secondary 1,056, tertiary 592, unclassified 420, residential
# 2,775, living_street 96; 6,180 in all). A grid line keeps one class; living_street is drawn
# per segment of a minor street: 96 / (2,775 + 420 + 96) = 0.029.
STREET_CLASS = dist(
    {
        "primary": 0.201,
        "secondary": 0.171,
        "tertiary": 0.096,
        "unclassified": 0.068,
        "residential": 0.465,
    }
)
LIVING_STREET_SHARE = 0.029
LANES = {"primary": "4", "secondary": "2", "tertiary": "2"}  # design
# Roads with a sidewalk tag: both 219, right 161, left 43, no 65 (488 in all).
SIDEWALK_TAG = dist({"both": 0.449, "right": 0.330, "left": 0.088, "no": 0.133})
# Districts: separately mapped sidewalks (1,949 footway=sidewalk ways, ~975 road-equivalents
# at two sides a road) against 488 roads with sidewalk tags: 975 / (975 + 488) = 0.67.
SEPARATE_DISTRICT_SHARE = 0.67
# sidewalk=separate on a road whose sidewalks are mapped apart: measured 10 roads, about 1% of
# the ~975 road-equivalents (the tag spread after 2020); design 0.25 so the tag kind occurs.
SEPARATE_TAG_SHARE = 0.25
ROAD_SURFACE = dist(
    {
        None: 0.626,
        "asphalt": 0.251,
        "paved": 0.089,
        "sett": 0.025,
        "paving_stones": 0.006,
        "concrete": 0.002,
    }
)  # 10,757 road ways
ROAD_LIT = dist({None: 0.855, "yes": 0.143, "no": 0.002})  # 10,757 road ways
# Service ways (4,577): none 2,709, parking_aisle 1,031, alley 440, driveway 350, other 47.
SERVICE_KIND = dist({None: 0.602, "parking_aisle": 0.225, "alley": 0.096, "driveway": 0.076})
SERVICE_PER_STREET = 0.74  # 4,577 service ways / 6,180 street ways

# --- Footways, sidewalks, steps -----------------------------------------------------------------
# Footway-class ways without footway=*: 8,429 (footway 4,847 plain, path 1,733, pedestrian 1,849).
PATHS_PER_STREET = 1.36  # 8,429 / 6,180
PATH_CLASS = dist({"footway": 0.57, "path": 0.20, "pedestrian": 0.22})
STEPS_PER_STREET = 0.195  # 1,206 steps / 6,180
# Footway-class ways (11,546): surface none 6,229, concrete 2,546, paving_stones 762,
# asphalt 749, sett 163, ground 94, gravel 58, compacted 22, other 923 (written as "paved").
FOOT_SURFACE = dist(
    {
        None: 0.539,
        "concrete": 0.221,
        "paved": 0.080,
        "paving_stones": 0.066,
        "asphalt": 0.065,
        "sett": 0.014,
        "ground": 0.008,
        "gravel": 0.005,
        "compacted": 0.002,
    }
)
# smoothness: none 11,387, excellent 110, intermediate 17, good 9, bad 4 (floored).
FOOT_SMOOTHNESS = dist(
    {
        None: 0.960,
        "excellent": 0.010,
        "good": MIN_SHARE,
        "intermediate": MIN_SHARE,
        "bad": MIN_SHARE,
    }
)
FOOT_WIDTH_SHARE = 0.016  # 186 of 11,546 carry width
FOOT_WIDTHS = dist({"1.5": 0.3, "2": 0.3, "3": 0.2, "0.9": 0.1, "1.2 m": 0.1})  # design
FOOT_LIT = dist({None: 0.871, "yes": 0.122, "no": 0.007})  # 11,546
# incline: up/down 555, a value 21 (floored); values design.
FOOT_INCLINE = dist(
    {
        None: 0.942,
        "up": 0.024,
        "down": 0.024,
        "5%": MIN_SHARE / 2,
        "-8%": MIN_SHARE / 2,
        "12%": MIN_SHARE / 2,
    }
)
FOOT_WHEELCHAIR = dist({None: 0.984, "yes": 0.006, "no": MIN_SHARE})  # 75 yes, 2 no (floored)
# Steps (1,206): ramp:wheelchair yes 2, no 4 (floored); ramp yes 2 (floored), no 56;
# handrail yes 65, no 41; step_count 159; incline up 218, down 183.
STEPS_RAMP_WHEELCHAIR = dist({None: 0.98, "yes": MIN_SHARE, "no": MIN_SHARE})
STEPS_RAMP = dist({None: 0.944, "yes": MIN_SHARE, "no": 0.046})
STEPS_HANDRAIL = dist({None: 0.912, "yes": 0.054, "no": 0.034})
STEP_COUNT_SHARE = 0.132
STEPS_INCLINE = dist({None: 0.667, "up": 0.181, "down": 0.152})
ELEVATOR_PER_STEPS = 0.066  # 80 elevator nodes / 1,206 steps
ELEVATOR_WHEELCHAIR = dist({None: 0.725, "yes": 0.275})  # 58 / 22

# --- Crossings and kerbs ------------------------------------------------------------------------
# highway=crossing nodes (2,555): marked 572, uncontrolled 570, none 506, traffic_signals 435,
# zebra 359, unmarked 110.
CROSSING = dist(
    {
        "marked": 0.224,
        "uncontrolled": 0.223,
        None: 0.198,
        "traffic_signals": 0.170,
        "zebra": 0.141,
        "unmarked": 0.043,
    }
)
CROSSING_WAY_VALUE_SHARE = 0.608  # footway=crossing ways with crossing=* (620 of 1,032)
SIGNAL_SOUND = dist({None: 0.784, "yes": 0.198, "no": 0.018})  # 435 signalled crossings
CROSSING_TACTILE = dist({None: 0.943, "yes": 0.031, "no": 0.026})  # 2,555 crossing nodes
# Crossing nodes on roads with no crossing way: (2,555 - 1,032) / 6,180 street ways.
TAGGED_CROSSINGS_PER_STREET = 0.25
# Kerb nodes (831) per end of a crossing way: 831 / (2 x 1,032).
KERB_PER_CROSSING_END = 0.40
# kerb=*: lowered 708, raised 92, flush 30, other 1; rolled and absent (barrier=kerb alone,
# unknown) never occur and are floored.
KERB = dist(
    {"lowered": 0.852, "raised": 0.111, "flush": 0.036, "rolled": MIN_SHARE, None: 2 * MIN_SHARE}
)
KERB_HEIGHT_SHARE = MIN_SHARE  # 2 of 831 (floored)
KERB_HEIGHTS = {
    "lowered": ("0.02", "3 cm"),
    "raised": ("0.12", "0.15"),
    "flush": ("0",),
    "rolled": ("0.06",),
}  # design, typical of each kind
KERB_TACTILE = dist({"yes": 0.566, None: 0.424, "no": MIN_SHARE})  # 470 / 356 / 5 (floored)

# --- Points -------------------------------------------------------------------------------------
BARRIERS_PER_STREET = 0.25  # 1,553 point barriers / 6,180
# gate 835, bollard 430, lift_gate 174, other 74 (written "yes": an unknown barrier), block 17,
# entrance 13, cycle_barrier 8, turnstile 2.
BARRIER = dist(
    {
        "gate": 0.538,
        "bollard": 0.277,
        "lift_gate": 0.112,
        "yes": 0.048,
        "block": 0.011,
        "entrance": 0.008,
        "cycle_barrier": 0.005,
        "turnstile": 0.001,
    }
)
POIS_PER_STREET = 0.76  # 4,710 POIs / 6,180
# shop 2,097, restaurant 955, bus_stop 713, cafe 458, bank 118, toilets 103, pharmacy 90,
# school 81, clinic 43, post_office 24, hospital 17, doctors 11.
POI_KIND = dist(
    {
        "shop": 0.445,
        "restaurant": 0.203,
        "bus_stop": 0.151,
        "cafe": 0.097,
        "bank": 0.025,
        "toilets": 0.022,
        "pharmacy": 0.019,
        "school": 0.017,
        "clinic": 0.009,
        "post_office": 0.005,
        "hospital": 0.004,
        "doctors": 0.002,
    }
)
SHOP_KIND = dist(
    {"convenience": 0.3, "supermarket": 0.2, "clothes": 0.2, "bakery": 0.15, "hairdresser": 0.15}
)  # design
POI_WHEELCHAIR = dist({None: 0.911, "yes": 0.054, "limited": 0.020, "no": 0.015})  # 4,710


def _put(tags: dict[str, str], key: str, value: str | None) -> None:
    if value is not None:
        tags[key] = value


def street_tags(cls: str, line: int, separate: bool, d: Draws) -> dict[str, str]:
    """A street segment: class, name in Kazakh and Russian, surface, lit, sidewalks."""
    if cls in ("residential", "unclassified") and d.chance(LIVING_STREET_SHARE):
        cls = "living_street"
    tags = {"highway": cls, "name": f"{line}-көше", "name:ru": f"улица {line}"}
    _put(tags, "lanes", LANES.get(cls))
    _put(tags, "surface", d.pick(ROAD_SURFACE))
    _put(tags, "lit", d.pick(ROAD_LIT))
    if separate:
        if d.chance(SEPARATE_TAG_SHARE):
            tags["sidewalk"] = "separate"
    else:
        _put(tags, "sidewalk", d.pick(SIDEWALK_TAG))
    return tags


def _foot_common(tags: dict[str, str], d: Draws) -> dict[str, str]:
    _put(tags, "surface", d.pick(FOOT_SURFACE))
    _put(tags, "smoothness", d.pick(FOOT_SMOOTHNESS))
    if d.chance(FOOT_WIDTH_SHARE):
        _put(tags, "width", d.pick(FOOT_WIDTHS))
    _put(tags, "lit", d.pick(FOOT_LIT))
    _put(tags, "incline", d.pick(FOOT_INCLINE))
    _put(tags, "wheelchair", d.pick(FOOT_WHEELCHAIR))
    return tags


def sidewalk_tags(line: int, d: Draws) -> dict[str, str]:
    """A separately mapped sidewalk."""
    return _foot_common({"highway": "footway", "footway": "sidewalk", "name": f"{line}-көше"}, d)


def path_tags(d: Draws) -> dict[str, str]:
    """A footpath through or into a block."""
    return _foot_common({"highway": d.pick(PATH_CLASS) or "footway"}, d)


def steps_tags(d: Draws) -> dict[str, str]:
    """A flight of steps."""
    tags = {"highway": "steps"}
    _put(tags, "ramp:wheelchair", d.pick(STEPS_RAMP_WHEELCHAIR))
    _put(tags, "ramp", d.pick(STEPS_RAMP))
    _put(tags, "handrail", d.pick(STEPS_HANDRAIL))
    if d.chance(STEP_COUNT_SHARE):
        tags["step_count"] = str(3 + int(d.u() * 28))
    _put(tags, "incline", d.pick(STEPS_INCLINE))
    _put(tags, "surface", d.pick(FOOT_SURFACE))
    return tags


def service_tags(d: Draws) -> dict[str, str]:
    """A service road into a block."""
    tags = {"highway": "service"}
    _put(tags, "service", d.pick(SERVICE_KIND))
    _put(tags, "surface", d.pick(ROAD_SURFACE))
    return tags


def crossing_node_tags(d: Draws) -> tuple[dict[str, str], str | None]:
    """A highway=crossing node, and its crossing=* value (for the crossing way)."""
    value = d.pick(CROSSING)
    tags = {"highway": "crossing"}
    _put(tags, "crossing", value)
    if value == "traffic_signals":
        _put(tags, "traffic_signals:sound", d.pick(SIGNAL_SOUND))
    _put(tags, "tactile_paving", d.pick(CROSSING_TACTILE))
    return tags, value


def crossing_way_tags(value: str | None, d: Draws) -> dict[str, str]:
    """A footway=crossing way; it repeats its node's crossing=* as often as mappers do."""
    tags = {"highway": "footway", "footway": "crossing"}
    if value is not None and d.chance(CROSSING_WAY_VALUE_SHARE):
        tags["crossing"] = value
    _put(tags, "surface", d.pick(ROAD_SURFACE))
    return tags


def kerb_tags(d: Draws) -> dict[str, str]:
    """A barrier=kerb node (kerb=* absent sometimes: unknown)."""
    kind = d.pick(KERB)
    tags = {"barrier": "kerb"}
    _put(tags, "kerb", kind)
    if kind is not None and d.chance(KERB_HEIGHT_SHARE):
        heights = KERB_HEIGHTS[kind]
        tags["kerb:height"] = heights[int(d.u() * len(heights))]
    _put(tags, "tactile_paving", d.pick(KERB_TACTILE))
    return tags


def elevator_tags(d: Draws) -> dict[str, str]:
    """A highway=elevator node."""
    tags = {"highway": "elevator"}
    _put(tags, "wheelchair", d.pick(ELEVATOR_WHEELCHAIR))
    return tags


def barrier_tags(d: Draws) -> dict[str, str]:
    """A point barrier on a path or a service road."""
    return {"barrier": d.pick(BARRIER) or "gate"}


def poi_tags(d: Draws) -> dict[str, str]:
    """A shop, an amenity or a bus stop, with wheelchair=* as often as mapped."""
    kind = d.pick(POI_KIND) or "shop"
    if kind == "shop":
        tags = {"shop": d.pick(SHOP_KIND) or "convenience"}
    elif kind == "bus_stop":
        tags = {"highway": "bus_stop"}
    else:
        tags = {"amenity": kind}
    _put(tags, "wheelchair", d.pick(POI_WHEELCHAIR))
    return tags

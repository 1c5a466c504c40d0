"""The typed attributes of the network, and how *unknown* is spelled for each.

Every categorical attribute is a small ``IntEnum`` whose value ``0`` is ``UNKNOWN``, so a
zero-filled array means "the map does not say" and never "no". Numeric attributes are float32
with ``NaN`` for unknown (or int16 with ``-1`` for counts). Units are in the names.

The schema tables at the end (``NODE_ATTRIBUTES``, ``EDGE_ATTRIBUTES``) are the single place that
says which arrays a graph carries, their dtype and their fill value for "unknown"; the builder,
the file format and the exporters all read them.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Tri(IntEnum):
    """Truth with honest gaps: yes | limited | no | unknown."""

    UNKNOWN = 0
    NO = 1
    LIMITED = 2
    YES = 3


class Wheelchair(IntEnum):
    """``wheelchair=*``; ``limited`` stays limited (Valhalla reads it as yes)."""

    UNKNOWN = 0
    NO = 1
    LIMITED = 2
    YES = 3
    DESIGNATED = 4


class Kerb(IntEnum):
    """``kerb=*``. ``raised`` is raised (openrouteservice reads it as unknown); ``no`` is flush."""

    UNKNOWN = 0
    FLUSH = 1  # kerb=flush, kerb=no: level with the road
    LOWERED = 2  # kerb=lowered (dropped kerb, typically 0.02-0.03 m)
    ROLLED = 3  # kerb=rolled (sloped, rounded)
    RAISED = 4  # kerb=raised, kerb=yes, kerb=regular (a full step, typically >= 0.10 m)
    OTHER = 5  # a value we do not know how to read


class Highway(IntEnum):
    """Class of a way, pedestrian ways first. ``NONE`` means no highway tag (platforms)."""

    UNKNOWN = 0
    FOOTWAY = 1
    PATH = 2
    PEDESTRIAN = 3
    STEPS = 4
    CORRIDOR = 5
    ELEVATOR = 6
    CYCLEWAY = 7
    BRIDLEWAY = 8
    TRACK = 9
    PLATFORM = 10
    LIVING_STREET = 11
    SERVICE = 12
    RESIDENTIAL = 13
    UNCLASSIFIED = 14
    ROAD = 15
    TERTIARY = 16
    SECONDARY = 17
    PRIMARY = 18
    TRUNK = 19
    MOTORWAY = 20


#: Road classes that count as "major" (a missing sidewalk there is a hazard).
MAJOR_ROADS = frozenset({Highway.PRIMARY, Highway.SECONDARY, Highway.TRUNK, Highway.MOTORWAY})
#: Classes that carry motor traffic (their crossings are street crossings).
ROADS = frozenset(
    {
        Highway.LIVING_STREET,
        Highway.SERVICE,
        Highway.RESIDENTIAL,
        Highway.UNCLASSIFIED,
        Highway.ROAD,
        Highway.TERTIARY,
        Highway.SECONDARY,
        Highway.PRIMARY,
        Highway.TRUNK,
        Highway.MOTORWAY,
    }
)


class Footway(IntEnum):
    """``footway=*`` (and the role of an edge in the pedestrian network)."""

    UNKNOWN = 0  # a footway with no subtype, or not a footway
    SIDEWALK = 1
    CROSSING = 2
    ACCESS_AISLE = 3
    TRAFFIC_ISLAND = 4
    LINK = 5
    OTHER = 6


class Sidewalk(IntEnum):
    """``sidewalk=*`` on a road. ``SEPARATE`` roads are dropped from the walking network."""

    UNKNOWN = 0
    NO = 1
    LEFT = 2
    RIGHT = 3
    BOTH = 4
    SEPARATE = 5
    NOT_A_ROAD = 6  # the edge is itself a footway, path, steps...
    YES = 7  # sidewalk=yes: a sidewalk on at least one side, which one unknown (Key:sidewalk)


#: Sidewalk values saying the road has a sidewalk along it (on a known side or not).
WITH_SIDEWALK = frozenset({Sidewalk.LEFT, Sidewalk.RIGHT, Sidewalk.BOTH, Sidewalk.YES})


class Crossing(IntEnum):
    """Control of a crossing (``crossing=*`` with ``crossing:signals``/``crossing:markings``)."""

    UNKNOWN = 0  # highway=crossing with no type
    NOT_A_CROSSING = 1
    TRAFFIC_SIGNALS = 2
    MARKED = 3  # marked, zebra, uncontrolled with markings
    UNMARKED = 4
    NO = 5  # crossing=no: crossing here is not possible or not allowed


class Surface(IntEnum):
    """``surface=*`` grouped by what a small wheel feels."""

    UNKNOWN = 0
    PAVED_SMOOTH = 1  # asphalt, concrete, paved, concrete:plates, metal, wood, rubber...
    PAVING_STONES = 2  # paving_stones, bricks, interlocking
    SETT = 3  # sett, unhewn_cobblestone, cobblestone
    COMPACTED = 4  # compacted, fine_gravel
    GRAVEL = 5  # gravel, pebblestone, rock
    UNPAVED_SOFT = 6  # ground, dirt, earth, grass, mud, sand, woodchips, unpaved
    OTHER = 7


class Smoothness(IntEnum):
    """``smoothness=*`` in its own scale order (higher is rougher)."""

    UNKNOWN = 0
    EXCELLENT = 1
    GOOD = 2
    INTERMEDIATE = 3
    BAD = 4
    VERY_BAD = 5
    HORRIBLE = 6
    VERY_HORRIBLE = 7
    IMPASSABLE = 8


class InclineDirection(IntEnum):
    """A grade-less incline: ``incline=up|down`` (common on steps) is a direction, not a grade."""

    UNKNOWN = 0
    UP = 1  # rises in the drawing direction
    DOWN = 2  # falls in the drawing direction
    LEVEL = 3  # incline=0 or no incline on a flat way


class Source(IntEnum):
    """Where a value came from."""

    UNKNOWN = 0
    TAG = 1
    DEM = 2


class Barrier(IntEnum):
    """Point barriers (``barrier=*`` on a node). ``NONE`` means the node has no barrier."""

    UNKNOWN = 0  # barrier=yes or an unrecognised value
    NONE = 1
    KERB = 2
    BOLLARD = 3
    GATE = 4
    LIFT_GATE = 5
    TURNSTILE = 6
    KISSING_GATE = 7
    STILE = 8
    CYCLE_BARRIER = 9
    BLOCK = 10
    ENTRANCE = 11  # barrier=entrance: a gap in a wall
    OTHER = 12


class Entrance(IntEnum):
    """``entrance=*`` (or ``door=*``) on a node; ``NONE`` when the node is not an entrance."""

    UNKNOWN = 0
    NONE = 1
    MAIN = 2
    SECONDARY = 3
    SERVICE = 4
    EMERGENCY = 5
    OTHER = 6


class Access(IntEnum):
    """Pedestrian access after ``access``/``foot`` (foot wins). Ways with NO are not kept."""

    UNKNOWN = 0
    NO = 1
    PRIVATE = 2
    DESTINATION = 3
    PERMISSIVE = 4
    YES = 5
    DESIGNATED = 6


#: Unknown fill values by dtype.
UNKNOWN_FLOAT = np.float32(np.nan)
UNKNOWN_COUNT = -1
NO_STRING = -1  # index into the string table meaning "absent"

# name -> (dtype, fill for unknown, what it is). The order here is the order in the file.
NODE_ATTRIBUTES: dict[str, tuple[str, float | int, str]] = {
    "kerb": ("u1", 0, "Kerb type at this node"),
    "kerb_height_m": ("f4", np.nan, "Kerb height in metres"),
    "kerb_source": ("u1", 0, "Source of the kerb value (tag on a kerb or a crossing node)"),
    "kerb_problem": (
        "i4",
        NO_STRING,
        "Kerb tags not read safely (kerb:height=3, a side not mapped): height unknown",
    ),
    "crossing": ("u1", Crossing.NOT_A_CROSSING, "Crossing control"),
    "crossing_signals": ("u1", 0, "Traffic signals for pedestrians"),
    "crossing_island": ("u1", 0, "Refuge island in the crossing"),
    "crossing_markings": ("u1", 0, "Road markings at the crossing"),
    "signals_sound": ("u1", 0, "Audible signal (traffic_signals:sound)"),
    "signals_vibration": ("u1", 0, "Vibrating signal (traffic_signals:vibration)"),
    "button_operated": ("u1", 0, "Signal needs a button press"),
    "tactile_paving": ("u1", 0, "Tactile paving at this node"),
    "barrier": ("u1", Barrier.NONE, "Point barrier"),
    "elevator": ("u1", 0, "An elevator (highway=elevator): YES, else UNKNOWN"),
    "entrance": ("u1", Entrance.NONE, "Entrance type"),
    "wheelchair": ("u1", 0, "wheelchair=* on the node"),
    "level": ("i4", NO_STRING, "level=* (string table index)"),
    "opening_hours": ("i4", NO_STRING, "opening_hours=* (string table index)"),
    "crossed_road_class": ("u1", 0, "Highest class of a road through this node"),
    "crossed_road_lanes": ("i1", UNKNOWN_COUNT, "Most lanes of a road through this node"),
    "traffic_signals": ("u1", 0, "highway=traffic_signals on the node"),
    "crossed_name": ("i4", NO_STRING, "name of the road crossed here (string table index)"),
    "crossed_name_kk": ("i4", NO_STRING, "name:kk of the road crossed here"),
    "crossed_name_ru": ("i4", NO_STRING, "name:ru of the road crossed here"),
    "crossed_name_en": ("i4", NO_STRING, "name:en of the road crossed here"),
}

EDGE_ATTRIBUTES: dict[str, tuple[str, float | int, str]] = {
    "highway": ("u1", 0, "Way class"),
    "footway": ("u1", 0, "footway=* subtype"),
    "sidewalk": ("u1", 0, "Sidewalk on a road"),
    "crossing": ("u1", Crossing.NOT_A_CROSSING, "Crossing control (crossing ways)"),
    "crossing_markings_value": (
        "i4",
        NO_STRING,
        "crossing:markings of a crossing way, as tagged or as its crossing type says",
    ),
    "access": ("u1", 0, "Pedestrian access after access/foot"),
    "incline_pct": ("f4", np.nan, "Signed grade in % in the drawing direction (u to v)"),
    "incline_direction": ("u1", 0, "Grade-less direction (incline=up/down)"),
    "incline_source": ("u1", 0, "Source of incline_pct"),
    "surface": ("u1", 0, "Surface group"),
    "surface_value": ("i4", NO_STRING, "surface=* as tagged (string table index)"),
    "smoothness": ("u1", 0, "Smoothness"),
    "width_m": ("f4", np.nan, "Usable width in metres (width or maxwidth:physical, the smaller)"),
    "step_count": ("i2", UNKNOWN_COUNT, "Number of steps"),
    "handrail": ("u1", 0, "Handrail on any side"),
    "ramp": ("u1", 0, "Ramp beside the steps"),
    "ramp_wheelchair": ("u1", 0, "Wheelchair ramp beside the steps"),
    "ramp_stroller": ("u1", 0, "Stroller ramp beside the steps"),
    "lit": ("u1", 0, "Lit at night"),
    "wheelchair": ("u1", 0, "wheelchair=* on the way"),
    "tactile_paving": ("u1", 0, "Tactile paving along the way"),
    "winter_service": ("u1", 0, "Cleared in winter (winter_service or snowplowing)"),
    "lanes": ("i1", UNKNOWN_COUNT, "Lanes of the road (roads and crossings)"),
    "indoor": ("u1", 0, "Indoor way"),
    "bridge": ("u1", 0, "On a bridge (not sampled from a DEM)"),
    "tunnel": ("u1", 0, "In a tunnel (not sampled from a DEM)"),
    "level": ("i4", NO_STRING, "level=* (string table index)"),
    "opening_hours": ("i4", NO_STRING, "opening_hours=* (string table index)"),
    "name": ("i4", NO_STRING, "name (string table index)"),
    "name_kk": ("i4", NO_STRING, "name:kk (string table index)"),
    "name_ru": ("i4", NO_STRING, "name:ru (string table index)"),
    "name_en": ("i4", NO_STRING, "name:en (string table index)"),
}

#: Attributes that index the string table.
STRING_ATTRIBUTES = frozenset(
    {
        "kerb_problem",
        "surface_value",
        "crossing_markings_value",
        "level",
        "opening_hours",
        "name",
        "name_kk",
        "name_ru",
        "name_en",
        "crossed_name",
        "crossed_name_kk",
        "crossed_name_ru",
        "crossed_name_en",
    }
)

#: Which enum each categorical attribute uses (for readers and exporters).
ENUMS: dict[str, type[IntEnum]] = {
    "kerb": Kerb,
    "kerb_source": Source,
    "crossing": Crossing,
    "crossing_signals": Tri,
    "crossing_island": Tri,
    "crossing_markings": Tri,
    "signals_sound": Tri,
    "signals_vibration": Tri,
    "button_operated": Tri,
    "tactile_paving": Tri,
    "barrier": Barrier,
    "elevator": Tri,
    "entrance": Entrance,
    "wheelchair": Wheelchair,
    "crossed_road_class": Highway,
    "traffic_signals": Tri,
    "highway": Highway,
    "footway": Footway,
    "sidewalk": Sidewalk,
    "access": Access,
    "incline_direction": InclineDirection,
    "incline_source": Source,
    "surface": Surface,
    "smoothness": Smoothness,
    "handrail": Tri,
    "ramp": Tri,
    "ramp_wheelchair": Tri,
    "ramp_stroller": Tri,
    "lit": Tri,
    "winter_service": Tri,
    "indoor": Tri,
    "bridge": Tri,
    "tunnel": Tri,
}

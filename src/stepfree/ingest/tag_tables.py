"""The OSM tag vocabulary stepfree reads: which values mean what (the tables `tags` applies).

The tables are the specification; the spec-vector file ``tests/ingest/tag_vectors.json`` pins
every reading, including the misreadings other routers make (see the module docstring of
``attributes``).
"""

from __future__ import annotations

from stepfree.attributes import (
    Access,
    Barrier,
    Crossing,
    Entrance,
    Highway,
    Kerb,
    Smoothness,
    Surface,
    Tri,
    Wheelchair,
)

HIGHWAY = {
    "footway": Highway.FOOTWAY,
    "path": Highway.PATH,
    "pedestrian": Highway.PEDESTRIAN,
    "steps": Highway.STEPS,
    "corridor": Highway.CORRIDOR,
    "elevator": Highway.ELEVATOR,
    "cycleway": Highway.CYCLEWAY,
    "bridleway": Highway.BRIDLEWAY,
    "track": Highway.TRACK,
    "platform": Highway.PLATFORM,
    "living_street": Highway.LIVING_STREET,
    "service": Highway.SERVICE,
    "residential": Highway.RESIDENTIAL,
    "unclassified": Highway.UNCLASSIFIED,
    "road": Highway.ROAD,
    "tertiary": Highway.TERTIARY,
    "tertiary_link": Highway.TERTIARY,
    "secondary": Highway.SECONDARY,
    "secondary_link": Highway.SECONDARY,
    "primary": Highway.PRIMARY,
    "primary_link": Highway.PRIMARY,
    "trunk": Highway.TRUNK,
    "trunk_link": Highway.TRUNK,
    "motorway": Highway.MOTORWAY,
    "motorway_link": Highway.MOTORWAY,
}

KERB = {
    "raised": Kerb.RAISED,
    "yes": Kerb.RAISED,
    "regular": Kerb.RAISED,
    "normal": Kerb.RAISED,
    "lowered": Kerb.LOWERED,
    "flush": Kerb.FLUSH,
    "no": Kerb.FLUSH,
    "none": Kerb.FLUSH,
    "rolled": Kerb.ROLLED,
}

SURFACE = {
    **dict.fromkeys(
        [
            "asphalt",
            "concrete",
            "paved",
            "concrete:plates",
            "concrete:lanes",
            "metal",
            "wood",
            "rubber",
            "tartan",
            "acrylic",
            "chipseal",
            "metal_grid",
            "carpet",
            "tiles",
            "ceramic",
        ],
        Surface.PAVED_SMOOTH,
    ),
    **dict.fromkeys(
        [
            "paving_stones",
            "bricks",
            "brick",
            "interlocking",
            "paving_stones:30",
            "grass_paver",
            "stone",
        ],
        Surface.PAVING_STONES,
    ),
    **dict.fromkeys(
        ["sett", "cobblestone", "unhewn_cobblestone", "cobblestone:flattened"], Surface.SETT
    ),
    **dict.fromkeys(["compacted", "fine_gravel"], Surface.COMPACTED),
    **dict.fromkeys(["gravel", "pebblestone", "rock", "shells"], Surface.GRAVEL),
    **dict.fromkeys(
        [
            "ground",
            "dirt",
            "earth",
            "grass",
            "mud",
            "sand",
            "woodchips",
            "unpaved",
            "soil",
            "snow",
            "ice",
            "artificial_turf",
        ],
        Surface.UNPAVED_SOFT,
    ),
}

#: Rank for "worse of two sides" (a wheel's view: higher is harder).
SURFACE_RANK = {
    Surface.UNKNOWN: -1,
    Surface.PAVED_SMOOTH: 0,
    Surface.PAVING_STONES: 1,
    Surface.COMPACTED: 2,
    Surface.OTHER: 3,
    Surface.SETT: 4,
    Surface.GRAVEL: 5,
    Surface.UNPAVED_SOFT: 6,
}

SMOOTHNESS = {name.lower(): value for name, value in Smoothness.__members__.items()}
del SMOOTHNESS["unknown"]

TRI = {
    "yes": Tri.YES,
    "no": Tri.NO,
    "limited": Tri.LIMITED,
    "partial": Tri.LIMITED,
    "incorrect": Tri.LIMITED,
    "designated": Tri.YES,
    "true": Tri.YES,
    "false": Tri.NO,
    "1": Tri.YES,
    "0": Tri.NO,
}

#: ``tactile_paving=*`` (OSM wiki Key:tactile_paving): the yes/no/limited words, ``contrasted``
#: (tactile paving whose colour contrasts strongly with the ground: yes) and ``primitive``
#: (no tactile elements, only drains or decoration a cane may find by chance: limited, which a
#: profile that needs tactile paving does not take for it).
TACTILE_PAVING = TRI | {"contrasted": Tri.YES, "primitive": Tri.LIMITED}

LIT_NO = {"no", "disused", "none", "off"}

WHEELCHAIR = {
    "yes": Wheelchair.YES,
    "no": Wheelchair.NO,
    "limited": Wheelchair.LIMITED,
    "designated": Wheelchair.DESIGNATED,
    "bad": Wheelchair.NO,
}

ACCESS = {
    "no": Access.NO,
    "private": Access.PRIVATE,
    "destination": Access.DESTINATION,
    "customers": Access.DESTINATION,
    "delivery": Access.DESTINATION,
    "permissive": Access.PERMISSIVE,
    "yes": Access.YES,
    "designated": Access.DESIGNATED,
    "official": Access.DESIGNATED,
    "public": Access.YES,
    "use_sidepath": Access.NO,
    "discouraged": Access.PERMISSIVE,
    "agricultural": Access.NO,
    "forestry": Access.NO,
}

BARRIER = {
    "kerb": Barrier.KERB,
    "bollard": Barrier.BOLLARD,
    "gate": Barrier.GATE,
    "lift_gate": Barrier.LIFT_GATE,
    "turnstile": Barrier.TURNSTILE,
    "full-height_turnstile": Barrier.TURNSTILE,
    "kissing_gate": Barrier.KISSING_GATE,
    "stile": Barrier.STILE,
    "cycle_barrier": Barrier.CYCLE_BARRIER,
    "block": Barrier.BLOCK,
    "entrance": Barrier.ENTRANCE,
    "swing_gate": Barrier.GATE,
    "sliding_gate": Barrier.GATE,
    "yes": Barrier.UNKNOWN,
}

ENTRANCE = {
    "yes": Entrance.OTHER,
    "main": Entrance.MAIN,
    "secondary": Entrance.SECONDARY,
    "service": Entrance.SERVICE,
    "emergency": Entrance.EMERGENCY,
}

CROSSING = {
    "traffic_signals": Crossing.TRAFFIC_SIGNALS,
    "marked": Crossing.MARKED,
    "zebra": Crossing.MARKED,
    "uncontrolled": Crossing.MARKED,  # pre-2020 tagging: uncontrolled meant marked, no signals
    "pelican": Crossing.TRAFFIC_SIGNALS,
    "toucan": Crossing.TRAFFIC_SIGNALS,
    "pegasus": Crossing.TRAFFIC_SIGNALS,
    "puffin": Crossing.TRAFFIC_SIGNALS,
    "unmarked": Crossing.UNMARKED,
    "informal": Crossing.UNMARKED,
    "no": Crossing.NO,
}

#: Highway classes walkable without an explicit foot tag. Cycleways need foot access
#: (or ``segregated``, which says pedestrians share the way); motorways need foot=yes.
WALKABLE_BY_DEFAULT = frozenset(HIGHWAY.values()) - {Highway.CYCLEWAY, Highway.MOTORWAY}
SIDEWALK_KEYS = ("sidewalk:both", "sidewalk:left", "sidewalk:right")

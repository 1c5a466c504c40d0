"""OpenSidewalks 0.2 fields of one edge or node, from its raw attribute values (see `export_osw`).

Values the schema lists are written in its fields (``surface``, ``crossing:markings``, a curb's
``kerb`` and ``tactile_paving``); everything else as an ``ext:`` field named after its OSM tag,
which ``stepfree.ingest.osw`` reads back without loss. The schema's value lists are those of
github.com/OpenSidewalks/OpenSidewalks-Schema ``jsonschema/src/fields.ts`` (version 0.2).
"""

from __future__ import annotations

from typing import Any

from stepfree.attributes import (
    ENUMS,
    WITH_SIDEWALK,
    Access,
    Barrier,
    Crossing,
    Entrance,
    Footway,
    Highway,
    InclineDirection,
    Kerb,
    Sidewalk,
    Source,
    Surface,
    Tri,
)

#: OSW 0.2 ``surface`` values (fields.ts ``Surface``): a way's own surface is written there as
#: tagged; any other value goes to ``ext:surface`` (a sidewalk's to ``ext:sidewalk:surface``).
OSW_SURFACES = frozenset(
    {"asphalt", "concrete", "gravel", "grass", "paved", "paving_stones", "unpaved", "dirt"}
    | {"grass_paver"}
)
#: One OSM value per surface group, for an edge that has a group but no value.
OSM_SURFACE = {
    Surface.PAVED_SMOOTH: "paved",
    Surface.PAVING_STONES: "paving_stones",
    Surface.SETT: "sett",
    Surface.COMPACTED: "compacted",
    Surface.GRAVEL: "gravel",
    Surface.UNPAVED_SOFT: "unpaved",
    Surface.OTHER: "other",
}
#: OSW 0.2 ``crossing:markings`` values (fields.ts ``CrossingMarkings``); others go to
#: ``ext:crossing:markings``.
OSW_MARKINGS = frozenset(
    {"dashes", "dots", "ladder", "ladder:paired", "lines", "lines:paired", "no", "skewed"}
    | {"surface", "yes", "zebra", "zebra:bicolour", "zebra:double", "zebra:paired", "rainbow"}
    | {"lines:rainbow", "zebra:rainbow", "ladder:skewed", "pictograms"}
)
#: OSW 0.2 has edge types for these highway classes only; the others are written as the nearest
#: type (a path is a plain footway) with the true class in ``ext:highway``, which the reader
#: puts back, so that strict validators accept every edge.
OSW_HIGHWAY = {
    member: member.name.lower()
    for member in (
        Highway.FOOTWAY,
        Highway.STEPS,
        Highway.PEDESTRIAN,
        Highway.LIVING_STREET,
        Highway.SERVICE,
        Highway.RESIDENTIAL,
        Highway.UNCLASSIFIED,
        Highway.TERTIARY,
        Highway.SECONDARY,
        Highway.PRIMARY,
        Highway.TRUNK,
    )
} | {Highway.ROAD: "unclassified", Highway.MOTORWAY: "trunk"}
#: Footway subtypes that OSW 0.2 defines as edge types; the others go to ``ext:footway``.
OSW_FOOTWAY = frozenset({Footway.SIDEWALK, Footway.CROSSING, Footway.TRAFFIC_ISLAND})
TRI_TAG = {Tri.YES: "yes", Tri.NO: "no", Tri.LIMITED: "limited"}
KERB_TAG = {
    Kerb.RAISED: "raised",
    Kerb.LOWERED: "lowered",
    Kerb.FLUSH: "flush",
    Kerb.ROLLED: "rolled",
    Kerb.OTHER: "other",
}
CROSSING_TAG = {
    Crossing.TRAFFIC_SIGNALS: "traffic_signals",
    Crossing.MARKED: "marked",
    Crossing.UNMARKED: "unmarked",
    Crossing.NO: "no",
}
ENTRANCE_TAG = {
    Entrance.MAIN: "main",
    Entrance.SECONDARY: "secondary",
    Entrance.SERVICE: "service",
    Entrance.EMERGENCY: "emergency",
    Entrance.OTHER: "yes",
}
#: Barriers as OSM values (``barrier=yes`` is read as UNKNOWN, so it is written back as yes).
BARRIER_TAG = {Barrier.UNKNOWN: "yes"} | {
    member: member.name.lower() for member in Barrier if member > Barrier.NONE
}
#: Edge attributes with a plain ``ext:<tag>`` and a yes/no/limited value.
EDGE_TRI_TAGS = {
    "handrail": "handrail",
    "ramp": "ramp",
    "ramp_wheelchair": "ramp:wheelchair",
    "ramp_stroller": "ramp:stroller",
    "lit": "lit",
    "winter_service": "winter_service",
    "indoor": "indoor",
}
NODE_TRI_TAGS = {
    "signals_sound": "traffic_signals:sound",
    "signals_vibration": "traffic_signals:vibration",
    "button_operated": "button_operated",
}
STRING_TAGS = {
    "level": "level",
    "opening_hours": "opening_hours",
    "name_kk": "name:kk",
    "name_ru": "name:ru",
    "name_en": "name:en",
}
#: Metres to decimals: 1 cm for widths and kerb heights, 1 mm for lengths.
WIDTH_DECIMALS, LENGTH_DECIMALS = 2, 3
#: Significant digits of incline fractions: 9 recover any float32 grade (DEM grades such as
#: 0.049985193 %); the OSW pipeline itself writes 3 decimals.
INCLINE_DIGITS = 9


def _surface_tags(surface: int, value: str | None, prefix: str) -> dict[str, str]:
    """The surface as tagged (``concrete`` stays concrete, not its group ``paved``)."""
    if surface == Surface.UNKNOWN:
        return {}
    text = value if value is not None else OSM_SURFACE[Surface(surface)]
    if not prefix and text in OSW_SURFACES:
        return {"surface": text}
    return {f"ext:{prefix}surface": text}


def _incline_tags(row: dict[str, Any], highway: int) -> dict[str, Any]:
    """``incline`` (a fraction), ``climb`` on steps, and the tag's up/down as ``ext:incline``
    where ``incline`` holds no tagged grade (none, or one sampled from a DEM)."""
    out: dict[str, Any] = {}
    grade, direction = row["incline_pct"], row["incline_direction"]
    from_dem = row["incline_source"] == Source.DEM and grade is not None
    if grade is not None and abs(grade) <= 100.0:  # the schema bounds incline to [-1, 1]
        out["incline"] = float(f"{grade / 100.0:.{INCLINE_DIGITS}g}") + 0.0  # + 0.0: no -0.0
    elif grade is not None:
        out["ext:incline"] = f"{grade:g}%"
    if from_dem:
        out["ext:incline:source"] = "dem"
    if direction in (InclineDirection.UP, InclineDirection.DOWN):
        word = "up" if direction == InclineDirection.UP else "down"
        if highway == Highway.STEPS:
            out["climb"] = word
        elif grade is None or from_dem:
            out["ext:incline"] = word
    return out


def osw_edge(row: dict[str, Any]) -> dict[str, Any]:
    """OSW fields (and ``ext:`` OSM tags) of one edge from its raw attribute values."""
    highway, footway, crossing = row["highway"], row["footway"], row["crossing"]
    out: dict[str, Any] = {"highway": OSW_HIGHWAY.get(Highway(highway), "footway")}
    if highway not in OSW_HIGHWAY:
        out["ext:highway"] = Highway(highway).name.lower()
    if footway in OSW_FOOTWAY and out["highway"] == "footway":  # OSW's footway edge types
        out["footway"] = Footway(footway).name.lower()
    elif footway != Footway.UNKNOWN:
        out["ext:footway"] = Footway(footway).name.lower()
    if crossing in CROSSING_TAG:  # crossing=* is no OSW field (0.3 refuses it): ext:crossing
        out["ext:crossing"] = CROSSING_TAG[Crossing(crossing)]
    markings = row["crossing_markings_value"]
    if markings in OSW_MARKINGS and out.get("footway") == "crossing":  # an OSW crossing field
        out["crossing:markings"] = markings
    elif markings is not None:
        out["ext:crossing:markings"] = markings
    if crossing == Crossing.TRAFFIC_SIGNALS:
        out["ext:crossing:signals"] = "yes"
    if row["access"] != Access.UNKNOWN:
        out["foot"] = Access(row["access"]).name.lower()
    side = row["sidewalk"]
    on_sidewalk = side in WITH_SIDEWALK
    if side not in (Sidewalk.UNKNOWN, Sidewalk.NOT_A_ROAD):
        out["ext:sidewalk"] = Sidewalk(side).name.lower()
    # On a road with sidewalks our surface, width... describe the sidewalk, not the carriageway.
    prefix = "sidewalk:" if on_sidewalk else ""
    out |= _surface_tags(row["surface"], row["surface_value"], prefix)
    if row["width_m"] is not None:
        width = round(row["width_m"], WIDTH_DECIMALS)
        out["ext:sidewalk:width" if on_sidewalk else "width"] = width
    if row["smoothness"]:
        out[f"ext:{prefix}smoothness"] = ENUMS["smoothness"](row["smoothness"]).name.lower()
    if row["tactile_paving"] in TRI_TAG:
        out[f"ext:{prefix}tactile_paving"] = TRI_TAG[Tri(row["tactile_paving"])]
    out |= _incline_tags(row, highway)
    if row["step_count"] >= 0:  # an OSW field of steps only
        out["step_count" if highway == Highway.STEPS else "ext:step_count"] = row["step_count"]
    if row["name"] is not None:
        out["name"] = row["name"]
    for name, key in EDGE_TRI_TAGS.items():
        if row[name] in TRI_TAG:
            out[f"ext:{key}"] = TRI_TAG[Tri(row[name])]
    if row["wheelchair"]:
        out["ext:wheelchair"] = ENUMS["wheelchair"](row["wheelchair"]).name.lower()
    if row["lanes"] >= 0:
        out["ext:lanes"] = str(row["lanes"])
    for name in ("bridge", "tunnel"):
        if row[name] == Tri.YES:  # the reader says NO for "no tag", so only yes is written
            out[f"ext:{name}"] = "yes"
    for name, key in STRING_TAGS.items():
        if row[name] is not None:
            out[f"ext:{key}"] = row[name]
    return out


def osw_node(row: dict[str, Any]) -> dict[str, Any]:
    """OSW fields (and ``ext:`` OSM tags) of one node from its raw attribute values."""
    out: dict[str, Any] = {}
    kerb, barrier = row["kerb"], row["barrier"]
    # OSW curbs are identified by barrier=kerb (+ kerb=*): a kerb tagged on a crossing node
    # without barrier=kerb is still written as an OSW curb, so OSW tools see it.
    is_curb = kerb != Kerb.UNKNOWN or row["kerb_source"] == Source.TAG or barrier == Barrier.KERB
    if is_curb:
        out["barrier"] = "kerb"
        # A kerb known only in part (kerb_problem: one side of a crossing unmapped, a height not
        # read) shows OSW tools its type only when no unknown can make it worse (raised).
        problem = row["kerb_problem"]
        partly = problem is not None and kerb != Kerb.RAISED
        if kerb == Kerb.OTHER or (partly and kerb != Kerb.UNKNOWN):
            out["ext:kerb"] = KERB_TAG[Kerb(kerb)]
        elif kerb != Kerb.UNKNOWN:
            out["kerb"] = KERB_TAG[Kerb(kerb)]
        if row["kerb_height_m"] is not None:
            out["ext:kerb:height"] = str(round(row["kerb_height_m"], WIDTH_DECIMALS + 1))
        if problem is not None:  # read back by ingest.osw (no OSM tag says it)
            out["ext:kerb:problem"] = problem
    elif barrier in BARRIER_TAG:
        out["ext:barrier"] = BARRIER_TAG[Barrier(barrier)]
    if row["tactile_paving"] in (Tri.YES, Tri.NO) and is_curb:
        out["tactile_paving"] = TRI_TAG[Tri(row["tactile_paving"])]
    elif row["tactile_paving"] in TRI_TAG:
        out["ext:tactile_paving"] = TRI_TAG[Tri(row["tactile_paving"])]
    crossing = row["crossing"]
    if row["elevator"] == Tri.YES:
        out["ext:highway"] = "elevator"
    elif row["traffic_signals"] == Tri.YES:
        out["ext:highway"] = "traffic_signals"
    elif crossing != Crossing.NOT_A_CROSSING:
        out["ext:highway"] = "crossing"
    if crossing != Crossing.NOT_A_CROSSING:
        if crossing in CROSSING_TAG:
            out["ext:crossing"] = CROSSING_TAG[Crossing(crossing)]
        for name, key in (
            ("crossing_signals", "signals"),
            ("crossing_markings", "markings"),
            ("crossing_island", "island"),
        ):
            if row[name] in TRI_TAG:
                out[f"ext:crossing:{key}"] = TRI_TAG[Tri(row[name])]
        if row["crossed_road_class"] != Highway.UNKNOWN:
            out["ext:crossed_highway"] = Highway(row["crossed_road_class"]).name.lower()
        if row["crossed_road_lanes"] >= 0:
            out["ext:crossed_lanes"] = str(row["crossed_road_lanes"])
        for name in ("crossed_name", "crossed_name_kk", "crossed_name_ru", "crossed_name_en"):
            if row[name] is not None:
                out[f"ext:{name}"] = row[name]
    for name, key in NODE_TRI_TAGS.items():
        if row[name] in TRI_TAG:
            out[f"ext:{key}"] = TRI_TAG[Tri(row[name])]
    if row["entrance"] in ENTRANCE_TAG:
        out["ext:entrance"] = ENTRANCE_TAG[Entrance(row["entrance"])]
    if row["wheelchair"]:
        out["ext:wheelchair"] = ENUMS["wheelchair"](row["wheelchair"]).name.lower()
    for name in ("level", "opening_hours"):
        if row[name] is not None:
            out[f"ext:{name}"] = row[name]
    return out

"""Tag normalisation: OSM tags in, typed attributes out.

Pure functions over plain ``dict[str, str]``, applying the vocabulary of `tag_tables` (the
specification); the spec-vector file ``tests/ingest/tag_vectors.json`` pins every reading,
including the misreadings other routers make (see the module docstring of ``attributes``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from stepfree.attributes import (
    ROADS,
    WITH_SIDEWALK,
    Access,
    Barrier,
    Crossing,
    Entrance,
    Footway,
    Highway,
    InclineDirection,
    Sidewalk,
    Smoothness,
    Source,
    Surface,
    Tri,
    Wheelchair,
)
from stepfree.ingest import units
from stepfree.ingest.kerbs import node_kerb
from stepfree.ingest.tag_tables import (
    ACCESS,
    BARRIER,
    CROSSING,
    ENTRANCE,
    HIGHWAY,
    LIT_NO,
    SMOOTHNESS,
    SURFACE,
    SURFACE_RANK,
    TACTILE_PAVING,
    TRI,
    WALKABLE_BY_DEFAULT,
    WHEELCHAIR,
)

Tags = Mapping[str, str]


def tri(value: str | None) -> Tri:
    """Read a yes/no/limited style value; anything else is unknown."""
    return TRI.get(value.strip().lower(), Tri.UNKNOWN) if value is not None else Tri.UNKNOWN


def tactile_paving(value: str | None) -> Tri:
    """``tactile_paving=*`` (OSM wiki Key:tactile_paving): ``contrasted`` is tactile paving with
    strong contrast (yes); ``primitive`` (drains or decorative elements found by chance) and
    ``incorrect`` (paving that misleads) are limited: neither guides like standard paving."""
    if value is None:
        return Tri.UNKNOWN
    return TACTILE_PAVING.get(value.strip().lower(), Tri.UNKNOWN)


def _tri_any(tags: Tags, keys: tuple[str, ...]) -> Tri:
    values = [tri(tags.get(key)) for key in keys if key in tags]
    if Tri.YES in values:
        return Tri.YES
    if Tri.LIMITED in values:
        return Tri.LIMITED
    return Tri.NO if values else Tri.UNKNOWN


def lit(value: str | None) -> Tri:
    """``lit=*``: yes, no, limited, or times of day (which mean lit at night)."""
    if value is None:
        return Tri.UNKNOWN
    text = value.strip().lower()
    if text in LIT_NO:
        return Tri.NO
    if text == "limited":
        return Tri.LIMITED
    if text in {"yes", "24/7", "automatic", "sunset-sunrise", "dusk-dawn", "interval"}:
        return Tri.YES
    return Tri.YES if any(ch.isdigit() for ch in text) else Tri.UNKNOWN


def access(tags: Tags) -> Access:
    """Pedestrian access: ``foot`` wins over ``access``."""
    for key in ("foot", "access"):
        if key in tags:
            return ACCESS.get(tags[key].strip().lower(), Access.UNKNOWN)
    return Access.UNKNOWN


def crossing_control(tags: Tags) -> tuple[Crossing, Tri, Tri, Tri]:
    """Return (control, signals, markings, island) from ``crossing=*`` and its sub-keys."""
    value = tags.get("crossing", "").strip().lower()
    control = CROSSING.get(value, Crossing.UNKNOWN)
    signals = tri(tags.get("crossing:signals"))
    marking_value = tags.get("crossing:markings")
    markings = (
        Tri.UNKNOWN
        if marking_value is None
        else Tri.NO
        if marking_value.strip().lower() in {"no", "none"}
        else Tri.YES
    )
    island = tri(tags.get("crossing:island"))
    if value == "island":
        island = Tri.YES
    if tags.get("crossing_ref") in {"zebra", "pelican", "toucan", "puffin", "pegasus"}:
        control = max(control, Crossing.MARKED) if control != Crossing.TRAFFIC_SIGNALS else control
    if signals == Tri.YES:
        control = Crossing.TRAFFIC_SIGNALS
    elif control == Crossing.UNKNOWN and signals == Tri.NO and markings == Tri.YES:
        control = Crossing.MARKED
    elif control == Crossing.UNKNOWN and signals == Tri.NO and markings == Tri.NO:
        control = Crossing.UNMARKED
    if control == Crossing.TRAFFIC_SIGNALS and signals == Tri.UNKNOWN:
        signals = Tri.YES
    if control == Crossing.MARKED and markings == Tri.UNKNOWN:
        markings = Tri.YES
    return control, signals, markings, island


def node_attributes(tags: Tags) -> dict[str, Any]:
    """Attributes of a node from its tags (only the keys that differ from "nothing here")."""
    out: dict[str, Any] = {}
    highway = tags.get("highway")
    barrier = tags.get("barrier")
    if barrier is not None:
        out["barrier"] = BARRIER.get(barrier.strip().lower(), Barrier.OTHER)
    kerb = node_kerb(tags)
    if kerb.mapped or barrier == "kerb":
        out["kerb"], out["kerb_height_m"] = kerb.kind, kerb.height_m
        out["kerb_source"] = Source.TAG
        if kerb.problems:
            out["kerb_problem"] = "; ".join(kerb.problems)
    if highway == "crossing" or tags.get("railway") == "crossing" or "crossing" in tags:
        control, signals, markings, island = crossing_control(tags)
        out |= {
            "crossing": control,
            "crossing_signals": signals,
            "crossing_markings": markings,
            "crossing_island": island,
        }
    if highway == "traffic_signals":
        out["traffic_signals"] = Tri.YES
    for attr, key in (
        ("signals_sound", "traffic_signals:sound"),
        ("signals_vibration", "traffic_signals:vibration"),
        ("button_operated", "button_operated"),
    ):
        if key in tags:
            out[attr] = tri(tags[key])
    if "tactile_paving" in tags:
        out["tactile_paving"] = tactile_paving(tags["tactile_paving"])
    if highway == "elevator":
        out["elevator"] = Tri.YES
    if "entrance" in tags:
        out["entrance"] = ENTRANCE.get(tags["entrance"].strip().lower(), Entrance.OTHER)
    if "wheelchair" in tags:
        out["wheelchair"] = WHEELCHAIR.get(tags["wheelchair"].strip().lower(), Wheelchair.UNKNOWN)
    for key in ("level", "opening_hours"):
        if key in tags:
            out[key] = tags[key]
    return out


def road_class(tags: Tags) -> tuple[Highway, int]:
    """(class, lanes) of any highway way, walkable or not: what a crossing at its node crosses."""
    highway = HIGHWAY.get(tags.get("highway", ""), Highway.UNKNOWN)
    lanes = units.count(tags.get("lanes"))
    return highway, min(lanes, 127)


def sidewalk(tags: Tags) -> Sidewalk:
    """Which sides of a road have a sidewalk, from ``sidewalk`` and ``sidewalk:<side>``."""
    value = tags.get("sidewalk", "").strip().lower()
    main = {
        "both": Sidewalk.BOTH,
        "left": Sidewalk.LEFT,
        "right": Sidewalk.RIGHT,
        "no": Sidewalk.NO,
        "none": Sidewalk.NO,
        "separate": Sidewalk.SEPARATE,
        "yes": Sidewalk.YES,  # at least one side, not both (Key:sidewalk)
    }.get(value, Sidewalk.UNKNOWN)
    both = tags.get("sidewalk:both", "").strip().lower()
    left = tags.get("sidewalk:left", both).strip().lower()
    right = tags.get("sidewalk:right", both).strip().lower()
    if main != Sidewalk.UNKNOWN or not (left or right):
        return main
    has_left, has_right = left == "yes", right == "yes"
    if has_left and has_right:
        return Sidewalk.BOTH
    if has_left or has_right:
        return Sidewalk.LEFT if has_left else Sidewalk.RIGHT
    if left == "separate" or right == "separate":
        return Sidewalk.SEPARATE if {left, right} <= {"separate", "no", ""} else Sidewalk.UNKNOWN
    return Sidewalk.NO if left == "no" and right == "no" else Sidewalk.UNKNOWN


def _sidewalk_value(tags: Tags, side: Sidewalk, key: str) -> list[str]:
    """Values of ``sidewalk:<side>:key`` for the sides that have a sidewalk."""
    sides = {Sidewalk.LEFT: ["left"], Sidewalk.RIGHT: ["right"]}.get(side, ["left", "right"])
    values = []
    for name in sides:
        value = tags.get(
            f"sidewalk:{name}:{key}", tags.get(f"sidewalk:both:{key}", tags.get(f"sidewalk:{key}"))
        )
        if value is not None:
            values.append(value)
    return values


def _surface(value: str | None) -> Surface:
    if value is None:
        return Surface.UNKNOWN
    return SURFACE.get(value.strip().lower(), Surface.OTHER)


def _surface_attributes(value: str | None) -> dict[str, Any]:
    """The surface group, and the value itself (exports write it back, not the group)."""
    if value is None:
        return {"surface": Surface.UNKNOWN}
    return {"surface": _surface(value), "surface_value": value.strip().lower()}


def _smoothness(value: str | None) -> Smoothness:
    if value is None:
        return Smoothness.UNKNOWN
    return SMOOTHNESS.get(value.strip().lower(), Smoothness.UNKNOWN)


def _min_nan(values: list[float]) -> float:
    known = [value for value in values if not math.isnan(value)]
    return min(known) if known else math.nan


def _walkable(tags: Tags, highway: Highway, foot: Access, side: Sidewalk) -> bool:
    if foot == Access.NO:
        return False
    if highway == Highway.CYCLEWAY:
        return foot in {Access.YES, Access.DESIGNATED, Access.PERMISSIVE} or "segregated" in tags
    if highway == Highway.MOTORWAY:
        return foot in {Access.YES, Access.DESIGNATED, Access.PERMISSIVE}
    if highway in ROADS and side == Sidewalk.SEPARATE:
        return False  # the separately mapped sidewalks carry the walkers
    return highway in WALKABLE_BY_DEFAULT


def way_highway(tags: Tags) -> Highway:
    """Class of a way, counting platforms mapped without ``highway``."""
    highway = HIGHWAY.get(tags.get("highway", ""), Highway.UNKNOWN)
    if highway == Highway.UNKNOWN and (
        tags.get("railway") == "platform" or tags.get("public_transport") == "platform"
    ):
        return Highway.PLATFORM
    return highway


def way_attributes(tags: Tags) -> dict[str, Any] | None:
    """Attributes of a walkable way, or ``None`` when people on foot cannot use it."""
    highway = way_highway(tags)
    if highway == Highway.UNKNOWN or (tags.get("area") == "yes" and highway != Highway.PEDESTRIAN):
        return None
    is_road = highway in ROADS
    side = sidewalk(tags) if is_road else Sidewalk.NOT_A_ROAD
    foot = access(tags)
    if not _walkable(tags, highway, foot, side):
        return None
    out: dict[str, Any] = {"highway": highway, "sidewalk": side, "access": foot}
    footway = tags.get("footway", "").strip().lower()
    if highway in {Highway.FOOTWAY, Highway.PATH, Highway.CYCLEWAY} and footway:
        out["footway"] = {
            "sidewalk": Footway.SIDEWALK,
            "crossing": Footway.CROSSING,
            "access_aisle": Footway.ACCESS_AISLE,
            "traffic_island": Footway.TRAFFIC_ISLAND,
            "link": Footway.LINK,
        }.get(footway, Footway.OTHER)
    if out.get("footway") == Footway.CROSSING or ("crossing" in tags and not is_road):
        out["footway"] = Footway.CROSSING
        control, *_ = crossing_control(tags)
        out["crossing"] = control
        markings = tags.get("crossing:markings", "").strip().lower()
        markings = markings or {Crossing.MARKED: "yes", Crossing.UNMARKED: "no"}.get(control, "")
        if markings:
            out["crossing_markings_value"] = markings
    grade, direction = units.incline(tags.get("incline"))
    if not math.isnan(grade):
        out["incline_pct"], out["incline_source"] = grade, Source.TAG
    if direction:
        out["incline_direction"] = {
            "up": InclineDirection.UP,
            "down": InclineDirection.DOWN,
            "level": InclineDirection.LEVEL,
        }[direction]
    on_sidewalk = is_road and side in WITH_SIDEWALK
    if on_sidewalk:
        # The road's own surface and width describe the carriageway, not the sidewalk.
        surfaces = _sidewalk_value(tags, side, "surface")
        worst = max(surfaces, key=lambda value: SURFACE_RANK[_surface(value)], default=None)
        out |= _surface_attributes(worst)
        smooth = [_smoothness(v) for v in _sidewalk_value(tags, side, "smoothness")]
        out["smoothness"] = max(smooth, default=Smoothness.UNKNOWN)
        out["width_m"] = _min_nan([units.length_m(v) for v in _sidewalk_value(tags, side, "width")])
        paving = [tactile_paving(v) for v in _sidewalk_value(tags, side, "tactile_paving")]
        out["tactile_paving"] = min(paving) if paving else Tri.UNKNOWN
    else:
        out |= _surface_attributes(tags.get("surface"))
        out["smoothness"] = _smoothness(tags.get("smoothness"))
        if not is_road:
            out["width_m"] = _min_nan(
                [
                    units.length_m(tags.get("width")),
                    units.length_m(tags.get("maxwidth:physical")),
                    units.length_m(tags.get("est_width")),
                ]
            )
        out["tactile_paving"] = tactile_paving(tags.get("tactile_paving"))
    if highway == Highway.STEPS or "step_count" in tags:
        out["step_count"] = units.count(tags.get("step_count"))
    out["handrail"] = _tri_any(
        tags, ("handrail", "handrail:left", "handrail:right", "handrail:center", "handrail:centre")
    )
    out["ramp"] = tri(tags.get("ramp"))
    out["ramp_wheelchair"] = tri(tags.get("ramp:wheelchair"))
    out["ramp_stroller"] = tri(tags.get("ramp:stroller"))
    out["lit"] = lit(tags.get("lit"))
    out["wheelchair"] = WHEELCHAIR.get(
        tags.get("wheelchair", "").strip().lower(), Wheelchair.UNKNOWN
    )
    winter = [tri(tags.get(k)) for k in ("winter_service", "snowplowing") if k in tags]
    out["winter_service"] = (
        Tri.NO if Tri.NO in winter else Tri.YES if Tri.YES in winter else Tri.UNKNOWN
    )
    _, lanes = road_class(tags)
    out["lanes"] = lanes
    indoor = tags.get("indoor")
    out["indoor"] = (
        Tri.YES
        if highway == Highway.CORRIDOR or indoor in {"yes", "room", "corridor", "area"}
        else tri(indoor)
        if indoor
        else Tri.UNKNOWN
    )
    out["bridge"] = Tri.YES if tags.get("bridge", "no") != "no" else Tri.NO
    out["tunnel"] = (
        Tri.YES
        if tags.get("tunnel", "no") != "no" or (tags.get("covered") == "yes" and indoor == "yes")
        else Tri.NO
    )
    for key, attr in (
        ("level", "level"),
        ("opening_hours", "opening_hours"),
        ("name", "name"),
        ("name:kk", "name_kk"),
        ("name:ru", "name_ru"),
        ("name:en", "name_en"),
    ):
        if key in tags:
            out[attr] = tags[key]
    return out

"""Turn a walk into guidance steps: stretches of one street, turns, and what is met on the way.

A stretch is a run of pieces with the same name and kind of way. Between stretches a turn is
read from the change of bearing. Crossings, kerbs, barriers, steps, elevators and steep slopes
are announced where they are met, in order.
"""

from __future__ import annotations

import math

import numpy as np

from stepfree.attributes import (
    ROADS,
    WITH_SIDEWALK,
    Barrier,
    Crossing,
    Footway,
    Highway,
    InclineDirection,
    Kerb,
    Sidewalk,
    Tri,
)
from stepfree.graph.model import Graph, derived, directed_incline_direction, directed_incline_pct
from stepfree.routing.geometry import Line
from stepfree.routing.narration.instructions import GuidanceStep
from stepfree.routing.walk import Piece, Walk, lengths_m, piece_line

#: Grades from which a slope is announced (%), and the shortest slope announced (m).
SLOPE_ANNOUNCE_PCT = 5.0
SLOPE_MIN_M = 10.0
_ROAD_CODES = {int(h) for h in ROADS}


_TRI_WORDS = {int(Tri.YES): "yes", int(Tri.NO): "no", int(Tri.LIMITED): "yes"}
_CONTROL_WORDS = {
    int(Crossing.TRAFFIC_SIGNALS): "traffic_signals",
    int(Crossing.MARKED): "marked",
    int(Crossing.UNMARKED): "unmarked",
}
# words by code: looked up per step, so plain tuples rather than an enum built each time
_KERB_WORDS = tuple(k.name.lower() for k in sorted(Kerb))
_BARRIER_WORDS = {int(b): b.name.lower() for b in Barrier}


def _tri(value: int) -> str:
    return _TRI_WORDS.get(int(value), "unknown")


_NAME_ATTRIBUTES = ("name", "name_kk", "name_ru", "name_en")
_NAME_KEYS = ("", "kk", "ru", "en")


def _names_of(graph: Graph, ids: tuple[int, ...]) -> dict[str, str]:
    """Names by language key from string-table ids in `_NAME_ATTRIBUTES` order (-1: none)."""
    strings = graph.strings
    return {
        key: strings[i] for key, i in zip(_NAME_KEYS, ids, strict=False) if i >= 0 and strings[i]
    }


def _name_cache(graph: Graph) -> dict[tuple[int, ...], dict[str, str]]:
    """Names by language, per stretch key, shared by a graph's routes (never changed: an
    answer copies them)."""
    cache: dict[tuple[int, ...], dict[str, str]] = graph.derived.setdefault("stretch_names", {})
    return cache


def _names(graph: Graph, edge: int) -> dict[str, str]:
    return _names_of(graph, tuple(int(graph.edge(a)[edge]) for a in _NAME_ATTRIBUTES))


#: The words for kinds of way used in guidance, by the code `way_kinds` gives each edge.
WAY_KINDS = (
    "footway",
    "crossing",
    "sidewalk",
    "road",
    "steps",
    "corridor",
    "platform",
    "elevator",
    "living_street",
    "pedestrian",
    "path",
)
_CROSSING, _STEPS, _ELEVATOR = (WAY_KINDS.index(k) for k in ("crossing", "steps", "elevator"))


def way_kinds(graph: Graph) -> np.ndarray:
    """The kind of way of every edge, as an index into `WAY_KINDS` (computed once per graph)."""
    return derived(graph, "way_kinds", _way_kinds)


def _way_kinds(graph: Graph) -> np.ndarray:
    highway = graph.edge("highway")
    kind = np.zeros(graph.n_edges, dtype=np.int8)  # footway
    for word in WAY_KINDS[4:]:  # named after their highway class
        kind[highway == Highway[word.upper()]] = WAY_KINDS.index(word)
    kind[np.isin(highway, sorted(_ROAD_CODES - {int(Highway.LIVING_STREET)}))] = WAY_KINDS.index(
        "road"
    )
    sidewalk = np.isin(graph.edge("sidewalk"), sorted(WITH_SIDEWALK))
    kind[(graph.edge("footway") == Footway.SIDEWALK) | sidewalk] = WAY_KINDS.index("sidewalk")
    kind[graph.edge("footway") == Footway.CROSSING] = _CROSSING
    return kind


def way_kind(graph: Graph, edge: int) -> str:
    """The word for a kind of way used in guidance."""
    return WAY_KINDS[int(way_kinds(graph)[edge])]


def node_events(graph: Graph) -> np.ndarray:
    """Nodes that guidance announces: crossings, kerbs, barriers, elevators (once per graph)."""
    return derived(graph, "node_events", _node_events_mask)


def _node_events_mask(graph: Graph) -> np.ndarray:
    barrier = graph.node("barrier")
    mask: np.ndarray = (
        (graph.node("crossing") != Crossing.NOT_A_CROSSING)
        | (graph.node("kerb") != Kerb.UNKNOWN)
        | ~np.isin(barrier, [Barrier.NONE, Barrier.ENTRANCE])
        | (graph.node("elevator") == Tri.YES)
    )
    return mask


def _side(sidewalk: int, forward: bool) -> str | None:
    """The side of the street walked, from the road's sidewalk tag and the way walked."""
    if sidewalk not in (Sidewalk.LEFT, Sidewalk.RIGHT):
        return None
    left_of_drawing = sidewalk == Sidewalk.LEFT
    return "left" if left_of_drawing == forward else "right"


def _turn(before: float, after: float) -> str:
    change = (after - before + 540) % 360 - 180  # -180..180, positive to the right
    size = abs(change)
    if size < 25:
        return "continue"
    side = "right" if change > 0 else "left"
    if size < 60:
        return f"turn_slight_{side}"
    return f"turn_{side}" if size < 140 else f"turn_sharp_{side}"


def _node_events(graph: Graph, node: int, on_crossing_way: bool) -> list[GuidanceStep]:
    events = []
    barrier = int(graph.node("barrier")[node])
    kerb = int(graph.node("kerb")[node])
    height = float(graph.node("kerb_height_m")[node])
    crossing = int(graph.node("crossing")[node])
    if crossing != Crossing.NOT_A_CROSSING and not on_crossing_way:
        events.append(_crossing_step(graph, node, {}))
    if barrier == Barrier.KERB or kerb != Kerb.UNKNOWN:
        events.append(
            GuidanceStep(
                "kerb",
                kerb=_KERB_WORDS[kerb],
                kerb_height_m=None if math.isnan(height) else height,
            )
        )
    if barrier not in (Barrier.NONE, Barrier.KERB, Barrier.ENTRANCE):
        events.append(GuidanceStep("barrier", barrier=_BARRIER_WORDS[barrier]))
    if int(graph.node("elevator")[node]) == Tri.YES:
        events.append(
            GuidanceStep("elevator", level_to=graph.string(int(graph.node("level")[node])))
        )
    return events


def _crossed_names(graph: Graph, node: int) -> dict[str, str]:
    names = {}
    for key, attr in (
        ("", "crossed_name"),
        ("kk", "crossed_name_kk"),
        ("ru", "crossed_name_ru"),
        ("en", "crossed_name_en"),
    ):
        value = graph.string(int(graph.node(attr)[node]))
        if value:
            names[key] = value
    return names


def _crossing_step(
    graph: Graph,
    node: int,
    names: dict[str, str],
    control: int | None = None,
) -> GuidanceStep:
    if node >= 0:
        control = int(graph.node("crossing")[node])
        names = _crossed_names(graph, node) or names  # the road crossed, not the crossing way
    return GuidanceStep(
        "cross",
        crossing_control=_CONTROL_WORDS.get(control or 0, "unknown"),
        crossing_names=names,
        audible=_tri(graph.node("signals_sound")[node]) if node >= 0 else "unknown",
        tactile=_tri(graph.node("tactile_paving")[node]) if node >= 0 else "unknown",
        island=node >= 0 and int(graph.node("crossing_island")[node]) == Tri.YES,
    )


def _flight(graph: Graph, piece: Piece) -> GuidanceStep:
    edge = piece.edge
    direction = directed_incline_direction(graph)[piece.entry]
    grade = float(directed_incline_pct(graph)[piece.entry])
    going = (
        "up"
        if direction == InclineDirection.UP or grade > 0
        else "down"
        if direction == InclineDirection.DOWN or grade < 0
        else None
    )
    count = int(graph.edge("step_count")[edge])
    return GuidanceStep(
        "steps",
        step_count=count if count >= 0 else None,
        direction=going,
        handrail=_tri(graph.edge("handrail")[edge]),
    )


def guidance_steps(graph: Graph, walk: Walk, line: Line | None = None) -> list[GuidanceStep]:
    """Guidance steps for a walk, from departure to arrival (``line``: the walk's
    `piece_line`, when already at hand).

    Everything read per piece comes from whole-graph arrays at once; the loop over pieces only
    compares small integers, and builds a step where something changes.
    """
    lengths = lengths_m(graph, walk).tolist()
    edges = walk.edge
    kinds = way_kinds(graph)[edges].tolist()
    grades = directed_incline_pct(graph)[walk.entry].astype(np.float64).tolist()
    name_ids = [graph.edge(a)[edges].tolist() for a in _NAME_ATTRIBUTES]
    keys = list(zip(*name_ids, kinds, strict=True))
    sidewalks = graph.edge("sidewalk")[edges].tolist()
    forwards = walk.forward.tolist()
    nodes = walk.node.tolist()
    events = (node_events(graph)[np.maximum(walk.node, 0)] & (walk.node >= 0)).tolist()
    line = line if line is not None else piece_line(graph, walk)
    heading_in, heading_out = line.heading_in.tolist(), line.heading_out.tolist()
    names_of = _name_cache(graph)
    steps: list[GuidanceStep] = []
    stretch_key: tuple[int, ...] | None = None
    distance = 0.0
    facing = math.nan  # the bearing one faces at the end of the last piece with a direction
    pending: GuidanceStep | None = (
        None  # the stretch being walked; its distance is set when it ends
    )

    def flush() -> None:
        nonlocal distance, pending
        if pending is not None:
            pending.distance_m = round(distance, 1)
            steps.append(pending)
            pending = None
        distance = 0.0

    crossing_ways_seen: set[int] = set()
    for index, kind in enumerate(kinds):
        edge = int(edges[index])
        if kind == _STEPS:
            flush()
            steps.append(_flight(graph, walk[index]))
            stretch_key = None
        elif kind == _ELEVATOR:
            flush()
            steps.append(GuidanceStep("elevator"))
            stretch_key = None
        elif kind == _CROSSING:
            way = int(graph.edge("osm_way_id")[edge])
            if way not in crossing_ways_seen:
                flush()
                crossing_ways_seen.add(way)
                node = _crossing_node_of_way(graph, walk, index, way)
                steps.append(
                    _crossing_step(
                        graph, node, _names(graph, edge), int(graph.edge("crossing")[edge])
                    )
                )
            stretch_key = None
        else:
            key = keys[index]
            if key != stretch_key:
                flush()
                into = heading_in[index] if not math.isnan(heading_in[index]) else facing
                turn = (
                    "depart"
                    if not steps
                    else _turn(facing, into)
                    if not (math.isnan(facing) or math.isnan(into))
                    else "continue"
                )
                names = names_of.get(key)
                if names is None:
                    names = names_of[key] = _names_of(graph, key)
                side = _side(sidewalks[index], forwards[index])
                pending = GuidanceStep(turn, names=names, way_kind=WAY_KINDS[kind], side=side)
                stretch_key = key
            distance += lengths[index]
            grade = grades[index]
            if abs(grade) >= SLOPE_ANNOUNCE_PCT and lengths[index] >= SLOPE_MIN_M:
                flush()
                steps.append(
                    GuidanceStep(
                        "slope",
                        distance_m=round(lengths[index], 1),
                        incline_pct=round(grade, 1),
                        direction="up" if grade > 0 else "down",
                    )
                )
                stretch_key = None
        if not math.isnan(heading_out[index]):
            facing = heading_out[index]
        if events[index]:
            on_crossing = kind == _CROSSING or (
                index + 1 < len(kinds) and kinds[index + 1] == _CROSSING
            )
            found = _node_events(graph, nodes[index], on_crossing)
            if found:
                flush()
                steps.extend(found)
                stretch_key = None
    flush()
    steps = _tidy(steps)
    if not steps or steps[0].kind != "depart":
        steps.insert(0, GuidanceStep("depart", distance_m=0.0))
    steps.append(GuidanceStep("arrive"))
    return steps


STRETCHES = frozenset(
    {
        "depart",
        "continue",
        "turn_left",
        "turn_right",
        "turn_slight_left",
        "turn_slight_right",
        "turn_sharp_left",
        "turn_sharp_right",
    }
)
#: A stretch shorter than this is folded into the one before it (m): nobody needs "go 5 m".
SHORT_STRETCH_M = 10.0


def _tidy(steps: list[GuidanceStep]) -> list[GuidanceStep]:
    """Fold very short stretches into the previous one, and join flights split at nodes."""
    out: list[GuidanceStep] = []
    for step in steps:
        previous = out[-1] if out else None
        if (
            previous is not None
            and step.kind in STRETCHES - {"depart"}
            and previous.kind in STRETCHES
            and step.distance_m < SHORT_STRETCH_M
        ):
            # both are rounded to 0.1 m; their float sum is not (18.799999999999997)
            previous.distance_m = round(previous.distance_m + step.distance_m, 1)
            continue
        if (
            previous is not None
            and step.kind == "steps"
            and previous.kind == "steps"
            and step.direction == previous.direction
        ):
            counts = (previous.step_count, step.step_count)
            total = None if None in counts else sum(c for c in counts if c is not None)
            previous.step_count = total
            continue
        out.append(step)
    return out


def _crossing_node_of_way(graph: Graph, walk: Walk, index: int, way: int) -> int:
    """The crossing node met on this crossing way, or -1."""
    crossing = graph.node("crossing")
    way_ids = graph.edge("osm_way_id")
    for i in range(index, len(walk)):
        node = int(walk.node[i])
        if int(way_ids[walk.edge[i]]) != way:
            break
        if node >= 0 and crossing[node] != Crossing.NOT_A_CROSSING:
            return node
    return -1

"""Turn a walk into guidance steps: stretches of one street, turns, and what is met on the way.

A stretch is a run of pieces with the same name and kind of way. Between stretches a turn is
read from the change of bearing. Crossings, kerbs, barriers, steps, elevators and steep slopes
are announced where they are met, in order.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from stepfree.graph.model import Graph, directed_incline_direction, directed_incline_pct
from stepfree.ingest.attributes import (
    ROADS,
    Barrier,
    Crossing,
    Footway,
    Highway,
    InclineDirection,
    Kerb,
    Sidewalk,
    Tri,
)
from stepfree.routing.geometry import bearing_deg
from stepfree.routing.instructions import Step
from stepfree.routing.walk import Piece, lengths_m, piece_coords

#: Grades from which a slope is announced (%), and the shortest slope announced (m).
SLOPE_ANNOUNCE_PCT = 5.0
SLOPE_MIN_M = 10.0
_ROAD_CODES = {int(h) for h in ROADS}


def _tri(value: int) -> str:
    return {Tri.YES: "yes", Tri.NO: "no", Tri.LIMITED: "yes"}.get(Tri(int(value)), "unknown")


def _names(graph: Graph, edge: int) -> dict[str, str]:
    names = {}
    for key, attr in (("", "name"), ("kk", "name_kk"), ("ru", "name_ru"), ("en", "name_en")):
        value = graph.string(int(graph.edge(attr)[edge]))
        if value:
            names[key] = value
    return names


def way_kind(graph: Graph, edge: int) -> str:
    """The word for a kind of way used in guidance."""
    highway, footway = int(graph.edge("highway")[edge]), int(graph.edge("footway")[edge])
    if footway == Footway.CROSSING:
        return "crossing"
    if footway == Footway.SIDEWALK or int(graph.edge("sidewalk")[edge]) in (
        Sidewalk.BOTH,
        Sidewalk.LEFT,
        Sidewalk.RIGHT,
    ):
        return "sidewalk"
    if highway in _ROAD_CODES - {int(Highway.LIVING_STREET)}:
        return "road"
    name = Highway(highway).name.lower()
    return (
        name
        if name
        in {"steps", "corridor", "platform", "elevator", "living_street", "pedestrian", "path"}
        else "footway"
    )


def _side(graph: Graph, piece: Piece) -> str | None:
    sidewalk = int(graph.edge("sidewalk")[piece.edge])
    if sidewalk not in (Sidewalk.LEFT, Sidewalk.RIGHT):
        return None
    left_of_drawing = sidewalk == Sidewalk.LEFT
    return "left" if left_of_drawing == piece.forward else "right"


def _turn(before: float, after: float) -> str:
    change = (after - before + 540) % 360 - 180  # -180..180, positive to the right
    size = abs(change)
    if size < 25:
        return "continue"
    side = "right" if change > 0 else "left"
    if size < 60:
        return f"turn_slight_{side}"
    return f"turn_{side}" if size < 140 else f"turn_sharp_{side}"


def _node_events(graph: Graph, node: int, on_crossing_way: bool) -> list[Step]:
    events = []
    barrier = int(graph.node("barrier")[node])
    kerb = int(graph.node("kerb")[node])
    height = float(graph.node("kerb_height_m")[node])
    crossing = int(graph.node("crossing")[node])
    if crossing != Crossing.NOT_A_CROSSING and not on_crossing_way:
        events.append(_crossing_step(graph, node, {}))
    if barrier == Barrier.KERB or kerb != Kerb.UNKNOWN:
        events.append(
            Step(
                "kerb",
                kerb=Kerb(kerb).name.lower(),
                kerb_height_m=None if math.isnan(height) else height,
            )
        )
    if barrier not in (Barrier.NONE, Barrier.KERB, Barrier.ENTRANCE):
        events.append(Step("barrier", barrier=Barrier(barrier).name.lower()))
    if int(graph.node("elevator")[node]) == Tri.YES:
        events.append(Step("elevator", level_to=graph.string(int(graph.node("level")[node]))))
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
) -> Step:
    if node >= 0:
        control = int(graph.node("crossing")[node])
        names = _crossed_names(graph, node) or names  # the road crossed, not the crossing way
    return Step(
        "cross",
        crossing_control={
            Crossing.TRAFFIC_SIGNALS: "traffic_signals",
            Crossing.MARKED: "marked",
            Crossing.UNMARKED: "unmarked",
        }.get(Crossing(control or 0), "unknown"),
        crossing_names=names,
        audible=_tri(graph.node("signals_sound")[node]) if node >= 0 else "unknown",
        tactile=_tri(graph.node("tactile_paving")[node]) if node >= 0 else "unknown",
        island=node >= 0 and int(graph.node("crossing_island")[node]) == Tri.YES,
    )


def _flight(graph: Graph, piece: Piece) -> Step:
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
    return Step(
        "steps",
        step_count=count if count >= 0 else None,
        direction=going,
        handrail=_tri(graph.edge("handrail")[edge]),
    )


def build_steps(graph: Graph, walk: list[Piece]) -> list[Step]:
    """Guidance steps for a walk, from departure to arrival."""
    lengths = lengths_m(graph, walk)
    grades = directed_incline_pct(graph)
    steps: list[Step] = []
    stretch_key: tuple[object, ...] | None = None
    distance = 0.0
    heading_out = None
    pending: dict[str, Any] = {}  # keyword arguments of the next Step
    crossing_ways_seen: set[int] = set()

    def flush() -> None:
        nonlocal distance
        if pending:
            steps.append(Step(**{**pending, "distance_m": round(distance, 1)}))
            pending.clear()
        distance = 0.0

    for index, piece in enumerate(walk):
        edge = piece.edge
        kind = way_kind(graph, edge)
        coords = piece_coords(graph, piece)
        if kind == "steps":
            flush()
            steps.append(_flight(graph, piece))
            stretch_key = None
        elif int(graph.edge("highway")[edge]) == Highway.ELEVATOR:
            flush()
            steps.append(Step("elevator"))
            stretch_key = None
        elif kind == "crossing":
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
            names = _names(graph, edge)
            key = (tuple(sorted(names.items())) or kind, kind)
            heading_in = bearing_deg(coords[0], coords[-1]) if len(coords) > 1 else heading_out
            if key != stretch_key:
                flush()
                turn = (
                    "depart"
                    if not steps
                    else (
                        _turn(heading_out, heading_in)
                        if heading_out is not None and heading_in is not None
                        else "continue"
                    )
                )
                pending.update(kind=turn, names=names, way_kind=kind, side=_side(graph, piece))
                stretch_key = key
            distance += float(lengths[index])
            grade = float(grades[piece.entry])
            if abs(grade) >= SLOPE_ANNOUNCE_PCT and lengths[index] >= SLOPE_MIN_M:
                flush()
                steps.append(
                    Step(
                        "slope",
                        distance_m=round(float(lengths[index]), 1),
                        incline_pct=round(grade, 1),
                        direction="up" if grade > 0 else "down",
                    )
                )
                stretch_key = None
        if len(coords) > 1:
            heading_out = bearing_deg(coords[-2], coords[-1])
        if piece.node >= 0:
            events = _node_events(
                graph,
                piece.node,
                kind == "crossing"
                or (index + 1 < len(walk) and way_kind(graph, walk[index + 1].edge) == "crossing"),
            )
            if events:
                flush()
                steps.extend(events)
                stretch_key = None
    flush()
    steps = _tidy(steps)
    if not steps or steps[0].kind != "depart":
        steps.insert(0, Step("depart", distance_m=0.0))
    steps.append(Step("arrive"))
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


def _tidy(steps: list[Step]) -> list[Step]:
    """Fold very short stretches into the previous one, and join flights split at nodes."""
    out: list[Step] = []
    for step in steps:
        previous = out[-1] if out else None
        if (
            previous is not None
            and step.kind in STRETCHES - {"depart"}
            and previous.kind in STRETCHES
            and step.distance_m < SHORT_STRETCH_M
        ):
            out[-1] = dataclasses.replace(
                previous, distance_m=previous.distance_m + step.distance_m
            )
            continue
        if (
            previous is not None
            and step.kind == "steps"
            and previous.kind == "steps"
            and step.direction == previous.direction
        ):
            counts = (previous.step_count, step.step_count)
            total = None if None in counts else sum(c for c in counts if c is not None)
            out[-1] = dataclasses.replace(previous, step_count=total)
            continue
        out.append(step)
    return out


def _crossing_node_of_way(graph: Graph, walk: list[Piece], index: int, way: int) -> int:
    """The crossing node met on this crossing way, or -1."""
    crossing = graph.node("crossing")
    for piece in walk[index:]:
        if int(graph.edge("osm_way_id")[piece.edge]) != way:
            break
        if piece.node >= 0 and crossing[piece.node] != Crossing.NOT_A_CROSSING:
            return piece.node
    return -1

"""What a route says about itself: summary, OSM ids, and which attributes are unknown.

`unknown_masks` says where each attribute that matters for a profile is unknown (an incline only
matters to someone with an incline limit, a kerb only to someone with a kerb limit...); the
summary turns them into a known share per attribute and one confidence (`narration.confidence`).
For a profile with no limits nothing is unknown, and confidence is 1.
"""

from __future__ import annotations

from typing import TypedDict, cast

import numpy as np

from stepfree.answers import AccessLegs, KnownShare, StepTotals
from stepfree.attributes import (
    Crossing,
    Footway,
    Highway,
    Kerb,
    Surface,
    Tri,
)
from stepfree.costing.costs import Costs
from stepfree.costing.rules import KERB_NO_LIMIT_M, unknown_kerb_nodes
from stepfree.graph.model import Graph
from stepfree.profiles.model import Profile
from stepfree.routing.geometry import walk_osm_nodes
from stepfree.routing.narration.confidence import confidence, known_shares
from stepfree.routing.narration.tally import totals
from stepfree.routing.walk import Walk

#: Below this confidence a route carries a warning.
LOW_CONFIDENCE = 0.8


class Measures(TypedDict):
    """A route's numbers but its detour (which needs the walking route): an
    `answers.Summary` but ``detour_factor``, which ``narration.answer`` adds."""

    length_m: float
    duration_s: float
    access_m: AccessLegs
    confidence: float
    known_share: KnownShare
    crossings: dict[str, int]
    kerbs: dict[str, int]
    steps: StepTotals
    elevators: int
    ascent_m: float | None
    descent_m: float | None


def unknown_masks(graph: Graph, profile: Profile) -> dict[str, np.ndarray]:
    """Per edge (or node, for kerbs and crossings) where a mattering attribute is unknown.

    Cached per graph and by which attributes matter (at most 256 sets of masks per graph,
    however many overrides are asked): the masks cover the whole graph.
    """
    mob, guide, pref = profile.mobility, profile.guidance, profile.preferences
    matters = (
        mob.max_incline_up_pct < 100 or mob.max_incline_down_pct < 100,
        mob.min_width_m > 0,
        mob.max_surface != "unpaved_soft",
        mob.max_step_count > 0,
        pref.avoid_unlit,
        mob.max_kerb_height_m < KERB_NO_LIMIT_M,
        guide.prefer_audible_signals,
        guide.prefer_tactile_paving,
    )
    key = f"unknown_masks:{matters}"
    cached = graph.derived.get(key)
    if cached is None:
        cached = graph.derived[key] = _unknown_masks(graph, *matters)
    masks: dict[str, np.ndarray] = cached
    return masks


def _unknown_masks(
    graph: Graph,
    incline: bool,
    width: bool,
    surface: bool,
    step_count: bool,
    lit: bool,
    kerb: bool,
    audible: bool,
    tactile: bool,
) -> dict[str, np.ndarray]:
    steps = graph.edge("highway") == Highway.STEPS
    out: dict[str, np.ndarray] = {}
    if incline:
        out["unknown_incline"] = np.isnan(graph.edge("incline_pct")) & ~steps
    if width:
        out["unknown_width"] = np.isnan(graph.edge("width_m"))
    if surface:
        out["unknown_surface"] = (graph.edge("surface") == Surface.UNKNOWN) & ~steps
    if step_count:
        out["unknown_step_count"] = steps & (graph.edge("step_count") < 0)
    if lit:
        out["unknown_lit"] = graph.edge("lit") == Tri.UNKNOWN
    nodes: dict[str, np.ndarray] = {}
    if kerb:
        nodes["unknown_kerb"] = unknown_kerb_nodes(graph)
    crossing = graph.node("crossing")
    if audible:
        nodes["unknown_audible"] = (crossing == Crossing.TRAFFIC_SIGNALS) & (
            graph.node("signals_sound") == Tri.UNKNOWN
        )
    if tactile:
        nodes["unknown_tactile"] = (crossing != Crossing.NOT_A_CROSSING) & (
            graph.node("tactile_paving") == Tri.UNKNOWN
        )
    return {
        **{f"edge:{k}": v for k, v in out.items()},
        **{f"node:{k}": v for k, v in nodes.items()},
    }


def _runs(values: np.ndarray) -> np.ndarray:
    """Values with repeats in a row removed."""
    if values.size == 0:
        return values
    keep = np.concatenate(([True], values[1:] != values[:-1]))
    runs: np.ndarray = values[keep]
    return runs


def osm_ids(graph: Graph, walk: Walk) -> tuple[list[int], list[int]]:
    """OSM way ids and the ids of every OSM node passed, in the order travelled (repeats in
    a row removed): the graph's nodes and every node of the ways between them."""
    ways = _runs(graph.edge("osm_way_id")[walk.edge]).tolist()
    nodes = walk_osm_nodes(graph, walk.edge, walk.forward, walk.start, walk.stop)
    return ways, nodes.tolist()


def _named(names: tuple[str, ...], counts: np.ndarray) -> dict[str, int]:
    """Counts per code, by the code's lower-case enum name, sorted by name (none: left out)."""
    return dict(sorted((names[c], n) for c, n in enumerate(counts.tolist()) if n))


_CROSSING_NAMES = tuple(c.name.lower() for c in sorted(Crossing))
_KERB_NAMES = tuple(k.name.lower() for k in sorted(Kerb))
# plain ints: comparing an array with an IntEnum member costs a conversion each time
_NOT_A_CROSSING, _CROSSING_WAY = int(Crossing.NOT_A_CROSSING), int(Footway.CROSSING)
_STEPS, _ELEVATOR = int(Highway.STEPS), int(Highway.ELEVATOR)


def _crossing_ways(graph: Graph, walk: Walk, way_id: list[int]) -> list[int]:
    """The control of each crossing way walked whose crossing node was not passed (once per
    way, by the way's own control): crossing nodes are counted where they are passed."""
    on_way = np.flatnonzero(graph.edge("footway")[walk.edge] == _CROSSING_WAY).tolist()
    if not on_way:
        return []
    node_crossing = graph.node("crossing")
    node = walk.node.tolist()
    with_node = {
        way_id[i] for i in on_way if node[i] >= 0 and node_crossing[node[i]] != _NOT_A_CROSSING
    }
    first_piece: dict[int, int] = {}
    for i in on_way:
        if way_id[i] not in with_node:
            first_piece.setdefault(way_id[i], i)
    codes: list[int] = graph.edge("crossing")[walk.edge[list(first_piece.values())]].tolist()
    return codes


def summary(
    graph: Graph,
    walk: Walk,
    costs: Costs,
    masks: dict[str, np.ndarray],
    access_m: tuple[float, float] = (0.0, 0.0),
    speed_m_s: float = 1.0,
) -> Measures:
    """Length, duration, confidence and counts of what the route meets.

    ``access_m``: the stretches from the requested origin to the network and from the network
    to the requested destination (unmapped ground, crossed at ``speed_m_s``): part of the
    length and the time, and unknown for every attribute of ways that matters.
    """
    tally = totals(graph, walk, costs, masks)
    edges = walk.edge
    way_id = graph.edge("osm_way_id")[edges].tolist()
    crossings = tally.crossings.copy()
    for code in _crossing_ways(graph, walk, way_id):
        crossings[code] += 1
    highway = graph.edge("highway")[edges]
    steps = np.flatnonzero(highway == _STEPS).tolist()
    counts = graph.edge("step_count")[edges].tolist()
    elevator_ways = {way_id[i] for i in np.flatnonzero(highway == _ELEVATOR).tolist()}
    flights = {way_id[i] for i in steps}
    unknown_flights = {way_id[i] for i in steps if counts[i] < 0}
    legs = access_m[0] + access_m[1]
    length = tally.length_m + legs
    place_counts = dict(tally.counts)
    if "edge:unknown_step_count" in masks:
        place_counts["step_count"] = (len(flights), len(unknown_flights))
    shares = known_shares(
        length, {name: m + legs for name, m in tally.unknown_m.items()}, place_counts
    )
    graded = tally.graded_m > 0  # no grade known anywhere: ascent and descent are unknown
    return {
        "length_m": round(length, 1),
        "duration_s": round(tally.duration_s + legs / speed_m_s, 1),
        "access_m": {"origin": round(access_m[0], 1), "destination": round(access_m[1], 1)},
        "confidence": confidence(shares),
        "known_share": cast(KnownShare, shares),  # by the names of `confidence.WEIGHTS`
        "crossings": _named(_CROSSING_NAMES, crossings),
        "kerbs": _named(_KERB_NAMES, tally.kerbs),
        "steps": {
            "flights": len(flights),
            "known_step_count": sum(counts[i] for i in steps if counts[i] >= 0),
            "flights_with_unknown_count": len(unknown_flights),
        },
        "elevators": tally.elevator_nodes + len(elevator_ways),
        "ascent_m": round(tally.ascent_m, 1) if graded else None,
        "descent_m": round(tally.descent_m, 1) if graded else None,
    }

"""What a route says about itself: summary, OSM ids, confidence and warnings.

Confidence is the share of the route's length on which every attribute that matters for the
profile is known (an incline only matters to someone with an incline limit, a kerb only to
someone with a kerb limit...). A node whose kerb is unknown makes the piece arriving at it
unknown. For a profile with no limits nothing is unknown, and confidence is 1.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from stepfree.graph.model import Graph, directed_incline_pct
from stepfree.ingest.attributes import (
    Barrier,
    Crossing,
    Footway,
    Highway,
    Kerb,
    Surface,
    Tri,
)
from stepfree.profiles.costing import Costs
from stepfree.profiles.model import Profile
from stepfree.profiles.rules import KERB_NO_LIMIT_M, unknown_kerb_nodes
from stepfree.routing.walk import Piece, lengths_m

#: Below this confidence a route carries a warning.
LOW_CONFIDENCE = 0.8


def unknown_masks(graph: Graph, profile: Profile) -> dict[str, np.ndarray]:
    """Per edge (or node, for kerbs and crossings) where a mattering attribute is unknown.

    Cached per graph and profile: the masks cover the whole graph.
    """
    key = f"unknown_masks:{profile.key()}"
    cached = graph.derived.get(key)
    if cached is None:
        cached = graph.derived[key] = _unknown_masks(graph, profile)
    masks: dict[str, np.ndarray] = cached
    return masks


def _unknown_masks(graph: Graph, profile: Profile) -> dict[str, np.ndarray]:
    mob, guide, pref = profile.mobility, profile.guidance, profile.preferences
    steps = graph.edge("highway") == Highway.STEPS
    out: dict[str, np.ndarray] = {}
    if mob.max_incline_up_pct < 100 or mob.max_incline_down_pct < 100:
        out["unknown_incline"] = np.isnan(graph.edge("incline_pct")) & ~steps
    if mob.min_width_m > 0:
        out["unknown_width"] = np.isnan(graph.edge("width_m"))
    if mob.max_surface != "unpaved_soft":
        out["unknown_surface"] = (graph.edge("surface") == Surface.UNKNOWN) & ~steps
    if mob.max_step_count > 0:
        out["unknown_step_count"] = steps & (graph.edge("step_count") < 0)
    if pref.avoid_unlit:
        out["unknown_lit"] = graph.edge("lit") == Tri.UNKNOWN
    nodes: dict[str, np.ndarray] = {}
    if mob.max_kerb_height_m < KERB_NO_LIMIT_M:
        nodes["unknown_kerb"] = unknown_kerb_nodes(graph)
    crossing = graph.node("crossing")
    if guide.prefer_audible_signals:
        nodes["unknown_audible"] = (crossing == Crossing.TRAFFIC_SIGNALS) & (
            graph.node("signals_sound") == Tri.UNKNOWN
        )
    if guide.prefer_tactile_paving:
        nodes["unknown_tactile"] = (crossing != Crossing.NOT_A_CROSSING) & (
            graph.node("tactile_paving") == Tri.UNKNOWN
        )
    return {
        **{f"edge:{k}": v for k, v in out.items()},
        **{f"node:{k}": v for k, v in nodes.items()},
    }


def confidence(graph: Graph, walk: list[Piece], masks: dict[str, np.ndarray]) -> float:
    """Share of the length walked whose mattering attributes are all known."""
    lengths = lengths_m(graph, walk)
    total = float(lengths.sum())
    if total <= 0 or not masks:
        return 1.0
    unknown = np.zeros(len(walk), dtype=bool)
    edges = np.array([p.edge for p in walk])
    nodes = np.array([p.node for p in walk])
    for name, mask in masks.items():
        if name.startswith("edge:"):
            unknown |= mask[edges]
        else:
            unknown |= (nodes >= 0) & mask[np.maximum(nodes, 0)]
    return round(float(lengths[~unknown].sum()) / total, 4)


def node_sequence(walk: list[Piece]) -> list[int]:
    """Graph nodes passed, in order."""
    return [p.node for p in walk if p.node >= 0]


def osm_ids(graph: Graph, walk: list[Piece]) -> tuple[list[int], list[int]]:
    """OSM way ids and node ids in the order travelled (repeats in a row removed)."""
    ways: list[int] = []
    for way in graph.edge("osm_way_id")[[p.edge for p in walk]].tolist():
        if not ways or ways[-1] != way:
            ways.append(int(way))
    node_ids = graph.node("osm_id")[node_sequence(walk)].tolist()
    return ways, [int(n) for n in node_ids]


def summary(
    graph: Graph,
    walk: list[Piece],
    costs: Costs,
    masks: dict[str, np.ndarray],
) -> dict[str, Any]:
    """Length, duration, confidence and counts of what the route meets."""
    lengths = lengths_m(graph, walk)
    entries = np.array([p.entry for p in walk])
    nodes = np.array(node_sequence(walk), dtype=np.int64)
    edge_seconds = (
        costs.entry_seconds[entries] - costs.node_seconds[graph.arrays["csr.target"][entries]]
    )
    duration = float((edge_seconds * np.array([p.share for p in walk])).sum())
    duration += float(costs.node_seconds[nodes].sum())
    grade = directed_incline_pct(graph)[entries].astype(np.float64)
    rise = np.nan_to_num(grade) / 100.0 * lengths
    crossing = graph.node("crossing")[nodes]
    crossings = Counter(
        Crossing(c).name.lower() for c in crossing.tolist() if c != Crossing.NOT_A_CROSSING
    )
    edges = np.array([p.edge for p in walk])
    crossing_ways = edges[graph.edge("footway")[edges] == Footway.CROSSING]
    node_crossing, footway = graph.node("crossing"), graph.edge("footway")
    ways_with_node = {  # crossing ways whose crossing node was passed (counted above)
        int(graph.edge("osm_way_id")[p.edge])
        for p in walk
        if p.node >= 0
        and footway[p.edge] == Footway.CROSSING
        and node_crossing[p.node] != Crossing.NOT_A_CROSSING
    }
    for way in set(graph.edge("osm_way_id")[crossing_ways].tolist()) - ways_with_node:
        first = crossing_ways[graph.edge("osm_way_id")[crossing_ways] == way][0]
        crossings[Crossing(graph.edge("crossing")[first]).name.lower()] += 1
    kerb_nodes = nodes[
        (graph.node("barrier")[nodes] == Barrier.KERB) | (graph.node("kerb")[nodes] != Kerb.UNKNOWN)
    ]
    kerbs = Counter(Kerb(k).name.lower() for k in graph.node("kerb")[kerb_nodes].tolist())
    steps_edges = edges[graph.edge("highway")[edges] == Highway.STEPS]
    step_ways = np.unique(graph.edge("osm_way_id")[steps_edges])
    counts = graph.edge("step_count")[steps_edges]
    elevators = int((graph.node("elevator")[nodes] == Tri.YES).sum()) + len(
        np.unique(graph.edge("osm_way_id")[edges[graph.edge("highway")[edges] == Highway.ELEVATOR]])
    )
    return {
        "length_m": round(float(lengths.sum()), 1),
        "duration_s": round(duration, 1),
        "confidence": confidence(graph, walk, masks),
        "crossings": dict(sorted(crossings.items())),
        "kerbs": dict(sorted(kerbs.items())),
        "steps": {
            "flights": int(step_ways.size),
            "known_step_count": int(counts[counts >= 0].sum()),
            "flights_with_unknown_count": int(
                np.unique(graph.edge("osm_way_id")[steps_edges[counts < 0]]).size
            ),
        },
        "elevators": elevators,
        "ascent_m": round(float(rise[rise > 0].sum()), 1),
        "descent_m": round(float(-rise[rise < 0].sum()), 1),
    }

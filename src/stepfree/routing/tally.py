"""One compiled pass over a walk for the numbers its summary reports.

Length, duration, ascent and descent, the length whose mattering attributes are known
(confidence), and counts of kerbs and crossings by type at the nodes passed: a dozen numpy
operations per route each cost more to dispatch than to compute on a walk of fifty pieces.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from stepfree.graph.model import Graph, directed_incline_pct
from stepfree.ingest.attributes import Barrier, Crossing, Kerb, Tri
from stepfree.profiles.costing import Costs
from stepfree.routing.walk import Walk

__all__ = ["Totals", "any_unknown", "totals"]


class Totals(NamedTuple):
    length_m: float
    duration_s: float
    ascent_m: float
    descent_m: float
    known_m: float  # length whose mattering attributes are all known
    kerbs: np.ndarray  # count per Kerb code, at nodes with a kerb
    crossings: np.ndarray  # count per Crossing code, at crossing nodes
    elevator_nodes: int


def any_unknown(graph: Graph, masks: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per edge and per node: is any mattering attribute unknown (the masks united; cached
    per graph and set of masks)."""
    key = "unknown_any:" + ",".join(sorted(masks))
    cached = graph.derived.get(key)
    if cached is None:
        edge = np.zeros(graph.n_edges, dtype=bool)
        node = np.zeros(graph.n_nodes, dtype=bool)
        for name, mask in masks.items():
            if name.startswith("edge:"):
                edge |= mask
            else:
                node |= mask
        cached = graph.derived[key] = (edge, node)
    united: tuple[np.ndarray, np.ndarray] = cached
    return united


def totals(graph: Graph, walk: Walk, costs: Costs, masks: dict[str, np.ndarray]) -> Totals:
    """The numbers of a walk's summary (see `Totals`)."""
    edge_unknown, node_unknown = any_unknown(graph, masks)
    out = _totals(
        walk.edge, walk.entry, walk.node, walk.share, graph.edge("length_m"),
        costs.entry_seconds, costs.node_seconds, graph.arrays["csr.target"],
        directed_incline_pct(graph), edge_unknown, node_unknown, graph.node("kerb"),
        graph.node("barrier"), graph.node("crossing"), graph.node("elevator"),
        len(Kerb), len(Crossing), int(Barrier.KERB), int(Kerb.UNKNOWN),
        int(Crossing.NOT_A_CROSSING), int(Tri.YES),
    )  # fmt: skip
    return Totals(*out)


@njit(cache=True, nogil=True)
def _totals(
    edge, entry, node, share, length_m, entry_seconds, node_seconds, target, incline_pct,
    edge_unknown, node_unknown, kerb, barrier, crossing, elevator,
    n_kerbs, n_crossings, kerb_barrier, kerb_unknown, not_a_crossing, yes,
):  # fmt: skip
    length = duration = ascent = descent = known = 0.0
    kerbs = np.zeros(n_kerbs, np.int64)
    crossings = np.zeros(n_crossings, np.int64)
    elevators = 0
    for i in range(edge.shape[0]):
        piece_m = np.float64(length_m[edge[i]]) * share[i]
        length += piece_m
        e = entry[i]
        # the way's own seconds: an entry's seconds include the wait at the node it reaches
        duration += (entry_seconds[e] - node_seconds[target[e]]) * share[i]
        grade = np.float64(incline_pct[e])
        if grade == grade:  # known
            rise = grade / 100.0 * piece_m
            if rise > 0:
                ascent += rise
            else:
                descent -= rise
        n = node[i]
        unknown = edge_unknown[edge[i]] or (n >= 0 and node_unknown[n])
        if not unknown:
            known += piece_m
        if n >= 0:
            duration += node_seconds[n]
            if barrier[n] == kerb_barrier or kerb[n] != kerb_unknown:
                kerbs[kerb[n]] += 1
            if crossing[n] != not_a_crossing:
                crossings[crossing[n]] += 1
            if elevator[n] == yes:
                elevators += 1
    return length, duration, ascent, descent, known, kerbs, crossings, elevators

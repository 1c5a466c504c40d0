"""One compiled pass over a walk for the numbers its summary reports.

Length, duration, ascent and descent (and the length of known grade), for each attribute that
matters the length on which it is unknown or the places where it applies and is unknown (the
known shares of `narration.confidence`), and counts of kerbs and crossings by type at the nodes
passed: a dozen numpy operations per route each cost more to dispatch than to compute on a
walk of fifty pieces.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from stepfree.attributes import Barrier, Crossing, Kerb, Tri
from stepfree.costing.costs import Costs
from stepfree.graph.model import Graph, directed_incline_pct
from stepfree.routing.narration.confidence import BY_COUNT, BY_LENGTH, WEIGHTS, node_places
from stepfree.routing.walk import Walk

__all__ = ["Totals", "totals"]


class Totals(NamedTuple):
    length_m: float
    duration_s: float
    ascent_m: float
    descent_m: float
    graded_m: float  # length whose grade is known
    unknown_m: dict[str, float]  # per length attribute that matters: length where unknown
    counts: dict[str, tuple[int, int]]  # per counted attribute: (places met, places unknown)
    kerbs: np.ndarray  # count per Kerb code, at nodes with a kerb
    crossings: np.ndarray  # count per Crossing code, at crossing nodes
    elevator_nodes: int


def _stacks(
    graph: Graph, masks: dict[str, np.ndarray]
) -> tuple[tuple[str, ...], np.ndarray, tuple[str, ...], np.ndarray, np.ndarray]:
    """The masks that matter stacked for the kernel, cached per graph and set of masks:
    (length attributes, their unknown masks per edge, counted attributes, where each applies
    per node, where each is unknown per node)."""
    key = "tally_stacks:" + ",".join(sorted(masks))
    cached = graph.derived.get(key)
    if cached is None:
        by_length = tuple(n for n in BY_LENGTH if WEIGHTS[n][0] in masks)
        by_count = tuple(n for n in BY_COUNT if WEIGHTS[n][0] in masks)
        edge_unknown = np.zeros((len(by_length), graph.n_edges), dtype=np.bool_)
        for row, name in enumerate(by_length):
            edge_unknown[row] = masks[WEIGHTS[name][0]]
        places = np.zeros((len(by_count), graph.n_nodes), dtype=np.bool_)
        node_unknown = np.zeros((len(by_count), graph.n_nodes), dtype=np.bool_)
        for row, name in enumerate(by_count):
            places[row] = node_places(graph, name)
            node_unknown[row] = masks[WEIGHTS[name][0]]
        for array in (edge_unknown, places, node_unknown):
            array.flags.writeable = False
        cached = graph.derived[key] = (by_length, edge_unknown, by_count, places, node_unknown)
    stacks: tuple[tuple[str, ...], np.ndarray, tuple[str, ...], np.ndarray, np.ndarray] = cached
    return stacks


def totals(graph: Graph, walk: Walk, costs: Costs, masks: dict[str, np.ndarray]) -> Totals:
    """The numbers of a walk's summary (see `Totals`)."""
    by_length, edge_unknown, by_count, places, node_unknown = _stacks(graph, masks)
    out = _totals(
        walk.edge, walk.entry, walk.node, walk.share, graph.edge("length_m"),
        costs.entry_seconds, costs.node_seconds, graph.arrays["csr.target"],
        directed_incline_pct(graph), edge_unknown, places, node_unknown, graph.node("kerb"),
        graph.node("barrier"), graph.node("crossing"), graph.node("elevator"),
        len(Kerb), len(Crossing), int(Barrier.KERB), int(Kerb.UNKNOWN),
        int(Crossing.NOT_A_CROSSING), int(Tri.YES),
    )  # fmt: skip
    length, duration, ascent, descent, graded, unknown_m, met, unknown, *rest = out
    return Totals(
        length,
        duration,
        ascent,
        descent,
        graded,
        dict(zip(by_length, unknown_m.tolist(), strict=True)),
        {
            name: (int(m), int(u))
            for name, m, u in zip(by_count, met.tolist(), unknown.tolist(), strict=True)
        },
        *rest,
    )


@njit(cache=True, nogil=True)
def _totals(
    edge, entry, node, share, length_m, entry_seconds, node_seconds, target, incline_pct,
    edge_unknown, places, node_unknown, kerb, barrier, crossing, elevator,
    n_kerbs, n_crossings, kerb_barrier, kerb_unknown, not_a_crossing, yes,
):  # fmt: skip
    length = duration = ascent = descent = graded = 0.0
    unknown_m = np.zeros(edge_unknown.shape[0])
    met = np.zeros(places.shape[0], np.int64)
    unknown = np.zeros(places.shape[0], np.int64)
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
            graded += piece_m
            rise = grade / 100.0 * piece_m
            if rise > 0:
                ascent += rise
            else:
                descent -= rise
        for k in range(edge_unknown.shape[0]):
            if edge_unknown[k, edge[i]]:
                unknown_m[k] += piece_m
        n = node[i]
        if n >= 0:
            duration += node_seconds[n]
            for k in range(places.shape[0]):
                if places[k, n]:
                    met[k] += 1
                    if node_unknown[k, n]:
                        unknown[k] += 1
            if barrier[n] == kerb_barrier or kerb[n] != kerb_unknown:
                kerbs[kerb[n]] += 1
            if crossing[n] != not_a_crossing:
                crossings[crossing[n]] += 1
            if elevator[n] == yes:
                elevators += 1
    return (
        length, duration, ascent, descent, graded, unknown_m, met, unknown, kerbs, crossings,
        elevators,
    )  # fmt: skip

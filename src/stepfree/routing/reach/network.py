"""The network reached within travel times: one bounded search, stretches of way per time.

The bound is on **seconds** (walking time plus waits at nodes), while the ways taken follow the
profile's limits: a way or node the profile forbids is never used, an avoided one is used like
any other (a person in a hurry takes it). One bounded search from the snapped origin, to the
largest time asked, gives every node's arrival time; for each time, the reached network is
every stretch of way walked within it: whole edges, and the part of an edge walked from one
end in the time left (only in a direction the profile may walk). The stretches of every time
come from one compiled pass over the entries leaving the reached nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from stepfree.costing.costs import Costs
from stepfree.graph.model import Graph
from stepfree.routing.router import Endpoint, Router
from stepfree.routing.search.paths import one_to_all_sparse

#: Kinds of the records the stretches are built from (per CSR entry, or the origin's edge).
FROM_U, FROM_V, ORIGIN = 0, 1, 2


@dataclass(frozen=True)
class Reach:
    """The network reached within one time: stretches of edges, merged per edge."""

    seconds: float
    edges: np.ndarray  # int64 edge of each stretch, in increasing order
    start: np.ndarray  # float64 fraction of the edge (0 at edge.u) where the stretch begins
    stop: np.ndarray  # ... and ends (start < stop; stretches of one edge do not overlap)
    length_m: float  # sum of the stretches' lengths
    nodes: int  # graph nodes reached within the time


def time_costs(graph: Graph, costs: Costs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds to search by, under the profile's limits.

    Returns
    -------
    entry_s : np.ndarray
        Per CSR entry, seconds to walk the way and pass the node reached; inf where the
        profile forbids the way in that direction or the node.
    way_s : np.ndarray
        Per entry, seconds to walk the way alone; inf where the way is forbidden that way.
    node_s : np.ndarray
        Per node, seconds to pass it; inf where the node is forbidden.
    """
    target = graph.arrays["csr.target"]
    node_s = np.where(np.isfinite(costs.node_cost), costs.node_seconds, np.inf)
    way_s = np.where(
        np.isfinite(costs.edge_cost), costs.entry_seconds - costs.node_seconds[target], np.inf
    )
    return way_s + node_s[target], way_s, node_s


def _cached_time_costs(graph: Graph, costs: Costs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`time_costs` of the costs last used on this graph, kept in ``graph.derived``.

    Routers cache their Costs objects, so repeated requests for one profile skip three
    passes over every entry.
    """
    cached = graph.derived.get("isochrone.time_costs")
    if cached is None or cached[0] is not costs:
        cached = (costs, time_costs(graph, costs))
        graph.derived["isochrone.time_costs"] = cached
    return cached[1]


@njit(cache=True, nogil=True)
def _share(time_s: float, way_s: float) -> float:
    """Fraction of a way walked in ``time_s`` (0..1): 0 on a forbidden way, 1 on a 0 s one."""
    if way_s <= 0.0:
        return 1.0
    return min(max(time_s, 0.0) / way_s, 1.0)  # inf seconds (forbidden): 0


@njit(cache=True, nogil=True)
def _radix_order(keys: np.ndarray) -> np.ndarray:
    """Stable order of non-negative integer keys: least significant digit first, 11 bits a
    pass (two passes up to 4 million edges); several times faster than a comparison sort
    on the few thousand records of an isochrone."""
    n = keys.shape[0]
    order = np.empty(n, np.int64)  # plain loops: array expressions compile slowly
    for i in range(n):
        order[i] = i
    spare = np.empty(n, np.int64)
    count = np.empty(2049, np.int64)
    top = 0
    for i in range(n):
        top = max(top, keys[i])
    shift = 0
    while shift == 0 or top >> shift > 0:
        for d in range(2049):
            count[d] = 0
        for i in range(n):
            count[((keys[i] >> shift) & 2047) + 1] += 1
        for d in range(2048):
            count[d + 1] += count[d]
        for i in range(n):
            r = order[i]
            d = (keys[r] >> shift) & 2047
            spare[count[d]] = r
            count[d] += 1
        order, spare = spare, order
        shift += 11
    return order


@njit(cache=True, nogil=True)
def _stretches(
    nodes: np.ndarray,
    dist: np.ndarray,
    indptr: np.ndarray,
    csr_edge: np.ndarray,
    csr_forward: np.ndarray,
    way_s: np.ndarray,
    length_m: np.ndarray,
    limits: np.ndarray,
    origin: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stretches per limit (rows), merged per edge, edges in increasing order.

    ``origin`` is ``[edge, then per limit the origin's own stretch start, stop]``. Returns
    edge, start, stop (each ``[limit, slot]``), the count per limit, length_m and nodes.
    """
    n = 1
    for v in nodes:
        n += indptr[v + 1] - indptr[v]
    # one record per entry leaving a reached node, and one for the origin's edge
    edge = np.empty(n, np.int64)
    kind = np.empty(n, np.int8)
    at_s = np.empty(n)
    walk_s = np.empty(n)
    n = 0
    for i in range(nodes.shape[0]):
        for entry in range(indptr[nodes[i]], indptr[nodes[i] + 1]):
            edge[n], at_s[n], walk_s[n] = csr_edge[entry], dist[i], way_s[entry]
            kind[n] = FROM_U if csr_forward[entry] else FROM_V
            n += 1
    edge[n], kind[n], at_s[n], walk_s[n] = int(origin[0]), ORIGIN, 0.0, 0.0
    n += 1
    order = _radix_order(edge)
    k_limits = limits.shape[0]
    out_edge = np.empty((k_limits, n), np.int64)  # a record adds at most one stretch
    out_start = np.empty((k_limits, n))
    out_stop = np.empty((k_limits, n))
    count = np.empty(k_limits, np.int64)
    total_m = np.empty(k_limits)
    for k in range(k_limits):
        count[k], total_m[k] = 0, 0.0
    lo, hi = np.empty(3), np.empty(3)
    g = 0
    while g < n:
        e = edge[order[g]]
        u_s = v_s = u_way = v_way = np.inf
        own = False
        while g < n and edge[order[g]] == e:
            r = order[g]
            if kind[r] == FROM_U:
                u_s, u_way = at_s[r], walk_s[r]
            elif kind[r] == FROM_V:
                v_s, v_way = at_s[r], walk_s[r]
            else:
                own = True
            g += 1
        for k in range(k_limits):
            m = 0
            if u_s <= limits[k]:  # from u along the edge
                lo[m], hi[m] = 0.0, _share(limits[k] - u_s, u_way)
                m += 1
            if v_s <= limits[k]:  # from v back along it
                lo[m], hi[m] = 1.0 - _share(limits[k] - v_s, v_way), 1.0
                m += 1
            if own:  # from the origin, both ways
                lo[m], hi[m] = origin[1 + 2 * k], origin[2 + 2 * k]
                m += 1
            for a in range(1, m):  # at most three: sort by start
                for b in range(a, 0, -1):
                    if lo[b] < lo[b - 1]:
                        lo[b], lo[b - 1] = lo[b - 1], lo[b]
                        hi[b], hi[b - 1] = hi[b - 1], hi[b]
            c = count[k]
            for a in range(m):
                if hi[a] <= lo[a]:
                    continue
                if c > count[k] and lo[a] <= out_stop[k, c - 1]:  # overlaps or touches
                    out_stop[k, c - 1] = max(out_stop[k, c - 1], hi[a])
                else:
                    out_edge[k, c], out_start[k, c], out_stop[k, c] = e, lo[a], hi[a]
                    c += 1
            for a in range(count[k], c):
                total_m[k] += (out_stop[k, a] - out_start[k, a]) * length_m[e]
            count[k] = c
    reached = np.empty(k_limits, np.int64)
    for k in range(k_limits):
        reached[k] = 0
        for d in dist:
            reached[k] += d <= limits[k]
    return out_edge, out_start, out_stop, count, total_m, reached


def reach(router: Router, origin: Endpoint, costs: Costs, seconds: Sequence[float]) -> list[Reach]:
    """The network reached from a snapped origin within each time (one bounded search).

    Parameters
    ----------
    router : Router
        The router of the graph (its workspace is used; not thread-safe).
    origin : Endpoint
        The snapped origin (`Router.endpoint`).
    costs : Costs
        The profile's costs: FORBID rules decide what is usable, seconds what is bounded.
    seconds : sequence of float
        Times, in increasing order for nesting polygons.

    Returns
    -------
    list of Reach
        One per time, in the order given.
    """
    graph = router.graph
    entry_s, way_s, node_s = _cached_time_costs(graph, costs)
    oe, of = int(origin.snap.edge), float(origin.snap.fraction)
    u, v = int(graph.edge("u")[oe]), int(graph.edge("v")[oe])
    back_s = float(way_s[router.backward_entry[oe]])
    fwd_s = float(way_s[router.forward_entry[oe]])
    source_s = np.array(
        [
            (back_s * of if of > 0 else 0.0) + node_s[u],
            (fwd_s * (1 - of) if of < 1 else 0.0) + node_s[v],
        ]
    )
    limits = np.asarray(seconds, dtype=np.float64)
    nodes, dist, _ = one_to_all_sparse(
        graph.arrays["csr.indptr"],
        graph.arrays["csr.target"],
        entry_s,
        np.array([u, v]),
        source_s,
        float(limits.max()),
        router.workspace,
    )
    # the origin's own stretch along its edge, both ways, per time
    origin_row = [float(oe)]
    for limit in limits:
        ahead = min(1 - of, float(_share(float(limit), fwd_s)))
        behind = min(of, float(_share(float(limit), back_s)))
        origin_row += [of - behind, of + ahead]
    edges, start, stop, count, length_m, reached = _stretches(
        nodes,
        dist,
        graph.arrays["csr.indptr"],
        graph.arrays["csr.edge"],
        graph.arrays["csr.forward"],
        way_s,
        graph.edge("length_m"),
        limits,
        np.array(origin_row),
    )
    return [
        Reach(
            seconds=float(limit),
            edges=edges[k, : count[k]],
            start=start[k, : count[k]],
            stop=stop[k, : count[k]],
            length_m=float(length_m[k]),
            nodes=int(reached[k]),
        )
        for k, limit in enumerate(limits)
    ]

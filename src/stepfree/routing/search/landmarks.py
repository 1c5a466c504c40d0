"""Landmarks for the A* search (ALT: A*, landmarks and the triangle inequality).

For a few landmark nodes spread over the network, the walking distance (metres, over every
edge in both directions) from the landmark to every node is stored with the graph. For any
nodes ``v`` and ``g``, ``|d(L, g) - d(L, v)| <= d(v, g)`` (triangle inequality), so the
largest such difference over the landmarks is a lower bound of the distance still to walk,
usually far tighter than the straight line: a route that must go round a river or a railway
explores a fraction of the nodes (Goldberg and Harrelson, "Computing the shortest path: A*
search meets graph theory", SODA 2005).

The bound is on metres over all edges, so it holds for every profile at once: a profile only
removes edges (distances grow) and its cost per metre is at least its ``min_cost_per_m``. One
table serves pedestrians, wheelchairs and any override.

Landmarks are picked farthest-first in the network's main connected part (see `_main_part`;
nodes outside it keep ``inf``, and the search falls back to the straight line there).

Where the table comes from: ``stepfree build`` stores it in the graph file for networks of
`STORED_FROM_NODES` nodes or more (scipy's Dijkstra, about 0.1 s per landmark on a million
nodes, without loading numba into the build). A smaller network gets it when first routed on
(the compiled search, a few milliseconds): storing it would cost its build more memory (scipy)
than computing it costs a router.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from stepfree.geo import to_local_m
from stepfree.graph.model import Graph, derived

__all__ = [
    "ARRAY",
    "LANDMARKS",
    "STORED_FROM_NODES",
    "graph_with_landmarks",
    "landmark_distances",
    "landmark_table",
]

#: Name of the table among the graph's arrays (float32, one row per node, one column per
#: landmark).
ARRAY = "landmark.distance_m"
#: Landmarks per graph (4 bytes per node each: 32 MiB for a million nodes). The search uses
#: the 4 that bound a pair best; 8 to choose from search as fast as 16 on the benchmark cities
#: (a node's row is half a cache line).
LANDMARKS = 8
#: Networks from this size have the table computed by ``stepfree build`` and stored.
STORED_FROM_NODES = 100_000

Distances = Callable[[int], np.ndarray]


def _undirected(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of every edge in both directions, weighted by length (m)."""
    u = graph.edge("u").astype(np.int64)
    v = graph.edge("v").astype(np.int64)
    length = graph.edge("length_m").astype(np.float64)
    source = np.concatenate((u, v))
    order = np.argsort(source, kind="stable")
    target = np.concatenate((v, u))[order].astype(np.int32)
    cost = np.concatenate((length, length))[order]
    indptr = np.zeros(graph.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(source, minlength=graph.n_nodes), out=indptr[1:])
    return indptr, target, cost


def scipy_distances(graph: Graph) -> Distances:
    """Metres from one node to every node, by scipy's Dijkstra (for the build)."""
    from scipy.sparse import csr_matrix  # build time only
    from scipy.sparse.csgraph import dijkstra

    indptr, target, cost = _undirected(graph)
    n = graph.n_nodes
    # parallel edges: each is relaxed, so the shortest counts; zero lengths are edges too
    lengths = csr_matrix((cost, target, indptr), shape=(n, n))
    return lambda node: np.asarray(dijkstra(lengths, directed=True, indices=node))


def compiled_distances(graph: Graph) -> Distances:
    """Metres from one node to every node, by the compiled search (for a router)."""
    from stepfree.routing.search.paths import SearchWorkspace, one_to_all

    indptr, target, cost = _undirected(graph)
    workspace = SearchWorkspace(graph.n_nodes)
    return lambda node: one_to_all(indptr, target, cost, [node], [0.0], workspace=workspace)[0]


#: Parts of the network tried, nearest the centre first, before taking the largest seen.
PARTS_TRIED = 8


def _main_part(graph: Graph, distances_from: Distances) -> np.ndarray:
    """Distances from a node of the network's main connected part: the part of the node
    nearest the centre of its bounding box, unless that part holds no more than half the
    nodes (a footway island in the middle of a square): then the next part nearest the
    centre, up to `PARTS_TRIED` parts, keeping the largest."""
    lon, lat = graph.node("lon"), graph.node("lat")
    lon0, lat0 = graph.meta.get("origin", (float(lon.mean()), float(lat.mean())))
    x, y = to_local_m(lon, lat, lon0, lat0)
    ends = np.concatenate((graph.edge("u"), graph.edge("v")))
    on_edge = np.bincount(ends, minlength=graph.n_nodes) > 0
    n_on_edge = int(on_edge.sum())
    order = np.argsort(np.where(on_edge, x * x + y * y, np.inf), kind="stable")[:n_on_edge]
    seen = np.zeros(graph.n_nodes, dtype=bool)
    best, best_size, tried = np.empty(0), -1, 0
    for node in order.tolist():
        if seen[node]:
            continue
        dist = distances_from(node)
        reached = np.isfinite(dist)
        seen |= reached
        size = int(reached.sum())
        if size > best_size:
            best, best_size = dist, size
        tried += 1
        if 2 * size > n_on_edge or tried == PARTS_TRIED:
            break
    return best


def landmark_distances(
    graph: Graph, count: int = LANDMARKS, distances: Distances | None = None
) -> np.ndarray:
    """Metres from each of ``count`` landmarks to every node: float32, shape (n_nodes, count).

    Farthest-first in the main part (`_main_part`): the first landmark is the node farthest
    (walking) from where the part was found, each next one the node farthest from all
    landmarks so far; ``inf`` outside the part, and fewer columns when it has fewer nodes than
    ``count``.
    ``distances`` computes one node's distances (`scipy_distances` by default); both give the
    same table.
    """
    n = graph.n_nodes
    if n == 0 or graph.n_edges == 0:
        return np.zeros((n, 0), dtype=np.float32)
    distances_from = distances or scipy_distances(graph)
    nearest = _main_part(graph, distances_from)
    part = np.isfinite(nearest)
    columns: list[np.ndarray] = []
    for _ in range(min(count, int(part.sum()))):
        landmark = int(np.argmax(np.where(part, nearest, -1.0)))
        if columns and nearest[landmark] <= 0:
            break  # every node of the part is a landmark already
        dist = distances_from(landmark)
        columns.append(dist)
        nearest = dist if len(columns) == 1 else np.minimum(nearest, dist)
    table: np.ndarray = np.ascontiguousarray(np.column_stack(columns).astype(np.float32))
    return table


def landmark_table(graph: Graph) -> np.ndarray:
    """The graph's landmark table: stored in the graph file, else computed once per graph
    with the compiled search (a smaller network, one built in memory or an older file)."""
    stored = graph.arrays.get(ARRAY)
    if stored is not None and stored.ndim == 2 and stored.shape[0] == graph.n_nodes:
        return stored
    return derived(graph, ARRAY, lambda g: landmark_distances(g, distances=compiled_distances(g)))


def graph_with_landmarks(graph: Graph) -> Graph:
    """The graph with its landmark table among its arrays, to be saved with it, when it has
    `STORED_FROM_NODES` nodes or more; else the graph as it is."""
    if graph.n_nodes < STORED_FROM_NODES:
        return graph
    return dataclasses.replace(graph, arrays={**graph.arrays, ARRAY: landmark_distances(graph)})

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

Landmarks are picked farthest-first inside the largest connected part of the network (nodes
outside it keep ``inf``, and the search falls back to the straight line there).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from stepfree.graph.model import Graph, derived
from stepfree.routing.search import SearchWorkspace, one_to_all

__all__ = ["ARRAY", "LANDMARKS", "graph_with_landmarks", "landmark_distances", "landmark_table"]

#: Name of the table among the graph's arrays (float32, one row per node, one column per
#: landmark).
ARRAY = "landmark.distance_m"

#: Landmarks per graph (4 bytes per node each: 32 MiB for a million nodes). The
#: search uses the 4 that bound a pair best; 8 to choose from search as fast as 16 on the
#: benchmark cities (a node's row is half a cache line).
LANDMARKS = 8


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


def landmark_distances(graph: Graph, count: int = LANDMARKS) -> np.ndarray:
    """Metres from each of ``count`` landmarks to every node: float32, shape (n_nodes, count).

    Farthest-first: the first landmark is the node farthest from the largest part's first
    node, each next one the node farthest from all landmarks so far. ``inf`` outside the
    largest connected part; fewer columns when that part has fewer nodes than ``count``.
    """
    n = graph.n_nodes
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    indptr, target, cost = _undirected(graph)
    workspace = SearchWorkspace(n)

    def distances_from(node: int) -> np.ndarray:
        dist, _ = one_to_all(indptr, target, cost, [node], [0.0], workspace=workspace)
        return dist

    start = _largest_part_node(indptr, target, n)
    nearest = distances_from(start)  # from the part's node: picks the first landmark
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


def _largest_part_node(indptr: np.ndarray, target: np.ndarray, n: int) -> int:
    """A node of the largest connected part."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    matrix = csr_matrix((np.ones(target.shape[0], dtype=np.int8), target, indptr), shape=(n, n))
    _, label = connected_components(matrix, directed=False)
    largest = int(np.argmax(np.bincount(label)))
    return int(np.flatnonzero(label == largest)[0])


def landmark_table(graph: Graph) -> np.ndarray:
    """The graph's landmark table: stored in the graph file by ``stepfree build``, else
    computed once per graph (a graph built in memory, or a file from before landmarks)."""
    stored = graph.arrays.get(ARRAY)
    if stored is not None and stored.ndim == 2 and stored.shape[0] == graph.n_nodes:
        return stored
    return derived(graph, ARRAY, landmark_distances)


def graph_with_landmarks(graph: Graph) -> Graph:
    """The same graph with its landmark table among its arrays (to be saved with it)."""
    return dataclasses.replace(graph, arrays={**graph.arrays, ARRAY: landmark_distances(graph)})

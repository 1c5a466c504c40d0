"""Searches over the directed CSR adjacency: A*, bounded Dijkstra, many-to-many.

The kernels (`search_kernels`) know arrays only: ``indptr`` (int64, ``n_nodes + 1``),
``target`` (int32 per entry), ``cost`` (float64 per entry, ``>= 0``; ``inf`` means
impassable). They are compiled with numba (``cache=True`` so a new process loads machine code
instead of recompiling, and ``nogil=True`` so threads, each with its own workspace, can search
at once); no Python runs per node or per edge during a query.

A `SearchWorkspace` holds the per-node scratch arrays. Each query bumps a generation counter
instead of clearing them, so a query touches only the nodes it explores: a short route on a
city of a million nodes costs what it explores, not ``O(n_nodes)``.

A negative or NaN cost met during a search raises `BadData` (one comparison per edge; whole
cost arrays are not scanned per query).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from stepfree.errors import BadData, BadInput
from stepfree.routing.search.kernels import (
    INITIAL_HEAP,
    MAX_GENERATION,
    NO_LANDMARKS,
    astar_kernel,
    bounded_kernel,
    many_kernel,
)
from stepfree.routing.search.reachable import reach_kernel

__all__ = [
    "PathResult",
    "SearchWorkspace",
    "astar",
    "entry_sources",
    "many_to_many",
    "one_to_all",
    "one_to_all_sparse",
    "reachable",
    "shortest_path",
]

# --- Python surface: validation, workspace, results -----------------------------------------


class PathResult(NamedTuple):
    """Best route of `shortest_path` (a tuple: unpacks as four values)."""

    total_cost: float  # source cost + entry costs + target cost; inf when unreachable
    entries: np.ndarray  # int64 CSR entry indices walked, in order
    source_index: int  # index into ``sources`` of the start; -1 when unreachable
    target_index: int  # index into ``targets`` of the goal; -1 when unreachable


class SearchWorkspace:
    """Reusable per-node scratch for searches on one graph of ``n_nodes`` nodes.

    Not thread-safe: use one per thread. ``settled`` counts the nodes expanded by the last
    query (a debugging and benchmarking aid). Memory: 32 bytes per node plus the heap.
    """

    def __init__(self, n_nodes: int) -> None:
        n = int(n_nodes)
        if n < 0:
            raise BadInput(f"n_nodes is {n}; a workspace needs a non-negative node count")
        self.n_nodes = n
        # dist, pred entry, stamp, heuristic, settle order
        self.scratch = (
            np.empty(n),
            np.empty(n, np.int64),
            np.zeros(n, np.int32),
            np.empty(n),
            np.empty(n, np.int32),
        )
        self.heap = (np.empty(INITIAL_HEAP), np.empty(INITIAL_HEAP, np.int64))
        self.generation = 0
        self.settled = 0

    def next_generation(self, count: int = 1) -> int:
        """Reserve ``count`` queries; return the first one's stamp (older stamps go stale)."""
        if self.generation + count > MAX_GENERATION:
            self.scratch[2][:] = 0
            self.generation = 0
        self.generation += count
        return self.generation - count + 1


def entry_sources(indptr: ArrayLike) -> np.ndarray:
    """Source node (int32) of every CSR entry: entries do not store it."""
    indptr = np.asarray(indptr, dtype=np.int64)
    return np.repeat(np.arange(indptr.shape[0] - 1, dtype=np.int32), np.diff(indptr))


def _graph(
    indptr: ArrayLike, target: ArrayLike, cost: ArrayLike
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], int]:
    # no copies when the dtypes already match (int64, int32, float64), memory maps included
    graph = (
        np.asarray(indptr, dtype=np.int64),
        np.asarray(target, dtype=np.int32),
        np.asarray(cost, dtype=np.float64),
    )
    if graph[0].ndim != 1 or graph[0].shape[0] < 1:
        raise BadInput("indptr must be a 1-D array of n_nodes + 1 offsets")
    n_entries = int(graph[0][-1])
    if graph[1].shape != (n_entries,) or graph[2].shape != (n_entries,):
        raise BadInput(
            f"indptr ends at {n_entries} entries but target has {graph[1].size} and cost "
            f"{graph[2].size}: pass arrays of the same graph"
        )
    return graph, graph[0].shape[0] - 1


def _nodes(name: str, values: ArrayLike, n_nodes: int) -> np.ndarray:
    values = np.atleast_1d(np.asarray(values))
    if values.ndim != 1 or (values.size and values.dtype.kind not in "iu"):
        raise BadInput(f"{name} must be a 1-D array of integer node indices")
    if values.size and (values.min() < 0 or values.max() >= n_nodes):
        raise BadInput(f"{name} holds a node index outside 0..{n_nodes - 1}")
    return values.astype(np.int64)


def _costs(name: str, values: ArrayLike, count: int) -> np.ndarray:
    values = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if values.shape != (count,):
        raise BadInput(f"{name} has {values.size} values for {count} nodes: give one per node")
    if np.isnan(values).any() or (values < 0).any():
        raise BadInput(f"{name} must be >= 0 (inf to ignore a node), without NaN")
    return values


def _limit(limit: float) -> float:
    limit = float(limit)
    if not limit >= 0.0:
        raise BadInput(f"limit is {limit}; give a cost >= 0 (inf for no limit)")
    return limit


def _check_bad(bad: int, cost: np.ndarray) -> None:
    if bad >= 0:
        raise BadData(
            f"cost[{bad}] is {cost[bad]}: entry costs must be >= 0 or inf; fix the costing"
        )


def _workspace(workspace: SearchWorkspace | None, n_nodes: int) -> SearchWorkspace:
    if workspace is None:
        return SearchWorkspace(n_nodes)
    if workspace.n_nodes != n_nodes:
        raise BadInput(
            f"workspace is for {workspace.n_nodes} nodes, graph has {n_nodes}: one per graph"
        )
    return workspace


def shortest_path(
    indptr: ArrayLike,
    target: ArrayLike,
    cost: ArrayLike,
    sources: ArrayLike,
    source_costs: ArrayLike,
    targets: ArrayLike,
    target_costs: ArrayLike,
    x_m: ArrayLike | None = None,
    y_m: ArrayLike | None = None,
    min_cost_per_m: float = 0.0,
    workspace: SearchWorkspace | None = None,
    landmarks: ArrayLike | None = None,
    cost_landmarks: ArrayLike | None = None,
) -> PathResult:
    """Cheapest route from any of several sources to any of several targets (A*).

    Parameters
    ----------
    indptr, target, cost : array_like
        CSR adjacency (int64, int32) and per-entry cost (float64, ``>= 0``, inf impassable).
    sources, source_costs : array_like
        Start nodes and the cost of reaching each from the origin (inf ignores a node).
    targets, target_costs : array_like
        Goal nodes and the cost from each to the destination (inf ignores a node).
    x_m, y_m : array_like, optional
        Node positions in a local plane, metres; needed when ``min_cost_per_m > 0``.
    min_cost_per_m : float
        Lower bound of entry cost per metre of straight line; ``0`` gives plain Dijkstra.
    workspace : SearchWorkspace, optional
        Scratch reused across queries; without one, ``O(n_nodes)`` arrays are allocated.
    landmarks : array_like, optional
        ``(n_nodes, L)`` metres from L landmarks to every node (`search.landmarks`; ``inf``
        outside the landmarks' connected part), over a graph on which every entry's cost is at
        least its length * ``min_cost_per_m``: a tighter bound than the straight line.
    cost_landmarks : array_like, optional
        ``(n_nodes, 2 L)`` costs from L landmarks to every node, then from every node to them
        (`search.cost_landmarks`; ``inf`` where none), computed on costs no higher than
        ``cost`` entry by entry. Used instead of ``landmarks`` when given.

    Returns
    -------
    PathResult
        ``(total_cost, entries, source_index, target_index)``; ``(inf, [], -1, -1)`` when
        no target is reachable. ``entries`` is empty when the best source is a target.
    """
    graph, n_nodes = _graph(indptr, target, cost)
    sources = _nodes("sources", sources, n_nodes)
    targets = _nodes("targets", targets, n_nodes)
    source_costs = _costs("source_costs", source_costs, sources.shape[0])
    target_costs = _costs("target_costs", target_costs, targets.shape[0])
    k = float(min_cost_per_m)
    if not (k >= 0.0 and np.isfinite(k)):
        raise BadInput(f"min_cost_per_m is {k}; give a finite value >= 0")
    if k > 0.0:
        if x_m is None or y_m is None:
            raise BadInput("min_cost_per_m > 0 needs node positions x_m and y_m")
        x_m, y_m = np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64)
        if x_m.shape != (n_nodes,) or y_m.shape != (n_nodes,):
            raise BadInput(f"x_m and y_m need one value per node ({n_nodes})")
    else:
        x_m = y_m = np.empty(0)
    table = NO_LANDMARKS
    if landmarks is not None and k > 0.0:
        table = np.ascontiguousarray(landmarks, dtype=np.float32)
        if table.ndim != 2 or table.shape[0] != n_nodes:
            raise BadInput(f"landmarks must be an (n_nodes, L) table with n_nodes = {n_nodes}")
        if np.isnan(table).any() or (table < 0).any():
            raise BadInput("landmarks must be distances >= 0 (inf outside their part)")
    cost_table = NO_LANDMARKS
    if cost_landmarks is not None:
        cost_table = np.ascontiguousarray(cost_landmarks, dtype=np.float32)
        if cost_table.ndim != 2 or cost_table.shape[0] != n_nodes or cost_table.shape[1] % 2:
            raise BadInput(
                f"cost_landmarks must be an (n_nodes, 2 L) table with n_nodes = {n_nodes}"
            )
        if np.isnan(cost_table).any() or (cost_table < 0).any():
            raise BadInput("cost_landmarks must be costs >= 0 (inf where none)")
    return astar(
        graph, sources, source_costs, targets, target_costs, x_m, y_m, k,
        _workspace(workspace, n_nodes), table, cost_table,
    )  # fmt: skip


def astar(
    graph: tuple[np.ndarray, np.ndarray, np.ndarray],
    sources: np.ndarray,
    source_costs: np.ndarray,
    targets: np.ndarray,
    target_costs: np.ndarray,
    x_m: np.ndarray,
    y_m: np.ndarray,
    min_cost_per_m: float,
    workspace: SearchWorkspace,
    landmarks: np.ndarray = NO_LANDMARKS,
    cost_landmarks: np.ndarray = NO_LANDMARKS,
) -> PathResult:
    """`shortest_path` on arrays already checked and in the kernel's types: ``graph`` is
    ``(indptr int64, target int32, cost float64)``, nodes int64, costs float64 without NaN.

    For callers that build these arrays themselves (the router), so a query pays no checks
    it cannot fail; the kernel still refuses a negative or NaN entry cost (`BadData`).
    """
    ws = workspace
    best, entries, start, goal, settled, bad, ws.heap = astar_kernel(
        graph, sources, source_costs, targets, target_costs, x_m, y_m, min_cost_per_m,
        landmarks, cost_landmarks, ws.scratch, ws.next_generation(), ws.heap,
    )  # fmt: skip
    ws.settled = int(settled)
    _check_bad(bad, graph[2])
    if goal < 0:
        return PathResult(np.inf, np.empty(0, np.int64), -1, -1)
    return PathResult(float(best), entries, int(start), int(goal))


def reachable(
    graph: tuple[np.ndarray, np.ndarray, np.ndarray],
    reverse: tuple[np.ndarray, np.ndarray, np.ndarray],
    sources: np.ndarray,
    targets: np.ndarray,
) -> bool:
    """Whether any of ``targets`` can be reached from any of ``sources`` over entries of
    finite cost (a route exists), without costing it: breadth-first from both sides, so a
    refusal costs the smaller side (a target in a pocket is refused after the pocket).

    ``graph`` is ``(indptr, target, cost)`` as for `astar`; ``reverse`` the entries by target
    node, ``(indptr, source, entry)`` (`search.cost_landmarks.reverse_csr`); nodes int64.
    """
    n_nodes = graph[0].shape[0] - 1
    queues = np.empty(n_nodes, np.int64), np.empty(n_nodes, np.int64)
    return bool(reach_kernel(graph, reverse, sources, targets, np.zeros(n_nodes, np.int8), *queues))


def one_to_all_sparse(
    indptr: ArrayLike,
    target: ArrayLike,
    cost: ArrayLike,
    sources: ArrayLike,
    source_costs: ArrayLike,
    limit: float = np.inf,
    workspace: SearchWorkspace | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes within ``limit`` of the sources, cheapest first (bounded Dijkstra).

    Costs what it explores, not ``O(n_nodes)``, when given a workspace.

    Returns
    -------
    nodes : np.ndarray
        int32 nodes reached with cost ``<= limit``, in order of cost.
    dist : np.ndarray
        float64 cost of each.
    pred_entry : np.ndarray
        int64 CSR entry arriving at each on a cheapest path; -1 at the sources.
    """
    graph, n_nodes = _graph(indptr, target, cost)
    sources = _nodes("sources", sources, n_nodes)
    source_costs = _costs("source_costs", source_costs, sources.shape[0])
    limit = _limit(limit)
    ws = _workspace(workspace, n_nodes)
    no_slot, no_row = np.empty(0, np.int32), np.empty(0)
    n, bad, ws.heap = bounded_kernel(
        graph, sources, source_costs, limit, no_slot, 0, no_row, ws.scratch,
        ws.next_generation(), ws.heap,
    )  # fmt: skip
    ws.settled = int(n)
    _check_bad(bad, graph[2])
    dist, pred, *_, order = ws.scratch
    nodes = order[:n].copy()
    return nodes, dist[nodes], pred[nodes]


def one_to_all(
    indptr: ArrayLike,
    target: ArrayLike,
    cost: ArrayLike,
    sources: ArrayLike,
    source_costs: ArrayLike,
    limit: float = np.inf,
    workspace: SearchWorkspace | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cost from the sources to every node (bounded Dijkstra), for isochrones.

    Returns
    -------
    dist : np.ndarray
        float64 per node; inf where the cost exceeds ``limit`` or no path exists.
    pred_entry : np.ndarray
        int64 per node: the CSR entry arriving on a cheapest path; -1 at sources and
        unreached nodes. `one_to_all_sparse` returns only the reached nodes.
    """
    nodes, reached, arriving = one_to_all_sparse(
        indptr, target, cost, sources, source_costs, limit, workspace
    )
    n_nodes = np.asarray(indptr).shape[0] - 1
    dist = np.full(n_nodes, np.inf)
    pred_entry = np.full(n_nodes, -1, np.int64)
    dist[nodes] = reached
    pred_entry[nodes] = arriving
    return dist, pred_entry


def many_to_many(
    indptr: ArrayLike,
    target: ArrayLike,
    cost: ArrayLike,
    sources: ArrayLike,
    targets: ArrayLike,
    limit: float = np.inf,
    workspace: SearchWorkspace | None = None,
) -> np.ndarray:
    """Cost matrix ``[len(sources), len(targets)]`` of cheapest routes (inf past ``limit``).

    One bounded Dijkstra per source, stopped once every target is settled or the limit
    passed; the loop over sources is compiled too.
    """
    graph, n_nodes = _graph(indptr, target, cost)
    sources = _nodes("sources", sources, n_nodes)
    targets = _nodes("targets", targets, n_nodes)
    limit = _limit(limit)
    unique, column = np.unique(targets, return_inverse=True)
    slot = np.full(n_nodes, -1, np.int32)  # O(n_nodes) once per matrix, not per source
    slot[unique] = np.arange(unique.shape[0], dtype=np.int32)
    out = np.full((sources.shape[0], unique.shape[0]), np.inf)
    ws = _workspace(workspace, n_nodes)
    if unique.shape[0] and sources.shape[0]:
        first = ws.next_generation(sources.shape[0])
        settled, bad, _, ws.heap = many_kernel(
            graph, sources, limit, slot, unique.shape[0], out, ws.scratch, first - 1, ws.heap
        )
        ws.settled = int(settled)
        _check_bad(bad, graph[2])
    return out[:, column.reshape(-1)]

"""Search kernels over the directed CSR adjacency: A*, bounded Dijkstra, many-to-many.

The kernels know arrays only: ``indptr`` (int64, ``n_nodes + 1``), ``target`` (int32 per
entry), ``cost`` (float64 per entry, ``>= 0``; ``inf`` means impassable). They are compiled
with numba (``cache=True`` so a new process loads machine code instead of recompiling, and
``nogil=True`` so threads, each with its own workspace, can search at once); no Python runs
per node or per edge during a query.

A `SearchWorkspace` holds the per-node scratch arrays. Each query bumps a generation counter
instead of clearing them, so a query touches only the nodes it explores: a short route on a
city of a million nodes costs what it explores, not ``O(n_nodes)``.

A negative or NaN cost met during a search raises `BadData` (one comparison per edge; whole
cost arrays are not scanned per query).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from stepfree.errors import BadData, BadInput

__all__ = [
    "PathResult",
    "SearchWorkspace",
    "astar",
    "entry_sources",
    "many_to_many",
    "one_to_all",
    "one_to_all_sparse",
    "shortest_path",
]

_MAX_GENERATION = 2**31 - 2  # stamps are int32; past this the stamps are cleared once
_INITIAL_HEAP = 1024  # entries; the heap doubles when full (duplicates: lazy deletion)
#: Landmark distances are float32: a landmark bound gives up this share of itself, so rounding
#: can never make it overestimate (float32 keeps ~7 significant digits).
_ROUNDING_SLACK = 1e-5
#: Landmarks used per query, chosen for the pair among all the graph has.
_ACTIVE_LANDMARKS = 4
#: No landmarks: a table without columns.
_NO_LANDMARKS = np.zeros((0, 0), np.float32)


# --- the binary heap (keys and nodes in two parallel arrays) ------------------------------


@njit(cache=True, nogil=True)
def _grown(keys, nodes, size):
    # a heap twice the size (called only when full, so pushes pass no arrays back)
    grown_keys = np.empty(2 * size + 16, np.float64)
    grown_nodes = np.empty(2 * size + 16, np.int64)
    grown_keys[:size] = keys[:size]
    grown_nodes[:size] = nodes[:size]
    return grown_keys, grown_nodes


@njit(cache=True, nogil=True, inline="always")
def _sift_up(keys, nodes, size, key, node):
    # place (key, node) at slot `size` and restore the heap order above it
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        nodes[i] = nodes[parent]
        i = parent
    keys[i] = key
    nodes[i] = node


@njit(cache=True, nogil=True, inline="always")
def _pop(keys, nodes, size):
    key = keys[0]
    node = nodes[0]
    size -= 1
    if size > 0:
        last_key = keys[size]
        last_node = nodes[size]
        i = 0
        while True:
            child = 2 * i + 1
            if child >= size:
                break
            if child + 1 < size and keys[child + 1] < keys[child]:
                child += 1
            if keys[child] >= last_key:
                break
            keys[i] = keys[child]
            nodes[i] = nodes[child]
            i = child
        keys[i] = last_key
        nodes[i] = last_node
    return key, node, size


# --- A* ------------------------------------------------------------------------------------


@njit(cache=True, nogil=True, inline="always")
def _heuristic(v, x_m, y_m, goal_x, goal_y, goal_cost, k, min_goal_cost, lm, active, goal_lm):
    # min over goals of (a lower bound of the metres left * k + final cost), k the least cost
    # per metre: admissible, and consistent when every entry costs at least its length * k.
    # The metres left are at least the straight line and, with landmarks (lm: metres from
    # each landmark to each node), at least |d(L, goal) - d(L, v)| for each active landmark L.
    if k == 0.0:
        return min_goal_cost
    best = np.inf
    for j in range(goal_x.shape[0]):
        dx = x_m[v] - goal_x[j]
        dy = y_m[v] - goal_y[j]
        metres = np.sqrt(dx * dx + dy * dy)
        if active.shape[0] > 0:
            outside = np.isinf(lm[v, 0])  # not in the landmarks' part: no bound from them
            if outside != np.isinf(goal_lm[j, 0]):
                continue  # not connected even over every edge: this goal is out of reach
            if not outside:
                bound = 0.0
                for a in range(active.shape[0]):
                    left = np.float64(goal_lm[j, a]) - np.float64(lm[v, active[a]])
                    bound = max(bound, abs(left))
                metres = max(metres, bound * (1.0 - _ROUNDING_SLACK))
        best = min(best, k * metres + goal_cost[j])
    return best


@njit(cache=True, nogil=True)
def _active_landmarks(lm, source, goal, count):
    # the landmarks that bound the distance from source to goal best (Goldberg and
    # Harrelson's "active landmarks"): a few of them bound nearly as well as all, for less
    n_landmarks = lm.shape[1]
    if n_landmarks == 0 or np.isinf(lm[source, 0]) or np.isinf(lm[goal, 0]):
        return np.empty(0, np.int64)  # column 0 is checked for "outside" in any case
    score = np.empty(n_landmarks)
    for m in range(n_landmarks):
        score[m] = abs(np.float64(lm[goal, m]) - np.float64(lm[source, m]))
    order = np.argsort(-score)
    chosen = order[: min(count, n_landmarks)].copy()
    return chosen


@njit(cache=True, nogil=True, inline="always")
def _entry_source(indptr, entry):
    # source node of one CSR entry: binary search in indptr (path walks only, not per edge)
    return np.searchsorted(indptr, entry, side="right") - 1


@njit(cache=True, nogil=True)
def _astar(graph, sources, source_costs, goals, goal_costs, x_m, y_m, k, lm, scratch, gen, heap):
    indptr, target, cost = graph
    dist, pred, stamp, h, _ = scratch
    keys, nodes = heap
    n_goals = goals.shape[0]
    goal_x = np.zeros(goals.shape[0])
    goal_y = np.zeros(goals.shape[0])
    active = np.empty(0, np.int64)
    if k != 0.0 and sources.shape[0] > 0 and goals.shape[0] > 0:
        active = _active_landmarks(lm, sources[0], goals[0], _ACTIVE_LANDMARKS)
    goal_lm = np.empty((goals.shape[0], active.shape[0]), lm.dtype)
    for j in range(goals.shape[0]):
        for a in range(active.shape[0]):
            goal_lm[j, a] = lm[goals[j], active[a]]
        g = goals[j]
        if k != 0.0:
            goal_x[j], goal_y[j] = x_m[g], y_m[g]
    min_goal_cost = goal_costs.min() if goals.shape[0] else np.inf
    best, best_node, best_goal, size, settled, bad = np.inf, -1, -1, 0, 0, -1
    for i in range(sources.shape[0]):
        s = sources[i]
        if stamp[s] != gen:
            stamp[s], dist[s], pred[s], h[s] = (
                gen,
                np.inf,
                -1,
                _heuristic(
                    s, x_m, y_m, goal_x, goal_y, goal_costs, k, min_goal_cost, lm, active, goal_lm
                ),
            )
        if source_costs[i] < dist[s]:
            dist[s] = source_costs[i]
            for j in range(n_goals):  # goals are few: the ends of the destination's edge
                if goals[j] == s and dist[s] + goal_costs[j] < best:
                    best, best_node, best_goal = dist[s] + goal_costs[j], s, j
            if size == keys.shape[0]:
                keys, nodes = _grown(keys, nodes, size)
            _sift_up(keys, nodes, size, dist[s] + h[s], s)
            size += 1
    while size > 0:
        key, u, size = _pop(keys, nodes, size)
        if key >= best:
            break  # no open key can beat the best complete route found
        du = dist[u]
        if key > du + h[u]:
            continue  # stale duplicate: u was reached more cheaply since this push
        settled += 1
        for e in range(indptr[u], indptr[u + 1]):
            if not cost[e] >= 0.0:
                bad, size = e, 0
                break
            nd = du + cost[e]
            if nd >= best:
                continue  # a goal is already reached for less (inf entries end here too)
            v = target[e]
            if stamp[v] != gen:
                stamp[v], dist[v], pred[v], h[v] = (
                    gen,
                    np.inf,
                    -1,
                    _heuristic(
                        v,
                        x_m,
                        y_m,
                        goal_x,
                        goal_y,
                        goal_costs,
                        k,
                        min_goal_cost,
                        lm,
                        active,
                        goal_lm,
                    ),
                )
            if nd < dist[v]:
                dist[v], pred[v] = nd, e
                for j in range(n_goals):
                    if goals[j] == v and nd + goal_costs[j] < best:
                        best, best_node, best_goal = nd + goal_costs[j], v, j
                if nd + h[v] < best:
                    if size == keys.shape[0]:
                        keys, nodes = _grown(keys, nodes, size)
                    _sift_up(keys, nodes, size, nd + h[v], v)
                    size += 1
    length, start = 0, best_node
    while start >= 0 and pred[start] >= 0:
        length += 1
        start = _entry_source(indptr, pred[start])
    entries = np.empty(length, np.int64)
    v = best_node
    for i in range(length - 1, -1, -1):
        entries[i] = pred[v]
        v = _entry_source(indptr, pred[v])
    first = -1  # the cheapest source at the start node (a node may be given twice)
    for i in range(sources.shape[0]):
        if sources[i] == start and (first < 0 or source_costs[i] < source_costs[first]):
            first = i
    return best, entries, first, best_goal, settled, bad, (keys, nodes)


# --- bounded Dijkstra (one source set), and many-to-many over it -----------------------------


@njit(cache=True, nogil=True)
def _bounded(graph, sources, source_costs, limit, slot, n_slots, row, scratch, gen, heap):
    # settles nodes in cost order into scratch's order array; stops past the limit or, with
    # n_slots > 0, once every node with slot[node] >= 0 is settled (writing row[slot])
    indptr, target, cost = graph
    dist, pred, stamp, _, order = scratch
    keys, nodes = heap
    size = 0
    for i in range(sources.shape[0]):
        s = sources[i]
        if stamp[s] != gen:
            stamp[s], dist[s], pred[s] = gen, np.inf, -1
        if source_costs[i] <= limit and source_costs[i] < dist[s]:
            dist[s] = source_costs[i]
            if size == keys.shape[0]:
                keys, nodes = _grown(keys, nodes, size)
            _sift_up(keys, nodes, size, dist[s], s)
            size += 1
    n_settled, found, bad = 0, 0, -1
    while size > 0:
        du, u, size = _pop(keys, nodes, size)
        if du > dist[u]:
            continue  # stale duplicate
        order[n_settled] = u
        n_settled += 1
        if n_slots > 0 and slot[u] >= 0:
            row[slot[u]] = du
            found += 1
            if found == n_slots:
                break
        for e in range(indptr[u], indptr[u + 1]):
            if not cost[e] >= 0.0:
                bad, size = e, 0
                break
            nd = du + cost[e]
            if nd > limit:
                continue
            v = target[e]
            if stamp[v] != gen:
                stamp[v], dist[v], pred[v] = gen, np.inf, -1
            if nd < dist[v]:
                dist[v], pred[v] = nd, e
                if size == keys.shape[0]:
                    keys, nodes = _grown(keys, nodes, size)
                _sift_up(keys, nodes, size, nd, v)
                size += 1
    return n_settled, bad, (keys, nodes)


@njit(cache=True, nogil=True)
def _many(graph, sources, limit, slot, n_slots, out, scratch, gen, heap):
    one = np.empty(1, np.int64)
    zero = np.zeros(1)
    settled, bad = 0, -1
    for i in range(sources.shape[0]):
        gen += 1  # the caller leaves room: no wrap-around inside the loop
        one[0] = sources[i]
        n, bad, heap = _bounded(graph, one, zero, limit, slot, n_slots, out[i], scratch, gen, heap)
        settled += n
        if bad >= 0:
            break
    return settled, bad, gen, heap


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
        self.heap = (np.empty(_INITIAL_HEAP), np.empty(_INITIAL_HEAP, np.int64))
        self.generation = 0
        self.settled = 0

    def next_generation(self, count: int = 1) -> int:
        """Reserve ``count`` queries; return the first one's stamp (older stamps go stale)."""
        if self.generation + count > _MAX_GENERATION:
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
        ``(n_nodes, L)`` metres from L landmarks to every node (`routing.landmarks`; ``inf``
        outside the landmarks' connected part), over a graph on which every entry's cost is at
        least its length * ``min_cost_per_m``: a tighter bound than the straight line.

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
    table = _NO_LANDMARKS
    if landmarks is not None and k > 0.0:
        table = np.ascontiguousarray(landmarks, dtype=np.float32)
        if table.ndim != 2 or table.shape[0] != n_nodes:
            raise BadInput(f"landmarks must be an (n_nodes, L) table with n_nodes = {n_nodes}")
        if np.isnan(table).any() or (table < 0).any():
            raise BadInput("landmarks must be distances >= 0 (inf outside their part)")
    return astar(
        graph, sources, source_costs, targets, target_costs, x_m, y_m, k,
        _workspace(workspace, n_nodes), table,
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
    landmarks: np.ndarray = _NO_LANDMARKS,
) -> PathResult:
    """`shortest_path` on arrays already checked and in the kernel's types: ``graph`` is
    ``(indptr int64, target int32, cost float64)``, nodes int64, costs float64 without NaN.

    For callers that build these arrays themselves (the router), so a query pays no checks
    it cannot fail; the kernel still refuses a negative or NaN entry cost (`BadData`).
    """
    ws = workspace
    best, entries, start, goal, settled, bad, ws.heap = _astar(
        graph, sources, source_costs, targets, target_costs, x_m, y_m, min_cost_per_m,
        landmarks, ws.scratch, ws.next_generation(), ws.heap,
    )  # fmt: skip
    ws.settled = int(settled)
    _check_bad(bad, graph[2])
    if goal < 0:
        return PathResult(np.inf, np.empty(0, np.int64), -1, -1)
    return PathResult(float(best), entries, int(start), int(goal))


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
    n, bad, ws.heap = _bounded(
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
        settled, bad, _, ws.heap = _many(
            graph, sources, limit, slot, unique.shape[0], out, ws.scratch, first - 1, ws.heap
        )
        ws.settled = int(settled)
        _check_bad(bad, graph[2])
    return out[:, column.reshape(-1)]

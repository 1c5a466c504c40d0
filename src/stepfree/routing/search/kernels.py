"""The compiled search kernels (numba) behind `stepfree.routing.search.paths`.

They know arrays only: ``indptr`` (int64, ``n_nodes + 1``), ``target`` (int32 per entry),
``cost`` (float64 per entry, ``>= 0``; ``inf`` impassable), and a workspace's scratch arrays.
Compiled with ``cache=True`` (a new process loads machine code instead of recompiling) and
``nogil=True`` (threads, each with its own workspace, can search at once). The checked Python
surface is `stepfree.routing.search.paths`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MAX_GENERATION = 2**31 - 2  # stamps are int32; past this the stamps are cleared once
INITIAL_HEAP = 1024  # entries; the heap doubles when full (duplicates: lazy deletion)
#: Landmark distances are float32: a landmark bound gives up this share of itself, so rounding
#: can never make it overestimate (float32 keeps ~7 significant digits).
_ROUNDING_SLACK = 1e-5
#: Cost landmark tables are float32 too: each value is within this share of the exact one, so
#: a bound from two of them gives up this share of their sum.
_ROUNDING_SLACK_F32 = 2.0**-23
#: Landmarks used per query, chosen for the pair among all the graph has.
_ACTIVE_LANDMARKS = 4
#: No landmarks: a table without columns.
NO_LANDMARKS = np.zeros((0, 0), np.float32)


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
def _cost_bound(row_v, row_g, active, n_landmarks):
    # a lower bound of the cost from v to g from a cost landmark table (`cost_landmarks`): row
    # columns are the costs from each landmark L, then to each. With c the profile's costs,
    # c(L, g) <= c(L, v) + c(v, g) and c(v, L) <= c(v, g) + c(g, L). inf: v cannot reach g (L
    # reaches v but not g, or g reaches L but v does not). Each float32 value may be off by
    # one rounding, which the slack covers.
    bound = 0.0
    for a in range(active.shape[0]):
        m = active[a]
        from_v = np.float64(row_v[m])
        if from_v < np.inf:
            from_g = np.float64(row_g[m])
            if from_g == np.inf:
                return np.inf
            bound = max(bound, from_g - from_v - _ROUNDING_SLACK_F32 * (from_g + from_v))
        to_g = np.float64(row_g[n_landmarks + m])
        if to_g < np.inf:
            to_v = np.float64(row_v[n_landmarks + m])
            if to_v == np.inf:
                return np.inf
            bound = max(bound, to_v - to_g - _ROUNDING_SLACK_F32 * (to_v + to_g))
    return bound


@njit(cache=True, nogil=True, inline="always")
def _heuristic(v, bounds):
    # min over goals of (a lower bound of the cost left + final cost). The cost left is at
    # least k * the metres left (k the least cost per metre), the metres left at least the
    # straight line and, with metre landmarks (lm: metres from each landmark to each node), at
    # least |d(L, goal) - d(L, v)| for each active landmark L. With a cost landmark table
    # (clm), that bound is used instead of the metre landmarks (`_cost_bound`).
    # Admissible, and consistent when every entry costs at least its length * k.
    x_m, y_m, goal_x, goal_y, goal_cost, k, min_goal_cost, lm, active, goal_lm, clm, goal_clm = (
        bounds
    )
    n_cost = clm.shape[1] // 2
    if k == 0.0 and n_cost == 0:
        return min_goal_cost
    best = np.inf
    for j in range(goal_x.shape[0]):
        metres = 0.0
        if k != 0.0:
            dx = x_m[v] - goal_x[j]
            dy = y_m[v] - goal_y[j]
            metres = np.sqrt(dx * dx + dy * dy)
        if n_cost > 0:
            left = max(k * metres, _cost_bound(clm[v], goal_clm[j], active, n_cost))
            best = min(best, left + goal_cost[j])
            continue
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


@njit(cache=True, nogil=True)
def _active_cost_landmarks(clm, source, goal, count):
    # the cost landmarks that bound the cost from source to goal best
    n_landmarks = clm.shape[1] // 2
    one = np.empty(1, np.int64)
    score = np.empty(n_landmarks)
    for m in range(n_landmarks):
        one[0] = m
        score[m] = _cost_bound(clm[source], clm[goal], one, n_landmarks)
    order = np.argsort(-score)
    chosen = order[: min(count, n_landmarks)].copy()
    return chosen


@njit(cache=True, nogil=True, inline="always")
def _entry_source(indptr, entry):
    # source node of one CSR entry: binary search in indptr (path walks only, not per edge)
    return np.searchsorted(indptr, entry, side="right") - 1


@njit(cache=True, nogil=True)
def astar_kernel(
    graph, sources, source_costs, goals, goal_costs, x_m, y_m, k, lm, clm, scratch, gen, heap
):
    indptr, target, cost = graph
    dist, pred, stamp, h, _ = scratch
    keys, nodes = heap
    n_goals = goals.shape[0]
    goal_x = np.zeros(goals.shape[0])
    goal_y = np.zeros(goals.shape[0])
    active = np.empty(0, np.int64)
    n_cost = clm.shape[1] // 2
    if sources.shape[0] > 0 and goals.shape[0] > 0:
        if n_cost > 0:
            active = _active_cost_landmarks(clm, sources[0], goals[0], _ACTIVE_LANDMARKS)
        elif k != 0.0:
            active = _active_landmarks(lm, sources[0], goals[0], _ACTIVE_LANDMARKS)
    goal_lm = np.empty((goals.shape[0], 0 if n_cost else active.shape[0]), lm.dtype)
    goal_clm = np.empty((goals.shape[0], clm.shape[1]), clm.dtype)
    for j in range(goals.shape[0]):
        for a in range(goal_lm.shape[1]):
            goal_lm[j, a] = lm[goals[j], active[a]]
        goal_clm[j, :] = clm[goals[j], :]
        g = goals[j]
        if k != 0.0:
            goal_x[j], goal_y[j] = x_m[g], y_m[g]
    min_goal_cost = goal_costs.min() if goals.shape[0] else np.inf
    # what the heuristic reads, passed as one tuple
    bounds = (
        x_m, y_m, goal_x, goal_y, goal_costs, k, min_goal_cost, lm, active, goal_lm, clm, goal_clm
    )  # fmt: skip
    best, best_node, best_goal, size, settled, bad = np.inf, -1, -1, 0, 0, -1
    for i in range(sources.shape[0]):
        s = sources[i]
        if stamp[s] != gen:
            stamp[s], dist[s], pred[s], h[s] = (
                gen,
                np.inf,
                -1,
                _heuristic(s, bounds),
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
                    _heuristic(v, bounds),
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


@njit(cache=True, nogil=True)
def costs_at_least(costs, base):
    # every entry of costs >= base's (inf >= inf): whether a bound computed on base holds for
    # costs. Stops at the first that is not (costs lowered by an override differ early), and
    # a million entries need no temporary array.
    for i in range(costs.shape[0]):  # noqa: SIM110  (a loop numba compiles; all() of a generator it does not)
        if not costs[i] >= base[i]:
            return False
    return True


# --- bounded Dijkstra (one source set), and many-to-many over it -----------------------------


@njit(cache=True, nogil=True)
def bounded_kernel(graph, sources, source_costs, limit, slot, n_slots, row, scratch, gen, heap):
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
def many_kernel(graph, sources, limit, slot, n_slots, out, scratch, gen, heap):
    one = np.empty(1, np.int64)
    zero = np.zeros(1)
    settled, bad = 0, -1
    for i in range(sources.shape[0]):
        gen += 1  # the caller leaves room: no wrap-around inside the loop
        one[0] = sources[i]
        n, bad, heap = bounded_kernel(
            graph, one, zero, limit, slot, n_slots, out[i], scratch, gen, heap
        )
        settled += n
        if bad >= 0:
            break
    return settled, bad, gen, heap

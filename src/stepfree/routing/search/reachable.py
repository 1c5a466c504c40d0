"""The compiled two-sided reachability check behind `stepfree.routing.search.paths.reachable`."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def _grow(u, ptr, neighbour, entry, forward, cost, mark, own, other, queue, tail):
    # put u's unseen neighbours over finite entries in the queue, marked `own`; True when a
    # neighbour carries the other side's mark (the two sides met). Forward, the positions in
    # ptr's ranges are the entries themselves; backward, `entry` maps them to entries.
    for k in range(ptr[u], ptr[u + 1]):
        e = k if forward else entry[k]
        if cost[e] < np.inf:
            w = neighbour[k]
            if mark[w] == other:
                return tail, True
            if mark[w] == 0:
                mark[w] = own
                queue[tail] = w
                tail += 1
    return tail, False


@njit(cache=True, nogil=True)
def reach_kernel(graph, reverse, sources, targets, mark, forward, backward):
    # whether any target is reachable from any source over finite entries: breadth-first
    # from both sides at once, a node at a time from the smaller frontier; stops when they
    # meet (yes) or when either side has nothing left (no), so a target in a small pocket is
    # refused after exploring the pocket, not the city. mark: 0 unseen, 1 from a source,
    # 2 towards a target (zeroed by the caller); forward, backward: queues of n_nodes.
    indptr, target, cost = graph
    rev_indptr, rev_source, rev_entry = reverse
    head_f = tail_f = head_b = tail_b = 0
    for i in range(sources.shape[0]):
        if mark[sources[i]] == 0:
            mark[sources[i]] = 1
            forward[tail_f] = sources[i]
            tail_f += 1
    for i in range(targets.shape[0]):
        t = targets[i]
        if mark[t] == 1:
            return True
        if mark[t] == 0:
            mark[t] = 2
            backward[tail_b] = t
            tail_b += 1
    met = False
    while head_f < tail_f and head_b < tail_b and not met:
        if tail_f - head_f <= tail_b - head_b:
            u = forward[head_f]
            head_f += 1
            tail_f, met = _grow(
                u, indptr, target, rev_entry, True, cost, mark, 1, 2, forward, tail_f
            )
        else:
            u = backward[head_b]
            head_b += 1
            tail_b, met = _grow(
                u, rev_indptr, rev_source, rev_entry, False, cost, mark, 2, 1, backward, tail_b
            )
    return met

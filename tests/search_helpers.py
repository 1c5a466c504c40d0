"""Helpers shared by the search tests: CSR arrays from entry lists, the networkx oracle, and
the check that a result's entries walk from its source to its target."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from stepfree.routing.search.paths import entry_sources


def csr_from_entries(n_nodes, tails, heads, costs):
    """CSR arrays (indptr, target, cost) from entry lists; parallel entries and loops kept."""
    tails = np.asarray(tails, dtype=np.int64)
    order = np.argsort(tails, kind="stable")
    indptr = np.concatenate(([0], np.cumsum(np.bincount(tails, minlength=n_nodes))))
    target = np.asarray(heads, dtype=np.int32)[order]
    return indptr.astype(np.int64), target, np.asarray(costs, dtype=np.float64)[order]


def oracle(n, indptr, target, cost, sources, targets):
    """networkx cost through a super-source and a super-sink (inf when unreachable)."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(n + 2))
    tails = entry_sources(indptr)
    for u, v, c in zip(tails, target, cost, strict=True):
        if np.isfinite(c):
            graph.add_edge(int(u), int(v), weight=float(c))
    for s, c in sources:
        if np.isfinite(c):
            graph.add_edge(n, s, weight=c)
    for t, c in targets:
        if np.isfinite(c):
            graph.add_edge(t, n + 1, weight=c)
    try:
        return nx.dijkstra_path_length(graph, n, n + 1)
    except nx.NetworkXNoPath:
        return math.inf


def assert_valid_walk(result, indptr, target, cost, sources, targets):
    """The entries walk from the chosen source to the chosen target and sum to the total."""
    total, entries, si, ti = result
    if not np.isfinite(total):
        assert (entries.size, si, ti) == (0, -1, -1)
        return
    start, start_cost = sources[si]
    goal, goal_cost = targets[ti]
    tails = entry_sources(indptr)
    walk = [start, *target[entries].tolist()]
    assert tails[entries].tolist() == walk[:-1]
    assert walk[-1] == goal
    assert start_cost + cost[entries].sum() + goal_cost == pytest.approx(total, rel=1e-9)


def ends(pairs):
    nodes, costs = zip(*pairs, strict=True)
    return np.array(nodes), np.array(costs)

"""The compiled search kernels against networkx (the oracle) on random graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_helpers import assert_valid_walk, csr_from_entries, ends, oracle
from stepfree.errors import BadData, BadInput
from stepfree.routing.search.paths import (
    SearchWorkspace,
    entry_sources,
    many_to_many,
    one_to_all,
    one_to_all_sparse,
    shortest_path,
)

EXAMPLES = settings(max_examples=200, deadline=None)

# costs: exact zeros, impassable entries and ordinary values, drawn often enough to matter
COST = st.one_of(
    st.just(0.0), st.just(math.inf), st.floats(0.0, 10.0), st.integers(0, 5).map(float)
)
END_COST = st.one_of(st.just(0.0), st.just(math.inf), st.floats(0.0, 10.0))


@st.composite
def graphs(draw, max_nodes=12):
    n = draw(st.integers(1, max_nodes))
    node = st.integers(0, n - 1)
    entries = draw(st.lists(st.tuples(node, node, COST), max_size=4 * n))
    tails, heads, costs = zip(*entries, strict=True) if entries else ((), (), ())
    return (n, *csr_from_entries(n, tails, heads, costs))


@st.composite
def queries(draw):
    n, indptr, target, cost = draw(graphs())
    ends = st.lists(st.tuples(st.integers(0, n - 1), END_COST), min_size=1, max_size=4)
    sources = draw(ends)
    targets = draw(ends)
    return n, indptr, target, cost, sources, targets


@st.composite
def seeded_queries(draw):
    """Larger random graphs drawn with numpy from one seed: more situations per example."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rng.integers(2, 40))
    m = int(rng.integers(n, 6 * n))
    kind = rng.random(m)
    cost = np.where(kind < 0.1, 0.0, np.where(kind < 0.2, math.inf, rng.uniform(0, 10, m)))
    indptr, target, cost = csr_from_entries(n, rng.integers(0, n, m), rng.integers(0, n, m), cost)

    def end_list():
        k = int(rng.integers(1, 6))
        costs = np.where(rng.random(k) < 0.1, math.inf, rng.uniform(0, 20, k))
        return list(zip(rng.integers(0, n, k).tolist(), costs.tolist(), strict=True))

    return n, indptr, target, cost, end_list(), end_list()


@EXAMPLES
@given(st.one_of(queries(), seeded_queries()))
def test_shortest_path_matches_networkx(query):
    n, indptr, target, cost, sources, targets = query
    result = shortest_path(indptr, target, cost, *ends(sources), *ends(targets))
    expected = oracle(n, indptr, target, cost, sources, targets)
    assert result.total_cost == pytest.approx(expected, rel=1e-9)
    assert_valid_walk(result, indptr, target, cost, sources, targets)


@st.composite
def geometric_queries(draw):
    n = draw(st.integers(2, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x_m, y_m = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    m = int(rng.integers(n, 5 * n))
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    length_m = np.hypot(x_m[tails] - x_m[heads], y_m[tails] - y_m[heads])
    factor = rng.choice([1.0, 1.0, 1.5, 3.0], m)  # cost >= length * 1.0 per metre
    cost = np.where(rng.random(m) < 0.1, math.inf, length_m * factor)
    indptr, target, cost = csr_from_entries(n, tails, heads, cost)
    sources = list(zip(rng.integers(0, n, 2).tolist(), rng.uniform(0, 50, 2).tolist(), strict=True))
    targets = list(zip(rng.integers(0, n, 2).tolist(), rng.uniform(0, 50, 2).tolist(), strict=True))
    return n, indptr, target, cost, x_m, y_m, sources, targets


@EXAMPLES
@given(geometric_queries())
def test_astar_equals_dijkstra_on_geometric_graphs(query):
    n, indptr, target, cost, x_m, y_m, sources, targets = query
    astar = shortest_path(indptr, target, cost, *ends(sources), *ends(targets), x_m, y_m, 1.0)
    dijkstra = shortest_path(indptr, target, cost, *ends(sources), *ends(targets))
    assert astar.total_cost == pytest.approx(dijkstra.total_cost, rel=1e-9)
    assert astar.total_cost == pytest.approx(
        oracle(n, indptr, target, cost, sources, targets), rel=1e-9
    )
    assert_valid_walk(astar, indptr, target, cost, sources, targets)


@EXAMPLES
@given(st.one_of(queries(), seeded_queries()), st.one_of(st.just(math.inf), st.floats(0.0, 15.0)))
def test_one_to_all_matches_networkx_with_cutoff(query, limit):
    n, indptr, target, cost, sources, _ = query
    dist, pred = one_to_all(indptr, target, cost, *ends(sources), limit)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(n + 1))
    for u, v, c in zip(entry_sources(indptr), target, cost, strict=True):
        if np.isfinite(c):
            graph.add_edge(int(u), int(v), weight=float(c))
    for s, c in sources:
        if np.isfinite(c):
            graph.add_edge(n, s, weight=c)
    cutoff = None if math.isinf(limit) else limit
    reached = nx.single_source_dijkstra_path_length(graph, n, cutoff=cutoff)
    expected = np.array([reached.get(v, math.inf) for v in range(n)])
    np.testing.assert_allclose(dist, expected, rtol=1e-9)
    assert np.all(dist[np.isfinite(dist)] <= limit)
    # walking pred_entry back from any reached node gives a path of exactly its cost
    tails = entry_sources(indptr)
    start_cost = {}
    for s, c in sources:
        start_cost[s] = min(c, start_cost.get(s, math.inf))
    for v in np.flatnonzero(np.isfinite(dist)):
        walked, node = 0.0, v
        while pred[node] >= 0:
            walked += cost[pred[node]]
            node = tails[pred[node]]
        assert walked + start_cost[int(node)] == pytest.approx(dist[v], rel=1e-9)
    assert np.all(pred[~np.isfinite(dist)] == -1)


@EXAMPLES
@given(st.one_of(queries(), seeded_queries()), st.one_of(st.just(math.inf), st.floats(0.0, 15.0)))
def test_many_to_many_equals_repeated_one_to_all(query, limit):
    _, indptr, target, cost, sources, targets = query
    source_nodes, target_nodes = ends(sources)[0], ends(targets)[0]
    matrix = many_to_many(indptr, target, cost, source_nodes, target_nodes, limit)
    assert matrix.shape == (len(sources), len(targets))
    for i, s in enumerate(source_nodes):
        dist, _ = one_to_all(indptr, target, cost, [s], [0.0], limit)
        np.testing.assert_array_equal(matrix[i], dist[target_nodes])


def grid(side, rng):
    """A side x side grid, 1 m spacing, both directions, cost = length * U(1, 1.25)."""
    index = np.arange(side * side).reshape(side, side)
    pairs = np.concatenate(
        [
            np.column_stack((index[:, :-1].ravel(), index[:, 1:].ravel())),
            np.column_stack((index[:-1, :].ravel(), index[1:, :].ravel())),
        ]
    )
    tails = np.concatenate((pairs[:, 0], pairs[:, 1]))
    heads = np.concatenate((pairs[:, 1], pairs[:, 0]))
    cost = rng.uniform(1.0, 1.25, tails.shape[0])
    y_m, x_m = np.divmod(np.arange(side * side), side)
    return (*csr_from_entries(side * side, tails, heads, cost), x_m * 1.0, y_m * 1.0)


def test_astar_settles_far_fewer_nodes_than_dijkstra_on_a_grid():
    side = 300
    indptr, target, cost, x_m, y_m = grid(side, np.random.default_rng(7))
    source, goal = [150 * side + 20], [150 * side + 280]
    workspace = SearchWorkspace(side * side)
    astar = shortest_path(
        indptr, target, cost, source, [0.0], goal, [0.0], x_m, y_m, 1.0, workspace=workspace
    )
    astar_settled = workspace.settled
    dijkstra = shortest_path(indptr, target, cost, source, [0.0], goal, [0.0], workspace=workspace)
    assert astar.total_cost == pytest.approx(dijkstra.total_cost, rel=1e-12)
    assert astar_settled * 5 < workspace.settled, (astar_settled, workspace.settled)


def test_a_reused_workspace_gives_the_same_answers_as_fresh_ones():
    side = 40
    indptr, target, cost, x_m, y_m = grid(side, np.random.default_rng(3))
    rng = np.random.default_rng(4)
    workspace = SearchWorkspace(side * side)
    workspace.generation = 2**31 - 5  # cross the stamp wrap-around on the way
    for _ in range(20):
        s, t = rng.integers(0, side * side, 2)
        reused = shortest_path(
            indptr, target, cost, [s], [0.0], [t], [1.0], x_m, y_m, 1.0, workspace=workspace
        )
        fresh = shortest_path(indptr, target, cost, [s], [0.0], [t], [1.0], x_m, y_m, 1.0)
        assert reused.total_cost == fresh.total_cost
        np.testing.assert_array_equal(reused.entries, fresh.entries)
        nodes, dist, _ = one_to_all_sparse(indptr, target, cost, [s], [0.0], 5.0, workspace)
        full, _ = one_to_all(indptr, target, cost, [s], [0.0], 5.0)
        np.testing.assert_array_equal(np.sort(nodes), np.flatnonzero(np.isfinite(full)))
        np.testing.assert_array_equal(dist, full[nodes])
    assert 0 < workspace.generation < 100


def test_source_that_is_a_target_gives_an_empty_walk():
    indptr, target, cost = csr_from_entries(2, [0], [1], [1.0])
    result = shortest_path(indptr, target, cost, [0, 1], [5.0, 2.0], [1], [0.5])
    assert result == (2.5, pytest.approx([]), 1, 0)


def test_unreachable_target_and_empty_ends():
    indptr, target, cost = csr_from_entries(3, [0, 1], [1, 0], [1.0, 1.0])
    total, entries, si, ti = shortest_path(indptr, target, cost, [0], [0.0], [2], [0.0])
    assert (total, entries.size, si, ti) == (math.inf, 0, -1, -1)
    assert shortest_path(indptr, target, cost, [], [], [2], [0.0]).total_cost == math.inf
    assert many_to_many(indptr, target, cost, [0], []).shape == (1, 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: shortest_path(*g, [5], [0.0], [1], [0.0]), "outside 0..2"),
        (lambda g: shortest_path(*g, [0], [0.0, 1.0], [1], [0.0]), "one per node"),
        (lambda g: shortest_path(*g, [0], [math.nan], [1], [0.0]), "without NaN"),
        (lambda g: shortest_path(*g, [0.5], [0.0], [1], [0.0]), "integer node"),
        (lambda g: shortest_path(*g, [0], [0.0], [1], [0.0], None, None, 1.0), "x_m and y_m"),
        (lambda g: one_to_all(*g, [0], [0.0], -1.0), "limit is -1.0"),
        (lambda g: many_to_many(g[0], g[1], g[2][:1], [0], [1]), "same graph"),
        (
            lambda g: shortest_path(*g, [0], [0.0], [1], [0.0], workspace=SearchWorkspace(9)),
            "one per graph",
        ),
    ],
)
def test_bad_input_is_refused_with_one_line(call, message):
    graph = csr_from_entries(3, [0, 1], [1, 2], [1.0, 1.0])
    with pytest.raises(BadInput, match=message):
        call(graph)


@pytest.mark.parametrize("bad_cost", [-1.0, math.nan])
def test_negative_or_nan_cost_met_in_search_is_bad_data(bad_cost):
    indptr, target, cost = csr_from_entries(3, [0, 1], [1, 2], [1.0, bad_cost])
    with pytest.raises(BadData, match=r"cost\[1\]"):
        shortest_path(indptr, target, cost, [0], [0.0], [2], [0.0])
    with pytest.raises(BadData, match=r"cost\[1\]"):
        one_to_all(indptr, target, cost, [0], [0.0])
    with pytest.raises(BadData, match=r"cost\[1\]"):
        many_to_many(indptr, target, cost, [0], [2])


def test_entry_sources_maps_entries_to_their_source_nodes():
    indptr = np.array([0, 2, 2, 5], dtype=np.int64)
    assert entry_sources(indptr).tolist() == [0, 0, 2, 2, 2]
    assert entry_sources(indptr).dtype == np.int32


def test_read_only_arrays_as_loaded_from_a_graph_file_are_searched_in_place():
    indptr, target, cost, x_m, y_m = grid(5, np.random.default_rng(1))
    for array in (indptr, target, cost, x_m, y_m):
        array.setflags(write=False)  # load_graph memory-maps the file read-only
    result = shortest_path(indptr, target, cost, [0], [0.0], [24], [0.0], x_m, y_m, 1.0)
    assert result.entries.size == 8  # a corner-to-corner walk on a 5 x 5 grid
    dist, _ = one_to_all(indptr, target, cost, [0], [0.0])
    assert dist[24] == pytest.approx(result.total_cost, rel=1e-12)
    assert many_to_many(indptr, target, cost, [0], [24])[0, 0] == dist[24]

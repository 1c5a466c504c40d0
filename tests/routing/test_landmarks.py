"""Landmarks (ALT): the stored distances are true walking distances, the bound they give never
overestimates, and a search with them finds routes exactly as good as one without."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from search_helpers import assert_valid_walk, csr_from_entries, ends
from stepfree._api import router_for
from stepfree.errors import NoUsableWay
from stepfree.graph.model import Graph
from stepfree.graph.store import load_graph, save_graph
from stepfree.profiles.model import profile_from_request
from stepfree.routing.search import landmarks as landmarks_module
from stepfree.routing.search.landmarks import (
    ARRAY,
    compiled_distances,
    graph_with_landmarks,
    landmark_distances,
    landmark_table,
)
from stepfree.routing.search.paths import SearchWorkspace, entry_sources, shortest_path

SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _length_matrix(graph: Graph) -> csr_matrix:
    """Edge lengths as a sparse matrix; of parallel edges the shortest (scipy would add them)."""
    u, v = graph.edge("u"), graph.edge("v")
    length = graph.edge("length_m").astype(np.float64)
    order = np.lexsort((length, v, u))
    first = np.ones(order.size, dtype=bool)
    first[1:] = (u[order][1:] != u[order][:-1]) | (v[order][1:] != v[order][:-1])
    keep = order[first]
    n = graph.n_nodes
    return csr_matrix((length[keep], (u[keep], v[keep])), shape=(n, n))


def test_landmark_distances_are_walking_distances_over_every_edge(sample_graph: Graph) -> None:
    table = landmark_distances(sample_graph, count=8)
    assert table.dtype == np.float32
    assert table.shape == (sample_graph.n_nodes, 8)
    landmarks = np.argmin(table, axis=0)  # each landmark is 0 m from itself
    assert len(set(landmarks.tolist())) == 8
    # scipy, undirected: the same network, every edge both ways (parallel edges: the shortest)
    expected = dijkstra(_length_matrix(sample_graph), directed=False, indices=landmarks).T
    np.testing.assert_allclose(table, expected, rtol=1e-6)
    # landmarks sit in one connected part, the largest here; every node outside it is inf
    _, label = connected_components(_length_matrix(sample_graph), directed=False)
    largest = np.argmax(np.bincount(label))
    assert (label[landmarks] == largest).all()
    assert np.isinf(table[label != largest]).all()
    assert np.isfinite(table[label == largest]).all()


def test_the_compiled_search_gives_the_same_table(sample_graph: Graph) -> None:
    built = landmark_distances(sample_graph)
    routed = landmark_distances(sample_graph, distances=compiled_distances(sample_graph))
    np.testing.assert_allclose(routed, built, rtol=1e-6)


def test_landmarks_are_spread_farthest_first(sample_graph: Graph) -> None:
    table = landmark_distances(sample_graph, count=4).astype(np.float64)
    landmarks = np.argmin(table, axis=0)
    # the second landmark is the node farthest from the first
    reach = np.where(np.isfinite(table[:, 0]), table[:, 0], -1)
    assert table[landmarks[1], 0] == pytest.approx(reach.max())


def test_big_networks_carry_the_table_in_their_file_small_ones_compute_it_once(
    sample_graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ARRAY not in sample_graph.arrays  # the sample city is small
    table = landmark_table(sample_graph)
    assert landmark_table(sample_graph) is table  # computed once per graph
    monkeypatch.setattr(landmarks_module, "STORED_FROM_NODES", sample_graph.n_nodes)
    stored = graph_with_landmarks(sample_graph)
    save_graph(stored, tmp_path / "big.sfg")
    loaded = load_graph(tmp_path / "big.sfg")
    np.testing.assert_array_equal(loaded.arrays[ARRAY], stored.arrays[ARRAY])
    assert landmark_table(loaded) is loaded.arrays[ARRAY]
    np.testing.assert_allclose(loaded.arrays[ARRAY], table, rtol=1e-6)


@st.composite
def geometric_queries_with_landmarks(draw):
    """Random geometric graphs (cost >= straight length), and landmark tables of their true
    undirected length distances, taken in the part of a random node."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rng.integers(2, 30))
    x_m, y_m = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    m = int(rng.integers(n, 4 * n))
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    # a way may be longer than the straight line (it bends): the landmark metric is length
    length_m = np.hypot(x_m[tails] - x_m[heads], y_m[tails] - y_m[heads]) * rng.uniform(1, 2, m)
    factor = rng.choice([1.0, 1.0, 1.5, 3.0], m)  # cost >= length * 1.0 per metre
    cost = np.where(rng.random(m) < 0.1, math.inf, length_m * factor)
    indptr, target, cost = csr_from_entries(n, tails, heads, cost)
    undirected = nx.Graph()
    undirected.add_nodes_from(range(n))
    for a, b, w in zip(tails.tolist(), heads.tolist(), length_m.tolist(), strict=True):
        if not undirected.has_edge(a, b) or undirected[a][b]["weight"] > w:
            undirected.add_edge(a, b, weight=w)
    part = sorted(nx.node_connected_component(undirected, int(rng.integers(0, n))))
    chosen = rng.choice(part, size=min(len(part), int(rng.integers(1, 5))), replace=False)
    table = np.full((n, len(chosen)), np.inf, dtype=np.float32)
    for column, landmark in enumerate(chosen.tolist()):
        for node, d in nx.single_source_dijkstra_path_length(undirected, landmark).items():
            table[node, column] = d
    sources = list(zip(rng.integers(0, n, 2).tolist(), rng.uniform(0, 50, 2).tolist(), strict=True))
    targets = list(zip(rng.integers(0, n, 2).tolist(), rng.uniform(0, 50, 2).tolist(), strict=True))
    return n, indptr, target, cost, x_m, y_m, table, sources, targets


@settings(max_examples=300, deadline=None)
@given(geometric_queries_with_landmarks())
def test_astar_with_landmarks_equals_dijkstra(query) -> None:
    _, indptr, target, cost, x_m, y_m, table, sources, targets = query
    alt = shortest_path(
        indptr, target, cost, *ends(sources), *ends(targets), x_m, y_m, 1.0, landmarks=table
    )
    dijkstra_result = shortest_path(indptr, target, cost, *ends(sources), *ends(targets))
    assert alt.total_cost == pytest.approx(dijkstra_result.total_cost, rel=1e-9)
    assert_valid_walk(alt, indptr, target, cost, sources, targets)


def test_landmarks_settle_fewer_nodes_round_an_obstacle() -> None:
    """A grid cut by a wall with one gap at the far end: the straight line points at the
    wall; the landmarks know the way round."""
    side = 41
    node = np.arange(side * side).reshape(side, side)
    tails, heads = [], []
    for r in range(side):
        for c in range(side):
            for dr, dc in ((0, 1), (1, 0)):
                r2, c2 = r + dr, c + dc
                if r2 >= side or c2 >= side:
                    continue
                if dc and c == side // 2 and r < side - 1:  # the wall, open in the last row
                    continue
                tails += [node[r, c], node[r2, c2]]
                heads += [node[r2, c2], node[r, c]]
    indptr, target, cost = csr_from_entries(side * side, tails, heads, np.ones(len(tails)))
    y_m, x_m = np.divmod(np.arange(side * side), side)
    lengths = csr_matrix((cost, (entry_sources(indptr), target)), shape=(side * side,) * 2)
    corners = [node[0, 0], node[0, -1], node[-1, 0], node[-1, -1]]
    table = dijkstra(lengths, directed=False, indices=corners).T.astype(np.float32)
    start, goal = node[0, side // 2 - 1], node[0, side // 2 + 1]  # either side of the wall
    settled = []
    for landmarks in (None, table):
        workspace = SearchWorkspace(side * side)
        result = shortest_path(
            indptr, target, cost, [start], [0.0], [goal], [0.0], x_m * 1.0, y_m * 1.0, 1.0,
            workspace=workspace, landmarks=landmarks,
        )  # fmt: skip
        assert result.total_cost == 2 * (side - 1) + 2
        settled.append(workspace.settled)
    assert settled[1] < settled[0] / 2


@settings(max_examples=100, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    pair=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
    name=st.sampled_from(["pedestrian", "manual_wheelchair", "blind", "stroller"]),
    speed=st.one_of(st.none(), st.floats(0.1, 3.0)),
    unlit=st.booleans(),
)
def test_router_routes_are_as_cheap_with_landmarks_as_without(
    sample_graph: Graph, pair: tuple[int, int], name: str, speed: float | None, unlit: bool
) -> None:
    """Any profile, any speed: the bound holds because no way costs less than its length at
    the profile's speed."""
    router = router_for(sample_graph)
    lat, lon = sample_graph.node("lat"), sample_graph.node("lon")
    a, b = (i % sample_graph.n_nodes for i in pair)
    overrides = {"avoid_unlit": str(unlit).lower()}
    if speed is not None:
        overrides["speed_m_s"] = repr(speed)
    profile = profile_from_request(name, overrides)
    costs = router.costs(profile, router.context(profile, None))
    try:
        start = router.endpoint(float(lat[a]), float(lon[a]), costs, "origin")
        end = router.endpoint(float(lat[b]), float(lon[b]), costs, "destination")
    except NoUsableWay:
        return
    with_landmarks = router.search(start, end, costs)
    saved, router.landmarks = router.landmarks, np.zeros((0, 0), np.float32)
    router.cost_landmarks.enabled = False  # no cost landmarks either (test_cost_landmarks.py)
    try:
        without = router.search(start, end, costs)
    finally:
        router.landmarks = saved
        router.cost_landmarks.enabled = True
    if without is None:
        assert with_landmarks is None
    else:
        assert with_landmarks is not None
        assert with_landmarks.cost == pytest.approx(without.cost, rel=1e-9)

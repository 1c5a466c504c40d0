"""Cost landmarks (directed ALT on a profile's own costs): the tables hold true costs from and
to each landmark, a search with them is exactly as good as Dijkstra, also on costs higher than
the table's, and a router computes tables only for costs searched more than once."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from search_helpers import assert_valid_walk, csr_from_entries, ends, oracle
from stepfree._api import router_for
from stepfree.graph.model import Graph
from stepfree.profiles.model import preset, profile_from_request
from stepfree.routing.router import Router
from stepfree.routing.search import cost_landmarks as module
from stepfree.routing.search.cost_landmarks import CostLandmarks, cost_landmark_table
from stepfree.routing.search.kernels import NO_LANDMARKS
from stepfree.routing.search.paths import SearchWorkspace, entry_sources, shortest_path


@st.composite
def directed_queries(draw):
    """Random directed graphs (one-way entries, impassable and free ones), positions with cost
    >= straight length, a cost landmark table on costs no higher than the searched ones."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rng.integers(2, 30))
    x_m, y_m = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    m = int(rng.integers(n, 4 * n))
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    straight = np.hypot(x_m[tails] - x_m[heads], y_m[tails] - y_m[heads])
    base = straight * rng.choice([1.0, 1.0, 1.5, 3.0], m) + rng.choice([0.0, 0.0, 5.0, 30.0], m)
    base = np.where(rng.random(m) < 0.1, math.inf, base)
    # the searched costs: the table's, or higher on some entries (a tightened profile)
    higher = draw(st.booleans())
    cost = base * np.where(rng.random(m) < 0.3, rng.uniform(1, 3, m), 1.0) if higher else base
    if higher:
        cost = np.where(rng.random(m) < 0.1, math.inf, cost)
    indptr, target, base_sorted = csr_from_entries(n, tails, heads, base)
    _, _, cost_sorted = csr_from_entries(n, tails, heads, cost)
    candidates = rng.integers(0, n, int(rng.integers(1, 4)))
    count = int(rng.integers(1, 5))
    table = cost_landmark_table(indptr, target, base_sorted, candidates, n, count=count)
    sources = list(zip(rng.integers(0, n, 2).tolist(), rng.uniform(0, 50, 2).tolist(), strict=True))
    targets = list(zip(rng.integers(0, n, 2).tolist(), rng.uniform(0, 50, 2).tolist(), strict=True))
    return n, indptr, target, cost_sorted, x_m, y_m, table, sources, targets


@settings(max_examples=300, deadline=None)
@given(directed_queries(), st.sampled_from([0.0, 1.0]))
def test_astar_with_cost_landmarks_equals_dijkstra(query, per_metre: float) -> None:
    n, indptr, target, cost, x_m, y_m, table, sources, targets = query
    result = shortest_path(
        indptr, target, cost, *ends(sources), *ends(targets), x_m, y_m, per_metre,
        cost_landmarks=table,
    )  # fmt: skip
    expected = oracle(n, indptr, target, cost, sources, targets)
    if math.isinf(expected):
        assert math.isinf(result.total_cost)
    else:
        assert result.total_cost == pytest.approx(expected, rel=1e-9)
    assert_valid_walk(result, indptr, target, cost, sources, targets)


def _sample_csr(sample_graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    router = router_for(sample_graph)
    profile = preset("manual_wheelchair")
    costs = router.costs(profile, router.context(profile, None))
    return (*router._csr, costs.entry_cost)


def test_the_table_holds_costs_from_and_to_each_landmark(sample_graph: Graph) -> None:
    indptr, target, cost = _sample_csr(sample_graph)
    n = sample_graph.n_nodes
    table = cost_landmark_table(indptr, target, cost, np.array([0, 1]), n, count=6)
    assert table.dtype == np.float32
    assert table.shape == (n, 12)
    froms, tos = table[:, :6], table[:, 6:]
    landmarks = np.argmin(froms, axis=0)
    assert (froms[landmarks, range(6)] == 0).all()
    assert (tos[landmarks, range(6)] == 0).all()
    assert len(set(landmarks.tolist())) == 6
    finite = np.isfinite(cost)
    # scipy keeps the cheapest of parallel entries when summing duplicates is avoided
    tails, heads = entry_sources(indptr)[finite], target[finite]
    order = np.lexsort((cost[finite], heads, tails))
    first = np.ones(order.size, dtype=bool)
    first[1:] = (tails[order][1:] != tails[order][:-1]) | (heads[order][1:] != heads[order][:-1])
    keep = order[first]
    # an explicit zero is an entry for scipy only when stored: add a tiny epsilon
    matrix = csr_matrix(
        (np.maximum(cost[finite][keep], 1e-12), (tails[keep], heads[keep])), shape=(n, n)
    )
    np.testing.assert_allclose(froms, dijkstra(matrix, indices=landmarks).T, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        tos, dijkstra(matrix.T.tocsr(), indices=landmarks).T, rtol=1e-6, atol=1e-6
    )


def test_a_goal_out_of_reach_ends_the_search_at_once(sample_graph: Graph) -> None:
    """A one-way chain 0 -> 1 -> ... -> 9: from 9 nothing leads back to 0, and the table
    says so before the search explores anything."""
    n = 10
    indptr, target, cost = csr_from_entries(n, range(9), range(1, 10), np.ones(9))
    table = cost_landmark_table(indptr, target, cost, np.array([0]), n, count=2)
    workspace = SearchWorkspace(n)
    result = shortest_path(
        indptr, target, cost, [9], [0.0], [0], [0.0], workspace=workspace, cost_landmarks=table
    )
    assert math.isinf(result.total_cost)
    assert workspace.settled == 0
    forward = shortest_path(indptr, target, cost, [2], [0.0], [7], [0.0], cost_landmarks=table)
    assert forward.total_cost == 5.0


def test_bad_tables_are_refused_with_the_shape_they_need() -> None:
    indptr, target, cost = csr_from_entries(3, [0, 1], [1, 2], [1.0, 1.0])
    with pytest.raises(Exception, match=r"\(n_nodes, 2 L\) table with n_nodes = 3"):
        shortest_path(indptr, target, cost, [0], [0.0], [2], [0.0], cost_landmarks=np.zeros((3, 3)))
    with pytest.raises(Exception, match="costs >= 0"):
        shortest_path(indptr, target, cost, [0], [0.0], [2], [0.0], cost_landmarks=-np.ones((3, 2)))


def test_a_router_computes_a_table_for_costs_searched_twice_and_lends_it_to_higher_costs(
    sample_graph: Graph,
) -> None:
    indptr, target, cost = _sample_csr(sample_graph)
    metre = router_for(sample_graph).landmarks
    tables = CostLandmarks(indptr, target, metre)
    assert tables.table(cost) is NO_LANDMARKS  # the first search: no table yet
    own = tables.table(cost)
    assert own.shape == (sample_graph.n_nodes, 2 * module.LANDMARKS)
    assert tables.table(cost) is own  # computed once
    higher = cost.copy()
    higher[::7] *= 2.0
    higher[::11] = np.inf
    assert tables.table(higher) is own  # borrowed at once: a bound for higher costs too
    lower = cost.copy()
    lower[np.flatnonzero(np.isfinite(lower))[0]] *= 0.5
    assert tables.table(lower) is NO_LANDMARKS  # not a bound for lower costs
    assert tables.table(lower) is not own  # searched twice: a table of its own


def test_routers_of_a_graph_share_tables_and_prepare_computes_at_once(
    sample_graph: Graph,
) -> None:
    first, second = Router(sample_graph), Router(sample_graph)
    assert first.cost_landmarks is second.cost_landmarks
    profile = preset("stroller")
    costs = first.costs(profile, first.context(profile, None))
    table = first.cost_landmarks.table(costs.entry_cost, prepare=True)
    assert table.size
    # the other router's costs are equal but another array: the same table, not a new one
    again = second.costs(profile, second.context(profile, None))
    assert again.entry_cost is not costs.entry_cost
    for _ in range(3):
        assert second.cost_landmarks.table(again.entry_cost) is table


def test_big_graphs_get_tables_only_for_prepared_costs(
    sample_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No request waits seconds for a table: from `AUTO_BELOW_NODES` nodes only prepared costs
    get their own (others borrow, or use the metre landmarks)."""
    indptr, target, cost = _sample_csr(sample_graph)
    monkeypatch.setattr(module, "AUTO_BELOW_NODES", sample_graph.n_nodes)
    tables = CostLandmarks(indptr, target, router_for(sample_graph).landmarks)
    for _ in range(3):
        assert tables.table(cost) is NO_LANDMARKS
    prepared = tables.table(cost, prepare=True)
    assert prepared.size
    assert tables.table(cost) is prepared
    assert tables.table(cost + 1.0) is prepared  # borrowed by higher costs, as on any graph


def test_router_prepare_gives_a_profile_its_table_before_its_first_search(
    sample_graph: Graph,
) -> None:
    router = Router(sample_graph)
    profile = profile_from_request("walker", {"speed_m_s": "0.55"})
    seconds = router.prepare(profile)
    assert seconds >= 0
    costs = router.costs(profile, router.context(profile, None))
    assert router.cost_landmarks.table(costs.entry_cost).size


def test_tables_stay_within_their_memory_budget(
    sample_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    indptr, target, cost = _sample_csr(sample_graph)
    tables = CostLandmarks(indptr, target, router_for(sample_graph).landmarks)
    one = tables.table(cost, prepare=True)
    monkeypatch.setattr(module, "MAX_BYTES", int(1.5 * one.nbytes))
    lower = cost * 0.5  # not a bound for cost's table, so a table of its own
    newer = tables.table(lower, prepare=True)
    assert newer is not one
    assert len(tables._tables) == 1  # the older one went, also for the costs that had it
    assert tables.table(cost) is newer  # lent the newer one (0.5 x <= 1 x)


@pytest.mark.parametrize("name", ["pedestrian", "manual_wheelchair", "blind", "walker"])
def test_router_routes_with_cost_landmarks_are_as_cheap_as_without(
    sample_graph: Graph, name: str
) -> None:
    router = router_for(sample_graph)
    rng = np.random.default_rng(7)
    lat, lon = sample_graph.node("lat"), sample_graph.node("lon")
    tightened = profile_from_request(name, {"max_step_count": "0"})
    for profile in (preset(name), tightened):
        costs = router.costs(profile, router.context(profile, None))
        pairs = [rng.integers(0, sample_graph.n_nodes, 2) for _ in range(60)]
        found = [
            (a, b, router.path_between(
                (float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b])), costs
            ))
            for a, b in pairs
        ]  # fmt: skip
        assert router.cost_landmarks.table(costs.entry_cost).size  # searched: a table
        saved = router.cost_landmarks.enabled
        router.cost_landmarks.enabled = False
        try:
            for a, b, path in found:
                plain = router.path_between(
                    (float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b])), costs
                )
                assert (path is None) == (plain is None)
                if path is not None and plain is not None:
                    assert path.cost == pytest.approx(plain.cost, rel=1e-9)
        finally:
            router.cost_landmarks.enabled = saved


def test_a_table_being_computed_blocks_no_other_search(sample_graph: Graph) -> None:
    """While one table is computed, searches with other costs (and with the same costs)
    get what there is at once instead of waiting."""
    indptr, target, cost = _sample_csr(sample_graph)
    tables = CostLandmarks(indptr, target, router_for(sample_graph).landmarks)
    results: dict[str, np.ndarray] = {}

    def run(name: str, costs: np.ndarray, prepare: bool = False) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: results.update({name: tables.table(costs, prepare)})
        )
        thread.start()
        return thread

    with tables._computing:  # a computation under way elsewhere
        preparing = run("prepared", cost, prepare=True)  # waits for the computation
        time.sleep(0.05)
        others = [run("other", cost * 2.0), run("same", cost)]
        for thread in others:
            thread.join(timeout=5)
            assert not thread.is_alive()  # not stuck behind the computation
        assert results["other"] is NO_LANDMARKS
        assert results["same"] is NO_LANDMARKS  # its table is not ready yet
        assert preparing.is_alive()
    preparing.join(timeout=30)
    assert results["prepared"].size
    assert tables.table(cost) is results["prepared"]

"""The reachability check of the no-route explanation: breadth-first from both ends, it says
exactly what the cheapest-route search says about whether a route exists."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_helpers import csr_from_entries, oracle
from stepfree._api import router_for
from stepfree.graph.model import Graph
from stepfree.profiles.model import profile_from_request
from stepfree.routing.search.cost_landmarks import reverse_csr
from stepfree.routing.search.paths import reachable


@st.composite
def directed_graphs(draw):
    """Random directed graphs with one-way, impassable and free entries, and a few ends."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rng.integers(1, 40))
    m = int(rng.integers(0, 3 * n + 1))
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    cost = rng.choice([0.0, 1.0, 5.0, math.inf, math.inf], m)
    sources = [(int(s), 0.0) for s in rng.integers(0, n, int(rng.integers(0, 3)))]
    targets = [(int(t), 0.0) for t in rng.integers(0, n, int(rng.integers(0, 3)))]
    return n, *csr_from_entries(n, tails, heads, cost), sources, targets


@settings(max_examples=400, deadline=None)
@given(directed_graphs())
def test_reachable_agrees_with_dijkstra(case) -> None:
    n, indptr, target, cost, sources, targets = case
    expected = math.isfinite(oracle(n, indptr, target, cost, sources, targets))
    found = reachable(
        (indptr, target, cost),
        reverse_csr(indptr, target),
        np.array([s for s, _ in sources], np.int64),
        np.array([t for t, _ in targets], np.int64),
    )
    assert found == expected


def test_a_target_in_a_one_way_pocket_is_refused() -> None:
    """A long chain leads away from the source; the target's only way is one-way out (the
    backward side, one node, runs dry first)."""
    n = 10_001
    tails = [*range(n - 2), n - 1]
    heads = [*range(1, n - 1), 0]  # the pocket n-1 only leads out, to node 0
    indptr, target, cost = csr_from_entries(n, tails, heads, np.ones(len(tails)))
    reverse = reverse_csr(indptr, target)
    assert not reachable((indptr, target, cost), reverse, np.array([0]), np.array([n - 1]))
    assert reachable((indptr, target, cost), reverse, np.array([n - 1]), np.array([n - 2]))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pair=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
    name=st.sampled_from(["manual_wheelchair", "powered_wheelchair", "blind", "walker"]),
    kerb=st.sampled_from([None, "0.0", "0.02", "0.1"]),
    steps=st.sampled_from([None, "0", "3"]),
)
def test_router_connected_says_what_path_between_finds(
    sample_graph: Graph, pair: tuple[int, int], name: str, kerb: str | None, steps: str | None
) -> None:
    router = router_for(sample_graph)
    overrides = {k: v for k, v in (("max_kerb_height_m", kerb), ("max_step_count", steps)) if v}
    profile = profile_from_request(name, overrides)
    costs = router.costs(profile, router.context(profile, None))
    lat, lon = sample_graph.node("lat"), sample_graph.node("lon")
    a, b = (i % sample_graph.n_nodes for i in pair)
    origin, destination = (float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b]))
    found = router.path_between(origin, destination, costs)
    assert router.connected(origin, destination, costs) == (found is not None)

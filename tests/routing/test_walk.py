"""The walk of a found path: its arrays agree with the one-piece-at-a-time reading.

Random pairs of points on the sample city (hypothesis), so partial edges at both ends, routes
along one edge and points snapped onto nodes all occur.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepfree._api import router_for
from stepfree.errors import NoUsableWay
from stepfree.graph.model import Graph
from stepfree.profiles.model import preset
from stepfree.routing.geometry import join
from stepfree.routing.router import Route, Router
from stepfree.routing.walk import (
    coordinates,
    lengths_m,
    piece_coords,
    piece_line,
    pieces,
    route_length_m,
)

SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _path(router: Router, draws: list[tuple[int, float, float]], profile: str) -> Route | None:
    lon, lat = router.graph.node("lon"), router.graph.node("lat")
    ends = [(float(lat[n]) + dy, float(lon[n]) + dx) for n, dy, dx in draws]
    costs = router.costs(preset(profile), router.context(preset(profile), None))
    try:
        return router.path_between(ends[0], ends[1], costs)
    except NoUsableWay:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    ends=st.lists(
        # a node, and up to ~30 m off it: partial edges at the ends, or exactly on the node
        st.tuples(st.integers(0, 10**6), st.floats(-3e-4, 3e-4), st.floats(-3e-4, 3e-4)),
        min_size=2,
        max_size=2,
    ),
    profile=st.sampled_from(["pedestrian", "manual_wheelchair"]),
)
def test_walk_arrays_agree_with_pieces_one_at_a_time(
    sample_graph: Graph, ends: list[tuple[int, float, float]], profile: str
) -> None:
    router = router_for(sample_graph)
    draws = [(n % sample_graph.n_nodes, dy, dx) for n, dy, dx in ends]
    path = _path(router, draws, profile)
    if path is None:
        return
    walk = pieces(router, path)
    one_by_one = list(walk)
    assert len(one_by_one) == len(walk) >= 1
    assert [p.edge for p in one_by_one] == walk.edge.tolist()
    assert [p.node for p in one_by_one if p.node >= 0] == walk.nodes.tolist()
    assert walk.node[-1] in (-1, path.end_node)  # the end node when the point is on it
    assert (walk.node[:-1] >= 0).all()
    assert (walk.share > 0).all() or len(walk) == 1
    # the length without building the walk is the walk's length
    assert route_length_m(sample_graph, path) == pytest.approx(
        float(lengths_m(sample_graph, walk).sum()), abs=1e-6
    )
    # the line gathered at once is the pieces' coordinates one after another
    line, offsets, _, _ = piece_line(sample_graph, walk)
    for i, piece in enumerate(one_by_one):
        np.testing.assert_allclose(
            line[offsets[i] : offsets[i + 1]], piece_coords(sample_graph, piece)
        )
    # consecutive pieces meet at the node between them
    node_lon, node_lat = sample_graph.node("lon"), sample_graph.node("lat")
    for i, node in enumerate(walk.node[:-1].tolist()):
        end, start = line[offsets[i + 1] - 1], line[offsets[i + 1]]
        np.testing.assert_allclose(end, (node_lon[node], node_lat[node]), atol=1e-7)
        np.testing.assert_allclose(start, (node_lon[node], node_lat[node]), atol=1e-7)
    ends = ((0.0, 0.0), (1.0, 1.0))
    expected = join([np.array([ends[0]]), *(piece_coords(sample_graph, p) for p in one_by_one),
                     np.array([ends[1]])])  # fmt: skip
    np.testing.assert_array_equal(coordinates(sample_graph, walk, *ends), expected)

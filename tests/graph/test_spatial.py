"""Snapping against a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from stepfree.geo import to_local_m
from stepfree.graph.model import Graph
from stepfree.graph.nearest import nearest_edge


def _oracle(graph: Graph, lon: float, lat: float, usable: np.ndarray | None) -> tuple[int, float]:
    lon0, lat0 = graph.meta["origin"]
    qx, qy = to_local_m(np.array([lon]), np.array([lat]), lon0, lat0)
    point = shapely.Point(float(qx[0]), float(qy[0]))
    best = (-1, np.inf)
    for edge in range(graph.n_edges):
        if usable is not None and not usable[edge]:
            continue
        coords = graph.edge_coords(edge)
        x, y = to_local_m(coords[:, 0], coords[:, 1], lon0, lat0)
        distance = shapely.LineString(np.column_stack((x, y))).distance(point)
        if distance < best[1]:
            best = (edge, distance)
    return best


def test_nearest_edge_matches_brute_force(sample_graph: Graph) -> None:
    rng = np.random.default_rng(7)
    lon, lat = sample_graph.node("lon"), sample_graph.node("lat")
    for _ in range(25):
        qlon = rng.uniform(lon.min() - 0.002, lon.max() + 0.002)
        qlat = rng.uniform(lat.min() - 0.001, lat.max() + 0.001)
        snap = nearest_edge(sample_graph, qlon, qlat)
        assert snap is not None
        _, distance = _oracle(sample_graph, qlon, qlat, None)
        assert snap.distance_m == pytest.approx(distance, abs=1e-6)
        assert 0.0 <= snap.fraction <= 1.0


def test_nearest_usable_edge_and_limit(sample_graph: Graph) -> None:
    usable = np.zeros(sample_graph.n_edges, dtype=bool)
    usable[::50] = True
    lon, lat = float(sample_graph.node("lon")[0]), float(sample_graph.node("lat")[0])
    snap = nearest_edge(sample_graph, lon, lat, usable=usable)
    assert snap is not None
    assert usable[snap.edge]
    _, distance = _oracle(sample_graph, lon, lat, usable)
    assert snap.distance_m == pytest.approx(distance, abs=1e-6)
    assert nearest_edge(sample_graph, lon, lat, usable=usable, max_distance_m=distance / 2) is None


def test_far_point_snaps_to_the_border(sample_graph: Graph) -> None:
    snap = nearest_edge(sample_graph, 25.5, 60.5)  # ~40 km away
    assert snap is not None
    assert snap.distance_m > 30_000

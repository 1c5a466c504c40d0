"""The builder through the real ingest: splitting, id maps, directions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stepfree.attributes import InclineDirection, Kerb
from stepfree.graph.model import directed_incline_direction, directed_incline_pct

from worlds import World


def _entry(graph, world: World, a: str, b: str) -> int:
    """Index of the directed adjacency entry from letter a to letter b."""
    u, v = world.node(graph, a), world.node(graph, b)
    indptr, target = graph.arrays["csr.indptr"], graph.arrays["csr.target"]
    for entry in range(indptr[u], indptr[u + 1]):
        if target[entry] == v:
            return int(entry)
    raise AssertionError(f"no entry {a}->{b}")


def test_ways_split_at_shared_and_tagged_nodes(tmp_path: Path) -> None:
    world = World(
        """
        a---b---c---d
            |
            e
        """,
        ways={"abcd": {"highway": "footway"}, "be": {"highway": "footway"}},
        nodes={"c": {"barrier": "kerb", "kerb": "raised"}},
    )
    graph = world.graph(tmp_path)
    # b is shared, c carries a kerb: a-b, b-c, c-d, b-e
    assert graph.n_edges == 4
    assert graph.n_nodes == 5
    assert graph.node("kerb")[world.node(graph, "c")] == Kerb.RAISED
    assert graph.node("kerb")[world.node(graph, "b")] == Kerb.UNKNOWN


def test_every_edge_and_node_maps_to_osm(tmp_path: Path) -> None:
    world = World("a--b--c", ways={"abc": {"highway": "footway"}, "cb": {"highway": "path"}})
    graph = world.graph(tmp_path)
    assert set(graph.edge("osm_way_id").tolist()) == {world.way_id("abc"), world.way_id("cb")}
    assert sorted(graph.node("osm_id").tolist()) == [world.osm_id(x) for x in "abc"]
    assert all(graph.node_index(world.osm_id(x)) is not None for x in "abc")
    assert graph.node_index(999_999) is None


@pytest.mark.parametrize(("drawn", "tag"), [("ab", "10%"), ("ba", "-10%")])
def test_incline_flips_against_drawing_direction(tmp_path: Path, drawn: str, tag: str) -> None:
    """A ramp rising from a to b, drawn either way round, rises from a to b."""
    world = World("a------b", ways={drawn: {"highway": "footway", "incline": tag}})
    graph = world.graph(tmp_path)
    grade = directed_incline_pct(graph)
    assert grade[_entry(graph, world, "a", "b")] == pytest.approx(10.0)
    assert grade[_entry(graph, world, "b", "a")] == pytest.approx(-10.0)


@pytest.mark.parametrize(("drawn", "tag"), [("ab", "up"), ("ba", "down")])
def test_step_direction_flips_too(tmp_path: Path, drawn: str, tag: str) -> None:
    """Steps going up from a to b, drawn either way round: up from a, down from b, no grade."""
    world = World("a---b", ways={drawn: {"highway": "steps", "incline": tag}})
    graph = world.graph(tmp_path)
    direction = directed_incline_direction(graph)
    assert direction[_entry(graph, world, "a", "b")] == InclineDirection.UP
    assert direction[_entry(graph, world, "b", "a")] == InclineDirection.DOWN
    assert np.isnan(directed_incline_pct(graph)).all()


def test_edge_geometry_and_length(tmp_path: Path) -> None:
    world = World("a---b---c", ways={"abc": {"highway": "footway"}}, grid_m=10)
    graph = world.graph(tmp_path)
    assert graph.n_edges == 1
    assert graph.edge_coords(0).shape == (3, 2)
    assert graph.edge("length_m")[0] == pytest.approx(80.0, rel=1e-3)


def test_crossing_node_knows_the_road_it_crosses(tmp_path: Path) -> None:
    world = World(
        """
           a
           |
        c--x--d
           |
           b
        """,
        ways={
            "axb": {"highway": "footway", "footway": "crossing"},
            "cxd": {
                "highway": "primary",
                "lanes": "4",
                "sidewalk": "separate",
                "name": "Абай даңғылы",
                "name:ru": "проспект Абая",
            },
        },
        nodes={"x": {"highway": "crossing", "crossing": "unmarked"}},
    )
    graph = world.graph(tmp_path)
    x = world.node(graph, "x")
    assert graph.node("crossed_road_class")[x] == 18  # Highway.PRIMARY
    assert graph.node("crossed_road_lanes")[x] == 4
    assert graph.string(int(graph.node("crossed_name")[x])) == "Абай даңғылы"
    assert graph.string(int(graph.node("crossed_name_ru")[x])) == "проспект Абая"
    assert graph.node("crossed_name_en")[x] == -1  # not mapped: absent, not guessed
    # the road itself has separate sidewalks: not part of the walking network
    assert world.way_id("cxd") not in graph.edge("osm_way_id")

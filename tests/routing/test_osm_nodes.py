"""A route lists every OSM node it travels, in order (issue 10, item 8).

Before, ``osm_node_ids`` listed only the graph's nodes (way ends, junctions, tagged nodes), so
a consumer checking a route's kerbs or barriers against OSM missed every node between them.
Now it is every node of the ways walked, as OSRM's node annotations list them.
"""

from __future__ import annotations

import math
from pathlib import Path

import stepfree

from worlds import World

SKETCH = """
a---b---c---d---e
            |
            f
"""
M_PER_DEG = math.pi / 180 * 6_371_008.8


def _at(world: World, letter: str, east_m: float = 0.0) -> tuple[float, float]:
    lon, lat = world.positions()[letter]
    return lat, lon + east_m / (M_PER_DEG * math.cos(math.radians(lat)))


def test_every_node_between_graph_nodes_is_listed_in_order(tmp_path: Path) -> None:
    # one way a..e with a branch at d; b and c are plain points of the way (no graph nodes),
    # c carries a kerb the way never turns at
    world = World(
        SKETCH,
        ways={"abcde": {"highway": "footway"}, "df": {"highway": "footway"}},
        nodes={"b": {"fixme": "check"}},
    )
    graph = world.graph(tmp_path)
    assert graph.node_index(world.osm_id("b")) is None  # not a graph node: between nodes
    ids = [world.osm_id(x) for x in "abcdef"]
    answer = stepfree.route(_at(world, "a"), _at(world, "e"), graph=graph, at="2026-06-01")
    assert answer["osm_node_ids"] == ids[:5]
    back = stepfree.route(_at(world, "e"), _at(world, "a"), graph=graph, at="2026-06-01")
    assert back["osm_node_ids"] == ids[:5][::-1]
    turn = stepfree.route(_at(world, "a"), _at(world, "f"), graph=graph, at="2026-06-01")
    assert turn["osm_node_ids"] == [ids[0], ids[1], ids[2], ids[3], ids[5]]


def test_a_partial_first_and_last_piece_list_only_what_is_passed(tmp_path: Path) -> None:
    world = World(SKETCH, ways={"abcde": {"highway": "footway"}})
    graph = world.graph(tmp_path)
    # from halfway between a and b to halfway between d and e
    answer = stepfree.route(
        _at(world, "a", 15.0), _at(world, "d", 15.0), graph=graph, at="2026-06-01"
    )
    assert answer["osm_node_ids"] == [world.osm_id(x) for x in "bcd"]
    # both ends on one stretch between two points: no node passed
    short = stepfree.route(
        _at(world, "b", 5.0), _at(world, "b", 20.0), graph=graph, at="2026-06-01"
    )
    assert short["osm_node_ids"] == []


def test_a_kerb_between_way_ends_is_in_the_list(tmp_path: Path) -> None:
    world = World(
        SKETCH,
        ways={"abcde": {"highway": "footway"}},
        nodes={"c": {"barrier": "kerb", "kerb": "lowered"}},
    )
    graph = world.graph(tmp_path)
    answer = stepfree.route(_at(world, "a"), _at(world, "e"), graph=graph, at="2026-06-01")
    assert world.osm_id("c") in answer["osm_node_ids"]
    assert answer["summary"]["kerbs"] == {"lowered": 1}

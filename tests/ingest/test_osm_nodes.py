"""Which node tags the OSM reader passes to the tag tables (its C++ key filter), through the real
reader on tiny worlds."""

from __future__ import annotations

import math
from pathlib import Path

from stepfree.attributes import Crossing, Kerb

from worlds import World


def test_kerb_sides_alone_reach_the_tag_tables(tmp_path: Path) -> None:
    """A node with only kerb:left/kerb:right (or only kerb:both:height) is a kerb: the reader's
    key filter must not drop it."""
    world = World(
        "a---b---c---d",
        ways={"abcd": {"highway": "footway"}},
        nodes={
            "b": {"kerb:left": "raised", "kerb:right": "lowered"},
            "c": {"kerb:both:height": "0.04"},
        },
    )
    graph = world.graph(tmp_path)
    b, c = world.node(graph, "b"), world.node(graph, "c")
    assert graph.node("kerb")[b] == Kerb.RAISED
    assert math.isclose(graph.node("kerb_height_m")[c], 0.04, rel_tol=1e-6)


def test_a_crossing_on_no_road_beside_roads_is_read(tmp_path: Path) -> None:
    """A crossing node on footways only, in a file with roads elsewhere, used to crash the
    reader (what a crossing crosses was computed over an empty selection)."""
    world = World(
        """
        a---b---c
                |
                d
        """,
        ways={"abc": {"highway": "footway"}, "cd": {"highway": "residential"}},
        nodes={"b": {"highway": "crossing", "crossing": "unmarked"}},
    )
    graph = world.graph(tmp_path)
    b = world.node(graph, "b")
    assert graph.node("crossing")[b] == Crossing.UNMARKED
    assert graph.node("crossed_road_class")[b] == 0  # crosses no road that the map knows

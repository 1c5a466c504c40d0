"""Kerb readings in routing terms: a manual wheelchair never meets a kerb the map misread.

Each world has a short way s-x-t with the kerb at node x and a clean detour s-p-q-t; without the
detour the route is refused (a kerb known too high) or, for a kerb of unknown height, taken only
with a warning naming the node (the preset avoids unknown kerbs, it does not forbid them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import stepfree
from stepfree.costing.rules import KERB_TYPICAL_M
from stepfree.ingest.kerbs import TYPICAL_M

from worlds import World

SKETCH = """
s--x--t
|     |
p-----q
"""
CLEAN = {
    "highway": "footway",
    "surface": "asphalt",
    "smoothness": "good",
    "width": "2",
    "incline": "0",
    "lit": "yes",
    "winter_service": "yes",
}
CROSSING = {"highway": "crossing", "crossing": "marked"}

#: Kerbs a manual wheelchair (0.03 m) cannot take: read too high, so refused without a detour.
TOO_HIGH = {
    "kerb:height=0.6 is 0.6 m (was 6 mm)": {"barrier": "kerb", "kerb:height": "0.6"},
    "kerb:left=raised + kerb:right=lowered": {
        **CROSSING,
        "kerb:left": "raised",
        "kerb:right": "lowered",
    },
    "kerb:both=raised": {**CROSSING, "kerb:both": "raised"},
    "kerb:right:height=0.1 beside a lowered kerb:left": {
        **CROSSING,
        "kerb:left": "lowered",
        "kerb:left:height": "0.02",
        "kerb:right": "lowered",
        "kerb:right:height": "0.1",
    },
    "height=0.15 on a barrier=kerb node": {"barrier": "kerb", "height": "0.15"},
    "kerb:left:height=0.05 beside a lowered kerb:right": {
        **CROSSING,
        "kerb:left:height": "0.05",
        "kerb:right": "lowered",
    },
}
#: Kerbs whose height the map cannot know: avoided, and named in a warning when taken.
UNKNOWN = {
    "kerb:height=12 on a lowered kerb (12 cm or 12 m)": {
        "barrier": "kerb",
        "kerb": "lowered",
        "kerb:height": "12",
    },
    "kerb:height=3 on a crossing node": {**CROSSING, "kerb": "flush", "kerb:height": "3"},
    "kerb:left=lowered, right unmapped": {**CROSSING, "kerb:left": "lowered"},
}


def _world(node: dict[str, str], detour: bool) -> World:
    ways = {"sxt": dict(CLEAN)} | ({"spqt": dict(CLEAN)} if detour else {})
    return World(SKETCH, ways=ways, nodes={"x": node})


def _route(world: World, tmp_path: Path, **overrides: str) -> dict[str, Any]:
    graph = world.graph(tmp_path)
    s, t = world.positions()["s"], world.positions()["t"]
    return stepfree.route((s[1], s[0]), (t[1], t[0]), "manual_wheelchair", overrides, graph=graph)


@pytest.mark.parametrize("name", sorted(TOO_HIGH))
def test_a_kerb_read_too_high_is_avoided(name: str, tmp_path: Path) -> None:
    world = _world(TOO_HIGH[name], detour=True)
    answer = _route(world, tmp_path)
    assert answer["route"] is not None
    assert world.osm_id("x") not in answer["osm_node_ids"]
    assert answer["osm_way_ids"] == [world.way_id("spqt")]


@pytest.mark.parametrize("name", sorted(TOO_HIGH))
def test_a_kerb_read_too_high_without_detour_is_refused(name: str, tmp_path: Path) -> None:
    world = _world(TOO_HIGH[name], detour=False)
    answer = _route(world, tmp_path)
    assert answer["route"] is None
    (blocked,) = answer["blocked_by"]
    assert (blocked["attribute"], blocked["osm_id"]) == ("kerb_height_m", world.osm_id("x"))
    assert blocked["value"] > 0.03


@pytest.mark.parametrize("name", sorted(UNKNOWN))
def test_a_kerb_of_unknown_height_is_avoided(name: str, tmp_path: Path) -> None:
    world = _world(UNKNOWN[name], detour=True)
    answer = _route(world, tmp_path)
    assert world.osm_id("x") not in answer["osm_node_ids"]
    assert answer["osm_way_ids"] == [world.way_id("spqt")]


@pytest.mark.parametrize("name", sorted(UNKNOWN))
def test_a_kerb_of_unknown_height_taken_is_named(name: str, tmp_path: Path) -> None:
    world = _world(UNKNOWN[name], detour=False)
    answer = _route(world, tmp_path)
    assert answer["route"] is not None  # the preset avoids unknown kerbs, it does not forbid them
    warnings = {warning["code"]: warning for warning in answer["warnings"]}
    assert warnings["unknown_kerb"]["osm_node_ids"] == [world.osm_id("x")]
    forbid = _route(world, tmp_path, unknown_kerb="forbid")
    assert forbid["route"] is None  # and a person who forbids them is refused


def test_ingest_compares_kerb_sides_with_the_rules_typical_heights() -> None:
    """Which side of a crossing is the higher, where one has no height, is decided with the
    typical heights the rules then use for it: the two tables must not drift apart."""
    assert TYPICAL_M == KERB_TYPICAL_M

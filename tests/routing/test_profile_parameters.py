"""Every profile parameter changes the route in a tiny world made for it.

The world has a short way s-x-t with one feature (on the way or at node x) and a clean detour
s-p-q-t, 140 m against 60 m. Each case gives the value of a parameter for which the route takes
the short way and the value for which it takes the detour (or, for speed and announcements, the
part of the answer that changes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import stepfree
from stepfree.profiles.model import FACETS

from parameter_worlds import CASES, OTHER_EFFECTS, ROAD, _world
from worlds import World


def _route(graph: Any, world: World, profile: str, overrides: dict[str, str]) -> dict[str, Any]:
    s, t = world.positions()["s"], world.positions()["t"]
    return stepfree.route((s[1], s[0]), (t[1], t[0]), profile, overrides, graph=graph)


def test_every_parameter_has_a_behavioural_case() -> None:
    declared = {name for facet in FACETS.values() for name in facet.model_fields}
    assert declared == set(CASES) | OTHER_EFFECTS


@pytest.mark.parametrize("parameter", sorted(CASES))
def test_parameter_changes_the_route(parameter: str, tmp_path: Path) -> None:
    base, way_tags, node_tags, short_value, detour_value, extra = CASES[parameter]
    road = {**ROAD, "highway": "tertiary"} if parameter == "busy_road_min_lanes" else ROAD
    world = _world(way_tags, node_tags, road)
    graph = world.graph(tmp_path)
    short = _route(graph, world, base, {**extra, parameter: short_value})
    detour = _route(graph, world, base, {**extra, parameter: detour_value})
    assert short["route"] is not None
    assert detour["route"] is not None
    assert world.way_id("sxt") in short["osm_way_ids"], short["summary"]
    assert world.way_id("sxt") not in detour["osm_way_ids"], detour["summary"]
    assert world.way_id("spqt") in detour["osm_way_ids"]


def test_speed_changes_the_duration(tmp_path: Path) -> None:
    world = _world({}, {})
    graph = world.graph(tmp_path)
    slow = _route(graph, world, "pedestrian", {"speed_m_s": "1"})["summary"]["duration_s"]
    fast = _route(graph, world, "pedestrian", {"speed_m_s": "2"})["summary"]["duration_s"]
    assert slow == pytest.approx(2 * fast, rel=1e-6)


def test_announce_adds_guidance(tmp_path: Path) -> None:
    world = _world(
        {},
        {
            "highway": "crossing",
            "crossing": "traffic_signals",
            "traffic_signals:sound": "yes",
            "tactile_paving": "yes",
        },
    )
    graph = world.graph(tmp_path)
    slow = {"speed_m_s": "0.5"}  # so the signal's wait does not outweigh the detour
    quiet = _route(graph, world, "pedestrian", {**slow, "announce": "false"})
    spoken = _route(graph, world, "pedestrian", {**slow, "announce": "true"})
    assert quiet["osm_way_ids"] == spoken["osm_way_ids"]
    quiet_text = " ".join(step["text"] for step in quiet["instructions"])
    spoken_text = " ".join(step["text"] for step in spoken["instructions"])
    assert "audible" in spoken_text
    assert "audible" not in quiet_text
    assert "actile" in spoken_text
    assert "actile" not in quiet_text

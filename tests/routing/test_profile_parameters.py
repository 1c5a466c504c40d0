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

from worlds import World

SKETCH = """
   u
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
    "wheelchair": "yes",
}
ROAD = {"highway": "primary", "sidewalk": "separate", "lanes": "4"}

#: parameter -> (base profile, short-way tags, x node tags, value taking the short way,
#: value taking the detour, other overrides)
CASES: dict[str, tuple[str, dict[str, str], dict[str, str], str, str, dict[str, str]]] = {
    "max_kerb_height_m": (
        "pedestrian",
        {},
        {"barrier": "kerb", "kerb": "raised", "kerb:height": "0.06"},
        "0.1",
        "0.04",
        {},
    ),
    "max_incline_up_pct": ("pedestrian", {"incline": "10%"}, {}, "12", "8", {}),
    "max_incline_down_pct": ("pedestrian", {"incline": "-10%"}, {}, "12", "8", {}),
    "min_width_m": ("pedestrian", {"width": "0.8"}, {}, "0.5", "0.9", {}),
    "max_step_count": ("pedestrian", {"highway": "steps", "step_count": "5"}, {}, "10", "3", {}),
    "unknown_step_count": (
        "pedestrian",
        {"highway": "steps"},
        {},
        "allow",
        "forbid",
        {"max_step_count": "10"},
    ),
    "wheeled": ("pedestrian", {}, {"barrier": "turnstile"}, "false", "true", {}),
    "respect_wheelchair_tag": ("pedestrian", {"wheelchair": "no"}, {}, "false", "true", {}),
    "stroller_ramps": (
        "pedestrian",
        {"highway": "steps", "ramp:stroller": "yes", "wheelchair": None},
        {},
        "true",
        "false",
        {"max_step_count": "0", "wheeled": "true"},
    ),
    "max_surface": (
        "pedestrian",
        {"surface": "gravel"},
        {},
        "unpaved_soft",
        "compacted",
        {"rough_policy": "forbid"},
    ),
    "max_smoothness": (
        "pedestrian",
        {"smoothness": "bad"},
        {},
        "impassable",
        "intermediate",
        {"rough_policy": "forbid"},
    ),
    "rough_policy": (
        "pedestrian",
        {"surface": "gravel"},
        {},
        "allow",
        "forbid",
        {"max_surface": "compacted"},
    ),
    "major_road_without_sidewalk": (
        "pedestrian",
        {"highway": "primary", "sidewalk": "no"},
        {},
        "allow",
        "forbid",
        {},
    ),
    "winter_unserviced": (
        "pedestrian",
        {"winter_service": "no"},
        {},
        "allow",
        "forbid",
        {"winter": "yes"},
    ),
    "winter": (
        "pedestrian",
        {"winter_service": "no"},
        {},
        "no",
        "yes",
        {"winter_unserviced": "forbid"},
    ),
    "unknown_kerb": (
        "pedestrian",
        {},
        {"barrier": "kerb"},
        "allow",
        "forbid",
        {"max_kerb_height_m": "0.03"},
    ),
    "unknown_incline": (
        "pedestrian",
        {"incline": None},
        {},
        "allow",
        "forbid",
        {"max_incline_up_pct": "8"},
    ),
    "unknown_width": ("pedestrian", {"width": None}, {}, "allow", "forbid", {"min_width_m": "0.9"}),
    "unknown_surface": (
        "pedestrian",
        {"surface": None},
        {},
        "allow",
        "forbid",
        {"max_surface": "compacted"},
    ),
    "avoid_factor": (
        "pedestrian",
        {"surface": "gravel"},
        {},
        "1.5",
        "2.5",
        {"max_surface": "compacted", "rough_policy": "avoid"},
    ),
    "avoid_node_detour_m": (
        "pedestrian",
        {},
        {"barrier": "kerb"},
        "10",
        "150",
        {"max_kerb_height_m": "0.03", "unknown_kerb": "avoid"},
    ),
    "crossing_detour_m": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "unmarked"},
        "0",
        "300",
        {},
    ),
    "busy_road_min_lanes": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "unmarked"},
        "5",
        "4",
        {"crossing_detour_m": "300"},
    ),  # on a tertiary road
    "prefer_audible_signals": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "traffic_signals", "traffic_signals:sound": "no"},
        "false",
        "true",
        {"speed_m_s": "0.5"},
    ),  # outweigh the wait
    "prefer_tactile_paving": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "marked", "tactile_paving": "no"},
        "false",
        "true",
        {},
    ),
    "avoid_unlit": ("pedestrian", {"lit": "no"}, {}, "false", "true", {"unlit_factor": "3"}),
    "unlit_factor": ("pedestrian", {"lit": "no"}, {}, "1.2", "3", {"avoid_unlit": "true"}),
}
#: Parameters that change the answer without changing the way taken.
OTHER_EFFECTS = {"speed_m_s", "announce", "max_access_m"}  # max_access_m: test_access.py


def _world(
    way_tags: dict[str, str | None], node_tags: dict[str, str], road: dict[str, str] = ROAD
) -> World:
    short = {k: v for k, v in {**CLEAN, **way_tags}.items() if v is not None}
    return World(
        SKETCH,
        ways={"sxt": short, "spqt": dict(CLEAN), "xu": dict(road)},
        nodes={"x": node_tags} if node_tags else {},
    )


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

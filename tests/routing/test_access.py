"""The stretches between a requested point and the network (issue 10, items 1 and 10).

A point rarely lies on a way: the person first crosses unmapped ground. That leg is part of the
length, the time and the unknown data of a route; beyond the profile's ``max_access_m`` the end
is refused with how far the nearest usable way is, what blocks the nearer ones, and what would
open it. Before, a wheelchair request 231 m and 280 m from the ways it may use was answered
"0 m, about 1 min, the map knows 100 %".
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import stepfree
from stepfree.errors import NoUsableWay
from stepfree.graph.model import Graph

from worlds import World

#: a-b-c is a footway of unknown width; a-d and d-e (60 m south) have a mapped width. A point
#: just north of b is 1 m from a-b-c and 60 m from a-d.
SKETCH = """
a-----b-----c


d-----------e
"""
WIDE = {"highway": "footway", "width": "2", "surface": "asphalt", "incline": "0"}
UNKNOWN_WIDTH = {"highway": "footway", "surface": "asphalt", "incline": "0"}
#: metres per degree of latitude, for moving a point north
M_PER_DEG = math.pi / 180 * 6_371_008.8


def _world() -> World:
    return World(SKETCH, ways={"abc": UNKNOWN_WIDTH, "de": WIDE, "ad": WIDE})


def _north_of(world: World, letter: str, metres: float) -> tuple[float, float]:
    lon, lat = world.positions()[letter]
    return lat + metres / M_PER_DEG, lon


@pytest.fixture(scope="module")
def world_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Graph]:
    world = _world()
    return world, world.graph(tmp_path_factory.mktemp("access"))


def _route(graph: Graph, a: Any, b: Any, profile: str, **overrides: str) -> dict[str, Any]:
    return stepfree.route(a, b, profile, overrides, graph=graph, at="2026-06-01T12:00")


def test_a_far_end_is_refused_saying_how_far_and_what_blocks(world_graph) -> None:
    world, graph = world_graph
    start = _north_of(world, "b", 1.0)  # 1 m from a-b-c (width unknown), 60 m from a-d
    end = _north_of(world, "e", -0.5)
    answer = _route(graph, start, end, "manual_wheelchair", unknown_width="forbid")
    assert answer["route"] is None
    assert answer["reason"] == "no_usable_way"
    access, *nearer = answer["blocked_by"]
    assert access["attribute"] == "access_m"
    assert access["role"] == "origin"
    assert access["limit"] == 50.0  # the manual wheelchair preset's max_access_m
    assert access["value"] == pytest.approx(60.0, abs=1.0)
    assert f"{round(access['value'])} m" in access["text"]
    # the way 1 m away is named, with why the profile may not use it
    assert nearer[0]["osm_id"] == world.way_id("abc")
    assert nearer[0]["attribute"] == "unknown_width"
    assert nearer[0]["distance_m"] == pytest.approx(1.0, abs=0.2)
    relax = {item["parameter"]: item["to"] for item in answer["relax"]}
    assert relax["unknown_width"] == "avoid"
    assert access["value"] <= relax["max_access_m"] < access["value"] + 1.5  # whole metres
    # and each relaxation really opens it
    for parameter, value in relax.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        settings = {"unknown_width": "forbid", parameter: text}
        again = _route(graph, start, end, "manual_wheelchair", **settings)
        assert again["route"] is not None, parameter


def test_within_the_limit_the_legs_count_in_length_time_and_confidence(world_graph) -> None:
    world, graph = world_graph
    on_way = _route(graph, _north_of(world, "d", 0), _north_of(world, "e", 0), "manual_wheelchair")
    start, end = _north_of(world, "d", -20.0), _north_of(world, "e", -30.0)  # south of d-e
    off_way = _route(graph, start, end, "manual_wheelchair")
    base, legs = on_way["summary"], off_way["summary"]
    assert legs["access_m"]["origin"] == pytest.approx(20.0, abs=0.5)
    assert legs["access_m"]["destination"] == pytest.approx(30.0, abs=0.5)
    assert legs["length_m"] == pytest.approx(base["length_m"] + 50.0, abs=1.0)
    speed = 1.0  # the manual wheelchair preset's speed_m_s
    assert legs["duration_s"] == pytest.approx(base["duration_s"] + 50.0 / speed, abs=1.0)
    # the legs are unmapped ground: width and incline are unknown there, so not 100 %
    assert base["known_share"]["width"] == 1.0
    assert legs["known_share"]["width"] == pytest.approx(1 - 50.0 / legs["length_m"], abs=0.01)
    assert legs["confidence"] < base["confidence"]
    warnings = {w["code"]: w for w in off_way["warnings"]}
    assert warnings["access_destination"]["metres"] == 30
    assert "access_origin" not in warnings  # 20 m: under ACCESS_WARN_M (a door to its footway)


def test_max_access_m_decides_between_route_and_refusal(world_graph) -> None:
    world, graph = world_graph
    start, end = _north_of(world, "d", -70.0), _north_of(world, "e", 0)
    near = _route(graph, start, end, "pedestrian", max_access_m="100")
    far = _route(graph, start, end, "pedestrian", max_access_m="60")
    assert near["route"] is not None
    assert near["summary"]["access_m"]["origin"] == pytest.approx(70.0, abs=0.5)
    assert far["route"] is None
    assert far["blocked_by"][0]["attribute"] == "access_m"
    assert far["relax"][0] == {
        "parameter": "max_access_m",
        "from": 60.0,
        "to": 70.0,
        "text": "A route exists if you set max_access_m=70.",
    }


def test_an_isochrone_from_a_far_point_is_refused_and_a_near_one_pays_the_leg(
    world_graph,
) -> None:
    world, graph = world_graph
    far = _north_of(world, "b", 1.0)
    with pytest.raises(NoUsableWay) as refused:
        stepfree.isochrone(
            far, 5, "manual_wheelchair", {"unknown_width": "forbid"}, graph=graph, at="2026-06-01"
        )
    why = refused.value.explanation
    assert why is not None
    assert why["blocked_by"][0]["attribute"] == "access_m"
    assert {item["parameter"] for item in why["relax"]} >= {"unknown_width", "max_access_m"}
    near = stepfree.isochrone(_north_of(world, "d", -40.0), (1, 2), "pedestrian", graph=graph)
    assert near["origin"]["access_s"] == pytest.approx(40.0 / 1.3, abs=0.5)
    assert [w["code"] for w in near["warnings"]] == ["access_origin"]
    on_way = stepfree.isochrone(_north_of(world, "d", 0), (1, 2), "pedestrian", graph=graph)
    assert on_way["warnings"] == []
    reached = [f["properties"]["reached_length_m"] for f in near["features"]]
    reached_on_way = [f["properties"]["reached_length_m"] for f in on_way["features"]]
    assert all(a < b for a, b in zip(reached, reached_on_way, strict=True))


def test_a_route_whose_ends_meet_is_a_valid_zero_length_line(world_graph) -> None:
    world, graph = world_graph
    point = _north_of(world, "d", 0)
    answer = _route(graph, point, point, "manual_wheelchair")
    geometry = answer["route"]["geometry"]
    assert geometry["type"] == "LineString"
    assert len(geometry["coordinates"]) >= 2  # RFC 7946 3.1.4: two or more positions
    assert answer["summary"]["length_m"] == 0.0
    assert answer["summary_text"].startswith("The start and the destination are the same place.")
    assert "about 1 min" not in answer["summary_text"]


def test_a_short_route_is_under_a_minute_not_about_one(world_graph) -> None:
    world, graph = world_graph
    lat, lon = _north_of(world, "d", 0)
    east = (lat, lon + 15.0 / (M_PER_DEG * math.cos(math.radians(lat))))  # 15 m along d-e
    answer = _route(graph, (lat, lon), east, "pedestrian")
    assert answer["summary"]["duration_s"] < 30
    assert ", under a minute." in answer["summary_text"]


def test_the_cli_refuses_a_far_end_with_exit_3(world_graph, tmp_path: Path) -> None:
    from stepfree.cli import main
    from stepfree.graph.store import save_graph

    world, graph = world_graph
    path = save_graph(graph, tmp_path / "w.sfg")
    lat, lon = _north_of(world, "b", 1.0)
    to_lat, to_lon = _north_of(world, "e", 0)
    code = main(
        [
            "route", "--graph", str(path), "--from", f"{lat},{lon}", "--to", f"{to_lat},{to_lon}",
            "--profile", "manual_wheelchair", "--set", "unknown_width=forbid",
        ]
    )  # fmt: skip
    assert code == 3

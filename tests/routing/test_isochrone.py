"""Isochrones: reached network by travel time, partial edges, profile limits, nesting, shape, CLI.

The shape is checked against an independent construction: the reached stretches cut from each
edge's geometry with shapely, and the exact distance to them.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, shape
from shapely.ops import substring

from stepfree import cli
from stepfree._api import isochrone, router_for
from stepfree.errors import BadInput, NoUsableWay
from stepfree.graph.model import Graph
from stepfree.graph.store import save_graph
from stepfree.profiles.model import preset
from stepfree.routing.reach import isochrone as iso
from stepfree.routing.reach.isochrone import BUFFER_M, CELL_M, check_minutes

from worlds import EARTH_RADIUS_M, World

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
SUMMER = "2026-07-01T12:00"  # no winter rules in Astana
PEDESTRIAN_M_S = 1.3  # pedestrian preset speed
#: Central Helsinki, beside the railway station: the sample city's dense core.
HELSINKI = (60.1699, 24.9414)
#: Metres per degree of latitude (for polygon extents and areas).
M_PER_DEG_LAT = math.pi / 180 * EARTH_RADIUS_M


def _at(world: World, letter: str) -> tuple[float, float]:
    lon, lat = world.positions()[letter]
    return lat, lon


def _between(world: World, a: str, b: str, share: float) -> tuple[float, float]:
    (lon_a, lat_a), (lon_b, lat_b) = world.positions()[a], world.positions()[b]
    return lat_a + share * (lat_b - lat_a), lon_a + share * (lon_b - lon_a)


def _props(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [feature["properties"] for feature in result["features"]]


def _polygons(result: dict[str, Any]) -> list[shapely.Geometry]:
    return [shape(feature["geometry"]) for feature in result["features"]]


def _east_m(world: World, polygon: shapely.Geometry, letter: str) -> float:
    """How far the polygon reaches east of a letter (m)."""
    lon, lat = world.positions()[letter]
    per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat))
    return (polygon.bounds[2] - lon) * per_deg_lon


# --- worlds ------------------------------------------------------------------------------------

LINE = World("a--------------------b", ways={"ab": CLEAN}, grid_m=100)  # 2 km due east


def test_reached_length_is_speed_times_time(tmp_path: Path) -> None:
    graph = LINE.graph(tmp_path)
    result = isochrone(_at(LINE, "a"), (5, 10), at=SUMMER, graph=graph)
    props = _props(result)
    assert [p["minutes"] for p in props] == [5, 10]
    for p in props:
        assert p["reached_length_m"] == pytest.approx(PEDESTRIAN_M_S * p["seconds"], abs=1.0)
        assert p["reached_nodes"] == 1  # a only: b is 2 km away
        assert p["profile"] == "pedestrian"
    # the band reaches the walked distance plus its half-width, not a circle of that radius
    first = _polygons(result)[0]
    assert _east_m(LINE, first, "a") == pytest.approx(390 + BUFFER_M, abs=1.5)
    area_m2 = first.area * M_PER_DEG_LAT**2 * math.cos(math.radians(_at(LINE, "a")[0]))
    band_m2 = 2 * BUFFER_M * 390 + math.pi * BUFFER_M**2  # a stadium around the 390 m walked
    assert area_m2 == pytest.approx(band_m2, rel=0.02)


def test_speed_override_scales_the_reach(tmp_path: Path) -> None:
    graph = LINE.graph(tmp_path)
    slow = isochrone(_at(LINE, "a"), 5, overrides={"speed_m_s": "0.5"}, at=SUMMER, graph=graph)
    assert _props(slow)[0]["reached_length_m"] == pytest.approx(150.0, abs=1.0)


def test_origin_mid_edge_reaches_both_ways(tmp_path: Path) -> None:
    graph = LINE.graph(tmp_path)
    result = isochrone(_between(LINE, "a", "b", 0.5), 5, at=SUMMER, graph=graph)
    assert _props(result)[0]["reached_length_m"] == pytest.approx(2 * 390.0, abs=1.0)
    assert _props(result)[0]["reached_nodes"] == 0


def test_whole_edges_and_the_partial_edge_beyond(tmp_path: Path) -> None:
    # a-b 200 m, b-c 200 m, c-d 2 km: in 5 min (390 m) the walker passes b and stops
    # 190 m short of c; in 10 min (780 m) passes c and walks 380 m of c-d
    world = World(
        "a-b-c--------------------d",
        ways={"ab": CLEAN, "bc": CLEAN, "cd": CLEAN},
        grid_m=100,
    )
    graph = world.graph(tmp_path)
    props = _props(isochrone(_at(world, "a"), (5, 10), at=SUMMER, graph=graph))
    assert [p["reached_length_m"] for p in props] == pytest.approx([390.0, 780.0], abs=1.0)
    assert [p["reached_nodes"] for p in props] == [2, 3]


def test_forbidden_steps_stop_the_wheelchair_but_not_the_walker(tmp_path: Path) -> None:
    steps = {k: v for k, v in CLEAN.items() if k != "wheelchair"} | {
        "highway": "steps",
        "step_count": "6",
    }
    world = World("a-b-c-d", ways={"ab": CLEAN, "bc": steps, "cd": CLEAN}, grid_m=50)
    graph = world.graph(tmp_path)
    beyond = Point(*world.positions()["d"])
    walker = isochrone(_at(world, "a"), 10, at=SUMMER, graph=graph)
    rolling = isochrone(_at(world, "a"), 10, "manual_wheelchair", at=SUMMER, graph=graph)
    assert _props(walker)[0]["reached_length_m"] == pytest.approx(300.0, abs=1.0)
    assert _props(rolling)[0]["reached_length_m"] == pytest.approx(100.0, abs=1.0)
    assert _polygons(walker)[0].contains(beyond)
    assert not _polygons(rolling)[0].contains(beyond)


def test_partial_edge_only_in_a_passable_direction(tmp_path: Path) -> None:
    # a-b 100 m, b-c 200 m climbing 10 % from b to c, c-d 100 m. With these limits up the
    # ramp is refused (8 %) and down it is allowed (12 %).
    world = World(
        "a-b---c-d",
        ways={"ab": CLEAN, "bc": CLEAN | {"incline": "10%"}, "cd": CLEAN},
        grid_m=50,
    )
    graph = world.graph(tmp_path)
    limits = {"max_incline_up_pct": "8", "max_incline_down_pct": "12"}

    def reached(origin: tuple[float, float], minutes: float, **kw: Any) -> float:
        result = isochrone(origin, minutes, at=SUMMER, graph=graph, **kw)
        return float(_props(result)[0]["reached_length_m"])

    # from the middle of a-b, in 10 min: a-b whole and nothing up the ramp
    middle = _between(world, "a", "b", 0.5)
    assert reached(middle, 10, overrides=limits) == pytest.approx(100, abs=1)
    # from d, in 10 min: everything, the ramp walked down
    assert reached(_at(world, "d"), 10, overrides=limits) == pytest.approx(400, abs=1)
    # from c, in 1 min (78 m): partial stretches both ways, down the ramp at the flat speed
    # (Tobler's function is 1 at -10 % once normalised to the flat: exp(-3.5 * 0.05))
    assert reached(_at(world, "c"), 1, overrides=limits) == pytest.approx(2 * 78, abs=1)
    assert reached(_at(world, "c"), 1) == pytest.approx(2 * 78, abs=1)
    # from b, in 1 min: 78 m of a-b; up the ramp only without the limit, at 70 % speed
    assert reached(_at(world, "b"), 1, overrides=limits) == pytest.approx(78, abs=1)
    uphill = 78 * math.exp(-3.5 * 0.15) / math.exp(-3.5 * 0.05)
    assert reached(_at(world, "b"), 1) == pytest.approx(78 + uphill, abs=1)


def test_no_usable_way_near_the_origin(tmp_path: Path) -> None:
    steps = {"highway": "steps"}
    world = World("a---b", ways={"ab": steps}, grid_m=20)
    graph = world.graph(tmp_path)
    with pytest.raises(NoUsableWay):
        isochrone(_at(world, "a"), 5, "manual_wheelchair", at=SUMMER, graph=graph)


@pytest.mark.parametrize(
    ("minutes", "says"),
    [
        ((0, 5), "from 1 to 60"),
        ((61,), "from 1 to 60"),
        ((math.nan,), "from 1 to 60"),
        ((1, 2, 3, 4, 5, 6, 7), "at most 6"),
        ((), "at least one"),
    ],
)
def test_minutes_out_of_range(minutes: tuple[float, ...], says: str) -> None:
    with pytest.raises(BadInput, match=says):
        check_minutes(minutes)


def test_minutes_sorted_without_repeats() -> None:
    assert check_minutes((15, 5, 10, 5)) == (5.0, 10.0, 15.0)
    assert check_minutes(7.5) == (7.5,)
    assert check_minutes("15, 5,10") == (5.0, 10.0, 15.0)


# --- the shape: the ground within BUFFER_M of the ways reached --------------------------------

#: How far the traced band may stray from the exact one (m): a grid cell's diagonal, since a
#: point in a cell lies within it of the cell's corners, whose distances are exact.
CELL_DIAGONAL_M = CELL_M * math.sqrt(2)


def _reached_lines(graph: Graph, found: iso.Reach, lon0: float, lat0: float) -> shapely.Geometry:
    """The reached stretches as lines in the local plane (metres east and north of lon0,
    lat0), cut from each edge's drawn geometry by fraction of its planar length."""
    per_deg_lat = M_PER_DEG_LAT
    per_deg_lon = per_deg_lat * math.cos(math.radians(lat0))
    lines = []
    for edge, start, stop in zip(found.edges, found.start, found.stop, strict=True):
        coords = graph.edge_coords(int(edge))
        xy = np.column_stack(
            ((coords[:, 0] - lon0) * per_deg_lon, (coords[:, 1] - lat0) * per_deg_lat)
        )
        lines.append(substring(shapely.LineString(xy), start, stop, normalized=True))
    return shapely.union_all(lines)


def test_polygons_hold_the_ways_reached_and_nothing_far_from_them(sample_graph: Graph) -> None:
    router = router_for(sample_graph)
    profile = preset("manual_wheelchair")
    costs = router.costs(profile, router.context(profile, None))
    start = router.endpoint(*HELSINKI, costs, "origin")
    lon0, lat0 = start.snap.lon, start.snap.lat
    reaches = iso.reach(router, start, costs, [120.0, 300.0])
    polygons = iso.reach_polygons(sample_graph, reaches, start, lon0, lat0)
    rng = np.random.default_rng(3)
    for found, polygon in zip(reaches, polygons, strict=True):
        ways = _reached_lines(sample_graph, found, lon0, lat0)
        lines = shapely.union_all([ways, Point(0, 0)])  # and where the person stands
        # every reached point is inside its time's polygon
        on_ways = shapely.line_interpolate_point(
            shapely.get_parts(ways), rng.uniform(0, 1, (50, 1)), normalized=True
        ).ravel()
        assert shapely.contains(polygon, on_ways).all()
        # random ground: near the ways inside, far from them outside, as the exact band says
        west, south, east, north = shapely.bounds(lines)
        x = rng.uniform(west - 60, east + 60, 4000)
        y = rng.uniform(south - 60, north + 60, 4000)
        distance = shapely.distance(lines, shapely.points(x, y))
        inside = shapely.contains_xy(polygon, x, y)
        assert inside[distance < BUFFER_M - CELL_DIAGONAL_M].all()
        assert not inside[distance > BUFFER_M + CELL_DIAGONAL_M].any()
        # and mostly right in between: the cut is exact beside straight ways
        agree = inside == (distance < BUFFER_M)
        assert agree.mean() > 0.99
    assert polygons[1].buffer(0.02).contains(polygons[0])


def test_the_collection_draws_the_same_polygons(sample_graph: Graph) -> None:
    router = router_for(sample_graph)
    profile = preset("pedestrian")
    costs = router.costs(profile, router.context(profile, None))
    start = router.endpoint(*HELSINKI, costs, "origin")
    lon0, lat0 = start.snap.lon, start.snap.lat
    access_s = start.snap.distance_m / profile.mobility.speed_m_s  # to the network first
    reaches = iso.reach(router, start, costs, [60.0 - access_s, 180.0 - access_s])
    local = iso.reach_polygons(sample_graph, reaches, start, lon0, lat0)
    drawn = _polygons(isochrone(HELSINKI, (1, 3), graph=sample_graph))
    per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat0))
    for polygon, feature in zip(local, drawn, strict=True):
        metres = shapely.transform(
            feature, lambda xy: (xy - [lon0, lat0]) * [per_deg_lon, M_PER_DEG_LAT]
        )
        assert shapely.symmetric_difference(metres, polygon).area < 1e-3 * polygon.area


SQUARE = World(
    """
    a-----b
    |     |
    |     |
    d-----c
    """,
    ways={"abcda": CLEAN},
    grid_m=40,
)  # a loop of footway round a block 240 m square


def test_an_enclosed_block_out_of_reach_is_a_hole(tmp_path: Path) -> None:
    graph = SQUARE.graph(tmp_path)
    result = isochrone(_at(SQUARE, "a"), (5, 15), at=SUMMER, graph=graph)
    # 5 min (390 m each way from a): the loop is open at c, so the block is not enclosed
    partial, whole = _polygons(result)
    assert [p["reached_length_m"] for p in _props(result)] == pytest.approx([780, 960], abs=1)
    assert partial.geom_type == whole.geom_type == "Polygon"
    assert not partial.interiors
    # 15 min: the whole loop; the middle of the block is farther than BUFFER_M from it
    assert len(whole.interiors) == 1
    (lon_a, lat_a), (lon_c, lat_c) = SQUARE.positions()["a"], SQUARE.positions()["c"]
    middle = Point((lon_a + lon_c) / 2, (lat_a + lat_c) / 2)
    assert not whole.contains(middle)
    assert whole.contains(Point(lon_a, lat_a))
    hole_m2 = (
        shapely.Polygon(whole.interiors[0]).area * M_PER_DEG_LAT**2 * math.cos(math.radians(lat_a))
    )
    assert hole_m2 == pytest.approx((240 - 2 * BUFFER_M) ** 2, rel=0.03)
    assert whole.buffer(1e-7).contains(partial)


def test_a_side_blocked_gives_a_lopsided_polygon(tmp_path: Path) -> None:
    # a-b is 240 m of steps (forbidden to a wheelchair), b-c 240 m of smooth footway
    steps = {k: v for k, v in CLEAN.items() if k != "wheelchair"} | {"highway": "steps"}
    world = World("a-----b-----c", ways={"ab": steps, "bc": CLEAN}, grid_m=40)
    graph = world.graph(tmp_path)
    rolling = isochrone(_at(world, "b"), 2, "manual_wheelchair", at=SUMMER, graph=graph)
    polygon = _polygons(rolling)[0]
    walked_m = _props(rolling)[0]["reached_length_m"]
    assert 50 < walked_m < 240  # along b-c only
    east_m = _east_m(world, polygon, "b")
    lon_b, lat_b = world.positions()["b"]
    west_m = (lon_b - polygon.bounds[0]) * M_PER_DEG_LAT * math.cos(math.radians(lat_b))
    assert east_m == pytest.approx(walked_m + BUFFER_M, abs=1.5)
    assert west_m == pytest.approx(BUFFER_M, abs=1.5)  # where the person stands, no more


# --- the sample city ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helsinki(sample_graph: Graph) -> dict[str, Any]:
    return isochrone(HELSINKI, (5, 10, 15), at="2026-07-01T12:00", graph=sample_graph)


def test_sample_city_polygons_nest(helsinki: dict[str, Any]) -> None:
    polygons = _polygons(helsinki)
    assert [p["minutes"] for p in _props(helsinki)] == [5, 10, 15]
    for inner, outer in itertools.pairwise(polygons):
        assert inner.is_valid
        assert outer.buffer(1e-7).contains(inner)  # 1e-7 deg: the coordinates' rounding
        assert inner.area < outer.area


def test_sample_city_reach_grows_with_time(helsinki: dict[str, Any]) -> None:
    props = _props(helsinki)
    lengths = [p["reached_length_m"] for p in props]
    nodes = [p["reached_nodes"] for p in props]
    assert lengths == sorted(lengths)
    assert lengths[0] > 1000  # a dense centre: kilometres of footway within 5 min
    assert lengths[0] < lengths[1] < lengths[2]
    assert nodes[0] < nodes[1] <= nodes[2]
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in helsinki["features"])


def test_wheelchair_reaches_less_than_walker(sample_graph: Graph) -> None:
    walker = isochrone(HELSINKI, 10, at=SUMMER, graph=sample_graph)
    rolling = isochrone(HELSINKI, 10, "manual_wheelchair", at=SUMMER, graph=sample_graph)
    assert _props(rolling)[0]["reached_length_m"] < _props(walker)[0]["reached_length_m"]


@pytest.fixture(scope="module")
def sample_file(sample_graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("iso") / "helsinki.sfg"
    save_graph(sample_graph, path)
    return path


def test_cli_prints_geojson(sample_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        [
            "isochrone",
            "--graph",
            str(sample_file),
            "--from",
            f"{HELSINKI[0]},{HELSINKI[1]}",
            "--minutes",
            "5,10",
            "--lang",
            "ru",
            "--at",
            SUMMER,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["label"] for f in collection["features"]] == ["5 мин", "10 мин"]
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid
        assert not geometry.is_empty


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        (["--minutes", "0,5"], "from 1 to 60"),
        (["--minutes", "90"], "from 1 to 60"),
        (["--minutes", "five"], "not a number"),
        (["--minutes", ","], "at least one"),
        (["--profile", "skater"], "unknown profile"),
        (["--set", "speed_m_s=9"], "speed_m_s"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    sample_file: Path, capsys: pytest.CaptureFixture[str], argument: list[str], says: str
) -> None:
    code = cli.main(
        [
            "isochrone",
            "--graph",
            str(sample_file),
            "--from",
            f"{HELSINKI[0]},{HELSINKI[1]}",
            *argument,
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert says in captured.err


def test_cli_bad_coordinates_exit_2(sample_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["isochrone", "--graph", str(sample_file), "--from", "95,24.9"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "LAT,LON" in err

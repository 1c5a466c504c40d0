"""Properties of routing that hold for any profile, place and time (hypothesis).

- No route uses an entry or node that its profile forbids (random presets, overrides drawn
  within each parameter's declared range, random policies; random origins and destinations).
- Isochrones nest: the network reached in t1 <= t2 is a subset of t2's, and the polygons nest.
- A tag that means nothing to routing (``note``, ``source``) changes no route.
- Direction: a ramp drawn either way round gives the same answer for the same way of travel.

The sample city runs by default; the Redmond extract (``../shared/data``) runs as ``slow``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import stepfree
from profile_strategies import parameter_values
from stepfree._api import router_for, sample_city_path
from stepfree.errors import NoUsableWay
from stepfree.graph.model import Graph
from stepfree.profiles.model import Policy, Profile, preset, preset_names
from stepfree.routing.reach import isochrone as iso
from stepfree.routing.router import Router
from stepfree.routing.walk import pieces

from conftest import shared
from worlds import World

REDMOND = "osm/redmond_microsoft_campus_2023-10.osm.pbf"
#: Fixtures are built once per module; hypothesis may reuse them across examples.
SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


# --- strategies ----------------------------------------------------------------------------


PARAMETER_VALUES = parameter_values()


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """A preset with random overrides (each drawn within its declared range)."""
    base = draw(st.sampled_from(preset_names()))
    overrides = draw(st.fixed_dictionaries({}, optional=PARAMETER_VALUES))
    return preset(base).with_overrides(overrides)


# --- graphs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redmond() -> Graph:
    return stepfree.build_graph(shared(REDMOND))


def _point(graph: Graph, node: int) -> tuple[float, float]:
    return float(graph.node("lat")[node]), float(graph.node("lon")[node])


# --- no route uses what its profile forbids --------------------------------------------------


def _check_route(router: Router, profile: Profile, a: int, b: int) -> bool:
    """Route a -> b; assert nothing forbidden is used. True when a route was found."""
    graph = router.graph
    context = router.context(profile, None)
    costs = router.costs(profile, context)
    try:
        start = router.endpoint(*_point(graph, a), costs, "origin")
        end = router.endpoint(*_point(graph, b), costs, "destination")
    except NoUsableWay:
        return False
    path = router.search(start, end, costs)
    if path is None:
        return False
    forbidden = [rule for rule in costs.rules if rule.policy == Policy.FORBID]
    walk = pieces(router, path)
    nodes = [p.node for p in walk if p.node >= 0] + [path.start_node, path.end_node]
    for rule in forbidden:
        if rule.level == "entry":
            for piece in walk:
                assert piece.share == 0 or not rule.mask[piece.entry], (
                    f"{profile.name}: entry {piece.entry} (edge {piece.edge}) is forbidden by "
                    f"{rule.attribute} ({rule.parameter})"
                )
        else:
            for node in nodes:
                assert node < 0 or not rule.mask[node], (
                    f"{profile.name}: node {node} is forbidden by {rule.attribute}"
                )
    assert np.isfinite(path.cost)
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(profile=profiles(), data=st.data())
def test_no_route_uses_what_its_profile_forbids(
    sample_graph: Graph, profile: Profile, data: st.DataObject
) -> None:
    router = router_for(sample_graph)
    nodes = st.integers(0, sample_graph.n_nodes - 1)
    found = _check_route(router, profile, data.draw(nodes), data.draw(nodes))
    event("route found" if found else "no route or no usable way")


@pytest.mark.parametrize("name", preset_names())
def test_presets_forbid_on_seeded_pairs(sample_graph: Graph, name: str) -> None:
    router = router_for(sample_graph)
    rng = np.random.default_rng(20261127)
    pairs = rng.integers(0, sample_graph.n_nodes, size=(40, 2))
    found = sum(_check_route(router, preset(name), int(a), int(b)) for a, b in pairs)
    assert found > 0, "no seeded pair had a route: the check would prove nothing"


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(profile=profiles(), data=st.data())
def test_no_route_uses_what_its_profile_forbids_redmond(
    redmond: Graph, profile: Profile, data: st.DataObject
) -> None:
    router = router_for(redmond)
    nodes = st.integers(0, redmond.n_nodes - 1)
    found = _check_route(router, profile, data.draw(nodes), data.draw(nodes))
    event("route found" if found else "no route or no usable way")


# --- isochrones nest -------------------------------------------------------------------------


def _covered(inner: iso.Reach, outer: iso.Reach) -> bool:
    """Every stretch of ``inner`` lies within a stretch of ``outer`` (exactly)."""
    if not inner.edges.size:
        return True
    key = outer.edges * 4.0 + outer.start
    at = np.searchsorted(key, inner.edges * 4.0 + inner.start, side="right") - 1
    if (at < 0).any():
        return False
    return bool(
        np.all(outer.edges[at] == inner.edges)
        & np.all(outer.start[at] <= inner.start)
        & np.all(inner.stop <= outer.stop[at])
    )


@settings(max_examples=20, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    profile=profiles(),
    t1=st.floats(1, 12),
    extra=st.floats(0, 6),
    data=st.data(),
)
def test_isochrones_nest(
    sample_graph: Graph, profile: Profile, t1: float, extra: float, data: st.DataObject
) -> None:
    router = router_for(sample_graph)
    costs = router.costs(profile, router.context(profile, None))
    node = data.draw(st.integers(0, sample_graph.n_nodes - 1))
    try:
        start = router.endpoint(*_point(sample_graph, node), costs, "origin")
    except NoUsableWay:
        return
    t2 = min(t1 + extra, iso.MAX_MINUTES)
    small, large = iso.reach(router, start, costs, [60 * t1, 60 * t2])
    event("reached over 5 km" if large.length_m > 5000 else "reached under 5 km")
    assert _covered(small, large)
    assert small.length_m <= large.length_m + 1e-6
    assert small.nodes <= large.nodes
    # polygons of one request nest up to the rounding of coordinates (1e-7 deg)
    lat, lon = start.snap.lat, start.snap.lon
    together = iso.reach_polygons(sample_graph, [small, large], start, lon, lat)
    assert together[1].buffer(0.02).contains(together[0])  # metres, local plane
    # polygons of separate requests nest up to the simplification of each (SIMPLIFY_M each)
    alone = [iso.reach_polygons(sample_graph, [r], start, lon, lat)[0] for r in (small, large)]
    assert alone[1].buffer(2 * iso.SIMPLIFY_M + 0.01).contains(alone[0])
    assert shapely.difference(alone[0], alone[1]).area < 0.01 * max(alone[0].area, 1.0)


# --- unrelated tags change no route ------------------------------------------------------------

UNRELATED = {"note": "checked on foot in 2026", "source": "survey"}


def _with_unrelated_tags(source: Path, output: Path) -> Path:
    """A copy of an OSM file with ``note`` and ``source`` on every node and way."""
    with osmium.SimpleWriter(str(output)) as writer:
        for obj in osmium.FileProcessor(str(source)):
            tags = {tag.k: tag.v for tag in obj.tags} | UNRELATED
            if obj.is_node():
                writer.add_node(obj.replace(tags=tags))
            elif obj.is_way():
                writer.add_way(obj.replace(tags=tags))
            elif obj.is_relation():
                writer.add_relation(obj.replace(tags=tags))
    return output


def _same_routes(source: Path, folder: Path, pairs: int) -> None:
    plain = stepfree.build_graph(source)
    tagged = stepfree.build_graph(_with_unrelated_tags(source, folder / "tagged.osm.pbf"))
    assert tagged.n_nodes == plain.n_nodes
    assert tagged.n_edges == plain.n_edges
    rng = np.random.default_rng(7)
    found = 0
    for name, (a, b) in itertools.product(
        ("pedestrian", "manual_wheelchair"), rng.integers(0, plain.n_nodes, size=(pairs, 2))
    ):
        origin, destination = _point(plain, int(a)), _point(plain, int(b))
        one = stepfree.route(origin, destination, name, at="2026-07-01T12:00", graph=plain)
        two = stepfree.route(origin, destination, name, at="2026-07-01T12:00", graph=tagged)
        assert (one["route"] is None) == (two["route"] is None)
        if one["route"] is None:
            continue
        found += 1
        assert one["osm_way_ids"] == two["osm_way_ids"]
        assert one["summary"]["length_m"] == two["summary"]["length_m"]
        assert one["summary"]["duration_s"] == two["summary"]["duration_s"]
    assert found > 0, "no pair had a route: the comparison would prove nothing"


def test_unrelated_tags_change_no_route_sample_city(tmp_path: Path) -> None:
    _same_routes(sample_city_path(), tmp_path, pairs=15)


@pytest.mark.slow
def test_unrelated_tags_change_no_route_redmond(tmp_path: Path) -> None:
    _same_routes(shared(REDMOND), tmp_path, pairs=40)


def test_unrelated_tags_on_a_world(tmp_path: Path) -> None:
    sketch = """
       u
    s--x--t
    |     |
    p-----q
    """
    ways = {
        "sxt": {"highway": "footway", "surface": "gravel"},
        "spqt": {"highway": "footway", "surface": "asphalt"},
        "xu": {"highway": "primary", "sidewalk": "separate"},
    }
    nodes = {"x": {"barrier": "kerb", "kerb": "raised"}}
    plain = World(sketch, ways=ways, nodes=nodes)
    noted = World(
        sketch,
        ways={k: v | UNRELATED for k, v in ways.items()},
        nodes={k: nodes.get(k, {}) | UNRELATED for k in "uxstpq"},
    )
    (tmp_path / "plain").mkdir()
    (tmp_path / "noted").mkdir()
    graphs = plain.graph(tmp_path / "plain"), noted.graph(tmp_path / "noted")
    s, t = plain.positions()["s"], plain.positions()["t"]
    for name in preset_names():
        one, two = (
            stepfree.route((s[1], s[0]), (t[1], t[0]), name, at="2026-07-01T12:00", graph=g)
            for g in graphs
        )
        assert one["route"] is not None, name
        assert one["osm_way_ids"] == two["osm_way_ids"], name
        assert one["summary"]["duration_s"] == two["summary"]["duration_s"], name


# --- direction: a ramp drawn either way round --------------------------------------------------

RAMP_SKETCH = "x-a------b-y"
FLAT = {"highway": "footway", "surface": "asphalt", "incline": "0", "width": "2"}


@pytest.fixture(scope="module")
def ramp_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ramps")


def _ramp_graph(folder: Path, grade: float, drawn_up: bool) -> tuple[World, Graph]:
    """x-a, the ramp a-b climbing ``grade`` % from a to b, b-y; drawn a->b or b->a."""
    ramp = FLAT | {"incline": f"{grade:g}%" if drawn_up else f"{-grade:g}%"}
    world = World(
        RAMP_SKETCH, ways={"xa": FLAT, "ab" if drawn_up else "ba": ramp, "by": FLAT}, grid_m=10
    )
    name = f"ramp-{grade:g}-{'ab' if drawn_up else 'ba'}.osm"
    path = world.write(folder, name)
    return world, stepfree.build_graph(path)


@settings(max_examples=60, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(
    grade=st.integers(5, 300).map(lambda g: g / 10),  # 0.5 .. 30 %, one decimal
    up=st.integers(0, 40),
    down=st.integers(0, 40),
)
@example(grade=10.0, up=8, down=12)  # the brief's case: up refused, down allowed
def test_ramp_direction_does_not_depend_on_drawing(
    ramp_folder: Path, grade: float, up: int, down: int
) -> None:
    limits = {"max_incline_up_pct": str(up), "max_incline_down_pct": str(down)}
    answers = {}
    for drawn_up in (True, False):
        world, graph = _ramp_graph(ramp_folder, grade, drawn_up)
        x, y = world.positions()["x"], world.positions()["y"]
        for going_up, (start, end) in ((True, (x, y)), (False, (y, x))):
            answers[drawn_up, going_up] = stepfree.route(
                (start[1], start[0]),
                (end[1], end[0]),
                "pedestrian",
                limits,
                at="2026-07-01T12:00",
                graph=graph,
            )
    for going_up, limit in ((True, up), (False, down)):
        one, two = answers[True, going_up], answers[False, going_up]
        allowed = grade <= limit
        assert (one["route"] is not None) == allowed, (grade, limit, going_up)
        assert (two["route"] is not None) == allowed, (grade, limit, going_up)
        if allowed:
            assert one["osm_way_ids"] == two["osm_way_ids"]
            assert one["summary"]["duration_s"] == pytest.approx(two["summary"]["duration_s"])
            assert one["summary"]["length_m"] == pytest.approx(two["summary"]["length_m"])
        else:
            event(f"refused going {'up' if going_up else 'down'}")
            assert {b["attribute"] for b in one["blocked_by"]} == {
                b["attribute"] for b in two["blocked_by"]
            }


def test_route_from_the_top_of_a_refused_ramp(ramp_folder: Path) -> None:
    world, graph = _ramp_graph(ramp_folder, 10.0, drawn_up=True)
    b, y = world.positions()["b"], world.positions()["y"]
    limits = {"max_incline_up_pct": "8", "max_incline_down_pct": "12"}
    answer = stepfree.route(
        (b[1], b[0]), (y[1], y[0]), "pedestrian", limits, at="2026-07-01T12:00", graph=graph
    )
    assert answer["route"] is not None  # b-y is flat

"""The cost cache gives exactly the arrays a from-scratch ``costs_for`` gives, for any sequence
of requests, and reuses what requests share.

The graph is the sample city with its attributes redrawn at random (seeded), so every rule has
ways and nodes to act on: kerbs of many heights, inclines, widths, surfaces, steps, barriers,
crossings, elevators with opening hours, and live closures.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stepfree
from profile_strategies import parameter_values
from stepfree.attributes import Highway, Tri
from stepfree.costing.cache import GROUP_CACHE_SIZE, REQUEST_CACHE_SIZE, CostCache
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs
from stepfree.costing.hours import is_open
from stepfree.costing.live_rules import closed_elevators
from stepfree.costing.overlay import EMPTY, REPORT_TYPES, Closure, Overlay
from stepfree.costing.rules import Rule
from stepfree.graph.model import Graph
from stepfree.profiles.model import Policy, Profile, preset, preset_names

from costing_oracle import costs_for

HOURS = ("Mo-Fr 08:00-20:00", "24/7", "Sa,Su off", "sunrise-sunset", "Mo-Su 22:00-06:00")
TIMES = (None, datetime(2026, 6, 15, 12, 0), datetime(2026, 6, 14, 23, 30))  # Monday, Sunday
ARRAYS = ("entry_cost", "entry_seconds", "edge_cost", "node_cost", "node_seconds", "edge_usable")
SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _drawn(
    rng: np.random.Generator, like: np.ndarray, values: list[float], p: list[float]
) -> np.ndarray:
    return rng.choice(np.array(values, dtype=np.float64), like.shape[0], p=p).astype(like.dtype)


@pytest.fixture(scope="module")
def graph() -> Graph:
    """The sample city with every attribute a rule reads drawn at random."""
    base = stepfree.build_graph()
    rng = np.random.default_rng(20260615)
    a = dict(base.arrays)
    n_nodes, n_edges = base.n_nodes, base.n_edges

    def codes(name: str, top: int, common: int, share: float = 0.6) -> np.ndarray:
        like = a[name]
        values = rng.integers(0, top + 1, like.shape[0])
        values[rng.random(like.shape[0]) < share] = common
        return values.astype(like.dtype)

    def measured(name: str, low: float, high: float, levels: list[float]) -> np.ndarray:
        size = a[name].shape[0]
        out = rng.uniform(low, high, size)
        level = rng.random(size) < 0.4
        out[level] = rng.choice(levels, int(level.sum()))
        out[rng.random(size) < 0.4] = np.nan
        return out.astype(a[name].dtype)

    a["node.kerb"] = codes("node.kerb", 5, 0)
    a["node.kerb_height_m"] = measured("node.kerb_height_m", 0.0, 0.2, [0.0, 0.02, 0.03, 0.06])
    a["node.barrier"] = codes("node.barrier", 12, 1, 0.7)
    a["node.crossing"] = codes("node.crossing", 5, 1, 0.6)
    a["node.signals_sound"] = codes("node.signals_sound", 3, 0, 0.3)
    a["node.tactile_paving"] = codes("node.tactile_paving", 3, 0, 0.3)
    a["node.crossed_road_lanes"] = _drawn(
        rng, a["node.crossed_road_lanes"], [-1, 1, 2, 4, 6], [0.4, 0.2, 0.2, 0.1, 0.1]
    )
    a["node.crossed_road_class"] = codes("node.crossed_road_class", 20, 0, 0.5)
    a["node.elevator"] = _drawn(rng, a["node.elevator"], [Tri.NO, Tri.YES], [0.97, 0.03])
    hours = len(base.strings) + rng.integers(-1, len(HOURS), n_nodes)
    a["node.opening_hours"] = np.where(hours < len(base.strings), -1, hours).astype(np.int32)
    a["edge.highway"] = codes("edge.highway", 20, Highway.FOOTWAY, 0.5)
    a["edge.incline_pct"] = measured("edge.incline_pct", -15.0, 15.0, [0.0, 5.0, -8.0, 10.0])
    a["edge.width_m"] = measured("edge.width_m", 0.3, 3.0, [0.8, 0.9, 1.5])
    a["edge.step_count"] = rng.integers(-1, 40, n_edges).astype(a["edge.step_count"].dtype)
    for name, top, common in (
        ("surface", 7, 1),
        ("smoothness", 8, 0),
        ("wheelchair", 4, 0),
        ("ramp_wheelchair", 3, 0),
        ("ramp_stroller", 3, 0),
        ("lit", 3, 0),
        ("winter_service", 3, 0),
        ("sidewalk", 6, 6),
        ("access", 5, 0),
    ):
        a[f"edge.{name}"] = codes(f"edge.{name}", top, common, 0.4)
    hours = len(base.strings) + rng.integers(-1, len(HOURS), n_edges)
    a["edge.opening_hours"] = np.where(hours < len(base.strings), -1, hours).astype(np.int32)
    return Graph(arrays=a, meta=base.meta, strings=(*base.strings, *HOURS))


def _overlays(graph: Graph) -> list[Overlay]:
    rng = np.random.default_rng(5)
    out = [EMPTY]
    for version in range(3):
        closures = tuple(
            Closure(
                report_id=100 * version + i,
                kind=str(rng.choice(REPORT_TYPES)),
                edges=rng.choice(graph.n_edges, int(rng.integers(0, 30)), replace=False),
                nodes=rng.choice(graph.n_nodes, int(rng.integers(0, 10)), replace=False),
            )
            for i in range(int(rng.integers(1, 4)))
        )
        out.append(Overlay(closures, version=f"v{version}"))
    return out


VALUES = parameter_values(round_values=True)


@st.composite
def requests(draw: st.DrawFn) -> list[tuple[Profile, int, bool, int]]:
    """A few requests near one preset: (profile, time index, winter, overlay index)."""
    base = preset(draw(st.sampled_from(preset_names())))
    out = []
    for _ in range(draw(st.integers(1, 6))):
        names = draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=3, unique=True))
        overrides = {name: draw(VALUES[name]) for name in names}
        out.append(
            (
                base.with_overrides(overrides),
                draw(st.integers(0, len(TIMES) - 1)),
                draw(st.booleans()),
                draw(st.integers(0, 3)),
            )
        )
    return out


def assert_same(got: Costs, want: Costs) -> None:
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        assert a.shape == b.shape, name
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), f"{name} differs"
    assert got.min_cost_per_m == want.min_cost_per_m
    assert [(r.attribute, r.parameter, r.policy, r.level, r.report_id) for r in got.rules] == [
        (r.attribute, r.parameter, r.policy, r.level, r.report_id) for r in want.rules
    ]
    for ours, theirs in zip(got.rules, want.rules, strict=True):
        assert np.array_equal(ours.mask, theirs.mask), ours.attribute


@settings(max_examples=250, deadline=None, suppress_health_check=SHARED_FIXTURES)
@given(sequence=requests(), size=st.integers(1, 4))
def test_cached_costs_are_the_arrays_costs_for_gives(
    graph: Graph, sequence: list[tuple[Profile, int, bool, int]], size: int
) -> None:
    overlays = _overlays(graph)
    cache = CostCache(graph, size)
    for profile, time, winter, overlay in sequence:
        context = Context(winter=winter, at=TIMES[time], overlay=overlays[overlay])
        assert_same(cache.costs(profile, context), costs_for(graph, profile, context))


def test_a_value_selecting_the_same_nodes_reuses_the_costs(graph: Graph) -> None:
    cache = CostCache(graph)
    chair = preset("manual_wheelchair")
    costs = cache.costs(chair)
    heights = np.unique(stepfree.costing.rules.kerb_height_m(graph))
    between = float(heights[heights > 0.03][0])  # the next height mapped above the preset's
    nudged = chair.with_overrides({"max_kerb_height_m": f"{(0.03 + between) / 2}"})
    assert cache.costs(nudged) is costs


def test_a_kerb_override_recomputes_nodes_and_keeps_the_ways(graph: Graph) -> None:
    cache = CostCache(graph)
    chair = preset("manual_wheelchair")
    costs = cache.costs(chair)
    higher = chair.with_overrides({"max_kerb_height_m": "0.1"})
    relaxed = cache.costs(higher)
    assert relaxed.edge_cost is costs.edge_cost
    assert relaxed.edge_usable is costs.edge_usable
    assert not np.array_equal(relaxed.node_cost, costs.node_cost)
    assert_same(relaxed, costs_for(graph, higher))


def test_an_incline_override_recomputes_ways_and_keeps_the_nodes(graph: Graph) -> None:
    cache = CostCache(graph)
    chair = preset("manual_wheelchair")
    costs = cache.costs(chair)
    steeper = chair.with_overrides({"max_incline_up_pct": "12"})
    relaxed = cache.costs(steeper)
    assert relaxed.node_cost is costs.node_cost
    assert not np.array_equal(relaxed.edge_cost, costs.edge_cost)
    assert_same(relaxed, costs_for(graph, steeper))


def test_every_cache_is_bounded(graph: Graph) -> None:
    cache = CostCache(graph, size=4)
    chair = preset("manual_wheelchair")
    for i in range(GROUP_CACHE_SIZE + 20):
        profile = chair.with_overrides({"max_incline_up_pct": f"{2 + i * 0.1:.1f}"})
        context = Context(at=datetime(2026, 6, 15, i % 24, 0))
        cache.costs(profile, context)
    sizes = cache.sizes()
    assert sizes["costs"] <= 4
    assert sizes["groups"] <= GROUP_CACHE_SIZE
    assert sizes["interned"] <= GROUP_CACHE_SIZE
    assert sizes["requests"] <= REQUEST_CACHE_SIZE
    assert sizes["closed_elevators"] <= 64


def test_shared_arrays_are_read_only(graph: Graph) -> None:
    costs = CostCache(graph).costs(preset("stroller"))
    for name in ("edge_cost", "node_cost", "node_seconds", "entry_seconds", "edge_usable"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(costs, name)[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        costs.rules[0].mask[0] = True


@pytest.mark.parametrize("at", TIMES)
def test_closed_elevators_are_those_whose_hours_say_closed(
    graph: Graph, at: datetime | None
) -> None:
    nodes, edges = closed_elevators(graph, at)
    for mask, is_elevator, hours in (
        (nodes, graph.node("elevator") == Tri.YES, graph.node("opening_hours")),
        (edges, graph.edge("highway") == Highway.ELEVATOR, graph.edge("opening_hours")),
    ):
        want = [
            at is not None and bool(elevator) and h >= 0 and is_open(graph.strings[h], at) is False
            for elevator, h in zip(is_elevator.tolist(), hours.tolist(), strict=True)
        ]
        assert mask.tolist() == want
    if at == TIMES[2]:  # Sunday night: the weekday and day-only elevators are closed
        assert nodes.any()
        assert edges.any()


def test_rules_are_shared_only_when_their_masks_are_equal(graph: Graph) -> None:
    cache = CostCache(graph)
    first, second = np.zeros(graph.n_nodes, dtype=bool), np.zeros(graph.n_nodes, dtype=bool)
    first[0], second[1] = True, True  # the same names and size, other nodes
    rules = [
        Rule("kerb_height_m", "max_kerb_height_m", Policy.FORBID, "node", m)
        for m in (first, second)
    ]
    token_first, token_second = (cache._intern(rule)[0] for rule in rules)
    assert token_first != token_second
    again = Rule("kerb_height_m", "max_kerb_height_m", Policy.FORBID, "node", first.copy())
    assert cache._intern(again)[1] is rules[0]

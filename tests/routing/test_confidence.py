"""Confidence that carries information (issue 10, item 2).

Before, one unknown attribute anywhere made a piece unknown, so almost every wheelchair route
on the sample city read "0 %". Now the summary gives the known share of each attribute that
matters to the profile (length for ways, count for kerbs and crossings) and one confidence,
their weighted mean (`routing.narration.confidence`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import stepfree
from stepfree.graph.model import Graph
from stepfree.routing.narration.confidence import WEIGHTS, confidence, known_shares

from worlds import World

SKETCH = """
a-----b-----c-----d
"""
PAVED = {"highway": "footway", "surface": "asphalt", "incline": "0", "width": "2"}


def _answer(world: World, graph: Graph, profile: str) -> dict:
    a, d = world.positions()["a"], world.positions()["d"]
    return stepfree.route((a[1], a[0]), (d[1], d[0]), profile, graph=graph, at="2026-06-01T12:00")


def test_shares_are_per_attribute_by_length_and_by_count(tmp_path: Path) -> None:
    # a-b: all known; b-c: width unknown; c-d: width and incline unknown. Kerbs: one known
    # (lowered, 2 cm) at b, one of unknown height at c.
    world = World(
        SKETCH,
        ways={
            "ab": PAVED,
            "bc": {k: v for k, v in PAVED.items() if k != "width"},
            "cd": {"highway": "footway", "surface": "asphalt"},
        },
        nodes={"b": {"barrier": "kerb", "kerb": "lowered"}, "c": {"barrier": "kerb"}},
    )
    graph = world.graph(tmp_path)
    summary = _answer(world, graph, "manual_wheelchair")["summary"]
    shares = summary["known_share"]
    length = summary["length_m"]
    third = 60.0 / length  # each way is 60 m (6 cells of 10 m)
    assert shares["width"] == pytest.approx(1 - 2 * third, abs=0.01)
    assert shares["incline"] == pytest.approx(1 - third, abs=0.01)
    assert shares["surface"] == 1.0
    assert shares["kerb"] == 0.5  # one of the two kerbs has a known height
    assert "lit" not in shares  # lighting does not matter to this profile
    weights = {name: WEIGHTS[name][1] for name in shares if shares[name] is not None}
    expected = sum(weights[n] * shares[n] for n in weights) / sum(weights.values())
    assert summary["confidence"] == pytest.approx(expected, abs=1e-4)
    assert 0.0 < summary["confidence"] < 1.0  # neither all-or-nothing


def test_a_kerb_weighs_more_than_lighting() -> None:
    unknown_kerbs = confidence(known_shares(100.0, {"lit": 0.0}, {"kerb": (2, 2)}))
    unlit_unknown = confidence(known_shares(100.0, {"lit": 100.0}, {"kerb": (2, 0)}))
    assert unknown_kerbs < unlit_unknown


def test_nothing_that_matters_on_the_route_is_full_confidence(tmp_path: Path) -> None:
    world = World(SKETCH, ways={"abcd": {"highway": "footway"}})
    graph = world.graph(tmp_path)
    summary = _answer(world, graph, "pedestrian")["summary"]
    assert summary["confidence"] == 1.0
    # step counts matter to a walker with a step limit, but this route has no steps
    assert summary["known_share"] == {"step_count": None}


def test_ascent_is_unknown_where_no_incline_is_known(tmp_path: Path) -> None:
    world = World(SKETCH, ways={"abcd": {"highway": "footway"}})
    graph = world.graph(tmp_path)
    summary = _answer(world, graph, "pedestrian")["summary"]
    assert summary["ascent_m"] is None
    assert summary["descent_m"] is None
    known = World(SKETCH, ways={"abcd": {"highway": "footway", "incline": "5%"}})
    summary = _answer(known, known.graph(tmp_path), "pedestrian")["summary"]
    assert summary["ascent_m"] == pytest.approx(0.05 * summary["length_m"], abs=0.5)
    assert summary["descent_m"] == 0.0


@pytest.mark.slow
def test_sample_city_wheelchair_confidences_are_spread(sample_graph: Graph) -> None:
    """On the sample city the confidence of wheelchair routes now spans a range instead of
    sitting at 0 %: it tells routes apart."""
    rng = np.random.default_rng(20261203)
    lon, lat = sample_graph.node("lon"), sample_graph.node("lat")
    values = []
    for a, b in rng.integers(0, sample_graph.n_nodes, size=(60, 2)):
        answer = stepfree.route(
            (float(lat[a]), float(lon[a])),
            (float(lat[b]), float(lon[b])),
            "manual_wheelchair",
            graph=sample_graph,
            at="2026-06-01T12:00",
        )
        if answer["route"] is not None and answer["summary"]["length_m"] > 100:
            values.append(answer["summary"]["confidence"])
    assert len(values) >= 10
    assert np.mean(np.array(values) == 0.0) < 0.2
    assert np.ptp(values) > 0.1

"""Tactile paving readings in routing terms: a blind person's profile (which needs tactile paving
at crossings) takes ``contrasted`` paving for paving and never ``primitive`` paving.

The world has a short way s-x-t over a crossing node x and a longer detour s-p-q-t without a
crossing: the blind preset avoids crossings without tactile paving.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import stepfree

from worlds import World

SKETCH = """
s--x--t
|     |
p-----q
"""
WAY = {"highway": "footway", "surface": "asphalt", "width": "2", "incline": "0"}


def _ways_taken(tactile: str, tmp_path: Path) -> tuple[list[int], World]:
    world = World(
        SKETCH,
        ways={"sxt": dict(WAY), "spqt": dict(WAY)},
        nodes={"x": {"highway": "crossing", "crossing": "marked", "tactile_paving": tactile}},
    )
    graph = world.graph(tmp_path)
    s, t = world.positions()["s"], world.positions()["t"]
    answer = stepfree.route((s[1], s[0]), (t[1], t[0]), "blind", graph=graph)
    assert answer["route"] is not None
    return answer["osm_way_ids"], world


@pytest.mark.parametrize("value", ["yes", "contrasted"])
def test_tactile_paving_is_taken(value: str, tmp_path: Path) -> None:
    ways, world = _ways_taken(value, tmp_path)
    assert ways == [world.way_id("sxt")]


@pytest.mark.parametrize("value", ["no", "primitive", "incorrect"])
def test_no_standard_tactile_paving_is_avoided(value: str, tmp_path: Path) -> None:
    ways, world = _ways_taken(value, tmp_path)
    assert ways == [world.way_id("spqt")]

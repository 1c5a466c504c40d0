"""Safety on real data: wheelchair routes never use steps, wheelchair=no ways or raised kerbs.

For every extract in ../shared/data/osm, 200 seeded random origin-destination pairs are routed
with the manual and powered wheelchair presets; every way and node of every route found is
checked against the raw attributes (not against the rules that built the costs).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import stepfree
from stepfree.attributes import Highway, Kerb, Tri, Wheelchair
from stepfree.costing.rules import kerb_height_m
from stepfree.errors import NoUsableWay
from stepfree.graph.model import directed_incline_pct
from stepfree.profiles.model import preset
from stepfree.routing.router import Router
from stepfree.routing.walk import pieces

from conftest import SHARED_DATA

EXTRACTS = sorted(p.name for p in SHARED_DATA.glob("osm/*.osm.pbf")) or ["(absent)"]
PAIRS = 200


@pytest.mark.slow
@pytest.mark.parametrize("extract", EXTRACTS)
@pytest.mark.parametrize("name", ["manual_wheelchair", "powered_wheelchair"])
def test_wheelchair_routes_are_safe(extract: str, name: str, tmp_path: Path) -> None:
    source = SHARED_DATA / "osm" / extract
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared real-data folder beside the repository)")
    graph = stepfree.build_graph(source)
    router = Router(graph)
    profile = preset(name)
    costs = router.costs(profile, router.context(profile, None))
    rng = np.random.default_rng(20261127)
    nodes = rng.integers(0, graph.n_nodes, size=(PAIRS, 2))
    lon, lat = graph.node("lon"), graph.node("lat")
    highway, wheelchair = graph.edge("highway"), graph.edge("wheelchair")
    ramp = (graph.edge("ramp_wheelchair") == Tri.YES) | np.isin(
        wheelchair, [Wheelchair.YES, Wheelchair.DESIGNATED]
    )
    kerb, height = graph.node("kerb"), kerb_height_m(graph)
    grade = directed_incline_pct(graph)
    found = 0
    for a, b in nodes:
        try:
            start = router.endpoint(float(lat[a]), float(lon[a]), costs, "origin")
            end = router.endpoint(float(lat[b]), float(lon[b]), costs, "destination")
        except NoUsableWay:
            continue
        path = router.search(start, end, costs)
        if path is None:
            continue
        found += 1
        for piece in pieces(router, path):
            edge = piece.edge
            assert highway[edge] != Highway.STEPS or ramp[edge], f"steps on way {edge}"
            assert wheelchair[edge] != Wheelchair.NO, f"wheelchair=no way {edge}"
            if piece.share > 0 and not np.isnan(grade[piece.entry]):
                assert grade[piece.entry] <= profile.mobility.max_incline_up_pct + 1e-6
                assert -grade[piece.entry] <= profile.mobility.max_incline_down_pct + 1e-6
            if piece.node >= 0:
                assert kerb[piece.node] != Kerb.RAISED or height[piece.node] <= (
                    profile.mobility.max_kerb_height_m
                ), f"raised kerb at node {piece.node}"
                assert not height[piece.node] > profile.mobility.max_kerb_height_m
    assert found > 0, "no pair had a route: the test would prove nothing"

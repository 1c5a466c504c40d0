"""Live closures (the overlay) change routes at once, by profile and by time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from stepfree.costing.overlay import Closure, Overlay
from stepfree.profiles.model import preset
from stepfree.routing.narration.answer import answer
from stepfree.routing.router import Router

from worlds import World

CLEAN = {"highway": "footway", "surface": "asphalt", "incline": "0", "width": "2"}
WORLD = World(
    """
    s--x--t
    |     |
    p-----q
    """,
    ways={"sx": dict(CLEAN), "xt": dict(CLEAN), "spqt": dict(CLEAN)},
)


def _ends() -> tuple[tuple[float, float], tuple[float, float]]:
    s, t = WORLD.positions()["s"], WORLD.positions()["t"]
    return (s[1], s[0]), (t[1], t[0])


def _router(
    tmp_path: Path,
    kind: str,
    start: datetime | None = None,
    until: datetime | None = None,
    on_edge: bool = False,
) -> Router:
    graph = WORLD.graph(tmp_path)
    router = Router(graph)
    none = np.array([], dtype=np.int64)
    place = np.array([WORLD.edge(graph, "s", "x") if on_edge else WORLD.node(graph, "x")])
    edges, nodes = (place, none) if on_edge else (none, place)
    closure = Closure(7, kind, edges, nodes, start, until)
    router.overlay = Overlay((closure,), version="v1")
    return router


def test_construction_blocks_everyone_and_is_listed(tmp_path: Path) -> None:
    router = _router(tmp_path, "construction")
    origin, destination = _ends()
    result = answer(router, origin, destination, preset("pedestrian"))
    assert WORLD.way_id("spqt") in result["osm_way_ids"]
    assert result["reports"] == [{"report_id": 7, "type": "construction", "effect": "forbid"}]


def test_snow_forbids_wheeled_and_only_penalises_walkers(tmp_path: Path) -> None:
    router = _router(tmp_path, "snow_ice", on_edge=True)
    origin, destination = _ends()
    walker = answer(router, origin, destination, preset("pedestrian"))
    wheel = answer(router, origin, destination, preset("manual_wheelchair"))
    # 30 m of snow counts double for a walker: 90 m, still shorter than the 140 m detour
    assert WORLD.way_id("sx") in walker["osm_way_ids"]
    assert WORLD.way_id("spqt") in wheel["osm_way_ids"]
    assert wheel["reports"][0]["effect"] == "forbid"


def test_validity_window_follows_the_time_of_travel(tmp_path: Path) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    router = _router(tmp_path, "construction", start, datetime(2030, 1, 4, tzinfo=UTC))
    origin, destination = _ends()
    now = answer(router, origin, destination, preset("pedestrian"))
    during = answer(
        router,
        origin,
        destination,
        preset("pedestrian"),
        at=datetime(2030, 1, 2, 12, 0, tzinfo=UTC),
    )
    after = answer(
        router, origin, destination, preset("pedestrian"), at=datetime(2030, 1, 5, tzinfo=UTC)
    )
    assert WORLD.way_id("sx") in now["osm_way_ids"]
    assert WORLD.way_id("spqt") in during["osm_way_ids"]
    assert WORLD.way_id("sx") in after["osm_way_ids"]


def test_blocked_by_names_the_report(tmp_path: Path) -> None:
    graph = WORLD.graph(tmp_path)
    router = Router(graph)
    none = np.array([], dtype=np.int64)
    closures = (
        Closure(1, "construction", none, np.array([WORLD.node(graph, "x")])),
        Closure(2, "construction", np.array([WORLD.edge(graph, "s", "t")]), none),
    )
    router.overlay = Overlay(closures, version="v2")
    origin, destination = _ends()
    result = answer(router, origin, destination, preset("pedestrian"))
    assert result["route"] is None
    assert {item.get("report_id") for item in result["blocked_by"]} & {1, 2}
    assert result["relax"] == []

"""Valhalla's side of the routing benchmark (runs in ``benchmarks/.venv-peers``).

Usage::

    .venv-peers/bin/python benchmarks/peer_route.py bench CONFIG PAIRS.json OUT.json
    .venv-peers/bin/python benchmarks/peer_route.py ways CONFIG SHAPES.json OUT.json

``bench`` makes one ``valhalla.Actor`` (Valhalla's Python binding: the same C++ actor its HTTP
service runs), warms up with the same untimed routes as stepfree's worker, then times
``/route`` for every pair with ``costing: pedestrian`` and ``costing_options.pedestrian.type``
``wheelchair`` and ``foot`` (narrative on, units km; wheelchair ``max_distance`` raised
from 10 to 100 km), then ``/isochrone`` (contours 5, 10 and
15 minutes, polygons, wheelchair type) from each origin. Requests are passed as JSON text and
answers parsed with ``json.loads`` inside the timed call, as a Python user gets them.

``ways`` asks ``/trace_attributes`` (``shape_match: walk_or_snap``) for the OSM way ids along
route shapes, so the differences report can name the ways Valhalla used.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

TYPES = {"manual_wheelchair": "wheelchair", "pedestrian": "foot"}
#: Valhalla's wheelchair type stops at 10 km of path by default (``max_distance``); raised to
#: the most it allows (the foot default), so long trips are searched as stepfree searches them.
MAX_DISTANCE_M = 100_000


def costing(kind: str) -> dict[str, Any]:
    """Pedestrian costing of a type; wheelchair trips may be as long as foot trips (100 km)."""
    options: dict[str, Any] = {"type": kind}
    if kind == "wheelchair":
        options["max_distance"] = MAX_DISTANCE_M
    return {"pedestrian": options}


def route_request(a: list[float], b: list[float], kind: str) -> str:
    return json.dumps(
        {
            "locations": [{"lat": a[0], "lon": a[1]}, {"lat": b[0], "lon": b[1]}],
            "costing": "pedestrian",
            "costing_options": costing(kind),
            "units": "km",
            "narrative": True,
            "language": "en-US",
        }
    )


def isochrone_request(origin: list[float]) -> str:
    return json.dumps(
        {
            "locations": [{"lat": origin[0], "lon": origin[1]}],
            "costing": "pedestrian",
            "costing_options": costing("wheelchair"),
            "contours": [{"time": 5}, {"time": 10}, {"time": 15}],
            "polygons": True,
        }
    )


def _error(error: Exception) -> str:
    text = str(error)
    try:  # the binding raises with Valhalla's JSON error body as the message
        body = json.loads(text)
        return f"{body.get('error_code', '?')}: {body.get('error', text)}"
    except ValueError:
        return text[:160]


def _route(actor: Any, a: list[float], b: list[float], kind: str) -> dict[str, Any]:
    request = route_request(a, b, kind)
    t0 = time.perf_counter()
    try:
        answer = json.loads(actor.route(request))
    except RuntimeError as error:
        return {"ms": 1000 * (time.perf_counter() - t0), "found": False, "error": _error(error)}
    ms = 1000 * (time.perf_counter() - t0)
    trip = answer["trip"]
    legs = trip["legs"]
    return {
        "ms": ms,
        "found": True,
        "length_m": 1000.0 * trip["summary"]["length"],
        "duration_s": trip["summary"]["time"],
        "maneuvers": sum(len(leg.get("maneuvers", [])) for leg in legs),
        "shape": legs[0]["shape"] if len(legs) == 1 else None,
    }


def bench(config: Path, pairs_path: Path, out: Path) -> None:
    plan = json.loads(pairs_path.read_text(encoding="utf-8"))
    import valhalla  # here, so the project's harness can import the request builders

    t0 = time.perf_counter()
    actor = valhalla.Actor(str(config))
    load_s = time.perf_counter() - t0
    for kind in TYPES.values():
        for la, lo, lb, lob in plan["warmup"]:
            _route(actor, [la, lo], [lb, lob], kind)
    results: dict[str, Any] = {"load_s": load_s, "routes": {}, "isochrones": []}
    for name, kind in TYPES.items():
        rows = [_route(actor, [la, lo], [lb, lob], kind) for la, lo, lb, lob in plan["pairs"]]
        results["routes"][name] = rows
    for origin in plan["warmup"][: max(1, len(plan["warmup"]) // 4)]:
        _isochrone(actor, origin[:2])
    results["isochrones"] = [_isochrone(actor, origin) for origin in plan["origins"]]
    out.write_text(json.dumps(results), encoding="utf-8")


def _isochrone(actor: Any, origin: list[float]) -> dict[str, Any]:
    request = isochrone_request(origin)
    t0 = time.perf_counter()
    try:
        answer = json.loads(actor.isochrone(request))
    except RuntimeError as error:
        return {"ms": 1000 * (time.perf_counter() - t0), "found": False, "error": _error(error)}
    return {
        "ms": 1000 * (time.perf_counter() - t0),
        "found": True,
        "features": len(answer.get("features", [])),
    }


def ways(config: Path, shapes_path: Path, out: Path) -> None:
    """OSM way ids of the edges along each route shape."""
    import valhalla

    actor = valhalla.Actor(str(config))
    found = {}
    for key, (shape, kind) in json.loads(shapes_path.read_text(encoding="utf-8")).items():
        request = {
            "encoded_polyline": shape,
            "shape_match": "walk_or_snap",
            "costing": "pedestrian",
            "costing_options": costing(kind),
            "filters": {"attributes": ["edge.way_id", "edge.length"], "action": "include"},
        }
        try:
            answer = json.loads(actor.trace_attributes(json.dumps(request)))
            found[key] = [edge.get("way_id") for edge in answer.get("edges", [])]
        except RuntimeError as error:
            found[key] = {"error": _error(error)}
    out.write_text(json.dumps(found), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[1] in {"bench", "ways"}:
        (bench if argv[1] == "bench" else ways)(Path(argv[2]), Path(argv[3]), Path(argv[4]))
        return 0
    print("usage: peer_route.py bench|ways CONFIG IN.json OUT.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

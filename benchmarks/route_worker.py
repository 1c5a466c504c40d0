"""stepfree's side of the routing benchmark, run as a fresh process by ``bench_route.py``.

Usage (project interpreter)::

    .venv/bin/python benchmarks/route_worker.py bench GRAPH PAIRS.json OUT.json
    .venv/bin/python benchmarks/route_worker.py memory GRAPH OUT.json
    .venv/bin/python benchmarks/route_worker.py loop GRAPH PAIRS.json routes|isochrones SECONDS

``bench`` loads the graph once, prepares the cost landmark tables of the two profiles (as
``stepfree serve`` does for every preset at start), warms up with the same untimed routes the
Valhalla worker uses, then times, for every pair: the complete answer
(``stepfree.routing.narration.answer.answer``) for
``manual_wheelchair`` and ``pedestrian``, the wheelchair answer with a per-request override of
``max_kerb_height_m`` (a new value each time, so no cached costs hide the cost), and snapping
plus the search alone (no answer assembly). Then the 5/10/15-minute isochrones from each
origin (``stepfree._api.isochrone``). Times are ``time.perf_counter`` around the one call.

``memory`` measures what the loaded graph keeps resident (``/proc/self/status``) in a process
that does nothing else: after loading, after the first route, and with every array touched.

``loop`` answers routes (or isochrones) over and over for a sampling profiler.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import stepfree
from stepfree._api import isochrone, router_for
from stepfree.errors import NoUsableWay
from stepfree.profiles.model import preset, profile_from_request
from stepfree.routing.narration.answer import answer

#: Travel time of every request: a fixed summer noon, so winter rules and elevator hours are
#: the same from run to run (``at=None`` would mean "now").
AT = "2026-06-15T12:00"
PROFILES = ("manual_wheelchair", "pedestrian")
OVERRIDE_BASE_M = 0.03  # the preset's own kerb limit; each request adds a few micrometres
#: The override is timed on the first pairs only (its ratio to the preset is taken on the same
#: pairs), to keep the whole benchmark within its time budget.
OVERRIDE_PAIRS = 300


def _blocked(result: dict[str, Any]) -> list[str]:
    """What stepfree names as blocking a refused pair (attribute=value), deduplicated."""
    seen: list[str] = []
    for item in result.get("blocked_by", []):
        value = item.get("value")
        text = item["attribute"] if value is None else f"{item['attribute']}={value}"
        if text not in seen:
            seen.append(text)
    return seen[:4]


def _route_row(result: dict[str, Any], ms: float) -> dict[str, Any]:
    if result["route"] is None:
        return {"ms": ms, "found": False, "blocked": _blocked(result)}
    info = result["summary"]
    return {
        "ms": ms,
        "found": True,
        "length_m": info["length_m"],
        "duration_s": info["duration_s"],
        "confidence": info["confidence"],
        "instructions": len(result["instructions"]),
        "warnings": [w["code"] for w in result["warnings"]],
    }


def bench(graph_path: Path, pairs_path: Path, out: Path) -> dict[str, Any]:
    """Time routes, overrides, bare searches and isochrones on one graph."""
    from stepfree._api import parse_time

    plan = json.loads(pairs_path.read_text(encoding="utf-8"))
    at = parse_time(AT)
    started = time.perf_counter()
    graph = stepfree.load_graph(graph_path)
    router = router_for(graph)
    load_s = time.perf_counter() - started
    profiles = {name: preset(name) for name in PROFILES}
    # cost landmark tables, as `stepfree serve` prepares every preset's at start
    prepare_s = sum(router.prepare(profile, at) for profile in profiles.values())
    for profile in profiles.values():  # warm-up: costs, snapping index, code paths
        for la, lo, lb, lob in plan["warmup"]:
            answer(router, (la, lo), (lb, lob), profile, "en", at)
    results: dict[str, Any] = {
        "load_s": load_s,
        "prepare_s": prepare_s,
        "routes": {},
        "isochrones": [],
    }
    clock = time.perf_counter
    for name, profile in profiles.items():
        rows = []
        for la, lo, lb, lob in plan["pairs"]:
            t0 = clock()
            result = answer(router, (la, lo), (lb, lob), profile, "en", at)
            rows.append(_route_row(result, 1000 * (clock() - t0)))
        results["routes"][name] = rows
    rows = []
    for i, (la, lo, lb, lob) in enumerate(plan["pairs"][:OVERRIDE_PAIRS]):
        value = f"{OVERRIDE_BASE_M + (i + 1) * 1e-6:.6f}"  # never the same key twice
        t0 = clock()
        profile = profile_from_request("manual_wheelchair", {"max_kerb_height_m": value})
        result = answer(router, (la, lo), (lb, lob), profile, "en", at)
        rows.append(_route_row(result, 1000 * (clock() - t0)))
    results["routes"]["manual_wheelchair+override"] = rows
    results["search_only"] = _search_only(router, profiles["manual_wheelchair"], plan, at)
    for origin in plan["warmup"][: max(1, len(plan["warmup"]) // 4)]:
        _isochrone(origin[:2], graph)
    results["isochrones"] = [_isochrone(o, graph) for o in plan["origins"]]
    out.write_text(json.dumps(results), encoding="utf-8")
    return results


def _search_only(router: Any, profile: Any, plan: dict[str, Any], at: Any) -> list[float]:
    """Snap both ends and search, without describing the route (ms per pair; found or not)."""
    context = router.context(profile, at)
    costs = router.costs(profile, context)
    times = []
    for la, lo, lb, lob in plan["pairs"]:
        t0 = time.perf_counter()
        with contextlib.suppress(NoUsableWay):  # timed all the same
            router.search(
                router.endpoint(la, lo, costs, "origin"),
                router.endpoint(lb, lob, costs, "destination"),
                costs,
            )
        times.append(1000 * (time.perf_counter() - t0))
    return times


def _isochrone(origin: list[float], graph: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        result = isochrone(
            (origin[0], origin[1]), (5, 10, 15), "manual_wheelchair", None, AT, graph
        )
    except NoUsableWay as error:
        return {"ms": 1000 * (time.perf_counter() - t0), "found": False, "error": str(error)}
    ms = 1000 * (time.perf_counter() - t0)
    reached = [f["properties"].get("reached_length_m", 0.0) for f in result["features"]]
    return {"ms": ms, "found": True, "reached_length_m": reached}


def _status_kib() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "RssAnon", "RssFile"}:
            out[key] = int(value.split()[0])
    return out


def _array_bytes(values: dict[str, Any]) -> int:
    """Bytes of the numpy arrays among ``values`` (and in tuples of them)."""
    total = 0
    for value in values.values():
        items = value if isinstance(value, tuple) else (value,)
        total += sum(v.nbytes for v in items if isinstance(v, np.ndarray))
    return total


def memory(graph_path: Path, out: Path) -> dict[str, Any]:
    """Resident memory of the loaded graph, in stages (KiB from ``/proc/self/status``).

    ``loaded``: memory-mapped (pages come in on use); ``touched``: every array read once, so
    the whole file is resident (file-backed pages); ``costed``: the router's arrays and the
    wheelchair profile's costs (anonymous memory); ``routed``: after the first route, which
    adds numba's compiled search (loaded from its cache, a fixed amount) and scratch arrays.
    """
    base = _status_kib()
    graph = stepfree.load_graph(graph_path, verify=False)
    loaded = _status_kib()
    for array in graph.arrays.values():  # read every page once
        np.asarray(array).view(np.uint8).max(initial=0)
    touched = _status_kib()
    router = router_for(graph)
    profile = preset("manual_wheelchair")
    costs = router.costs(profile, router.context(profile, None))
    costed = _status_kib()
    lat, lon = graph.node("lat"), graph.node("lon")
    a, b = np.random.default_rng(0).integers(0, graph.n_nodes, size=2)
    answer(router, (float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b])), profile)
    routed = _status_kib()
    result = {
        "edges": graph.n_edges,
        "nodes": graph.n_nodes,
        "file_bytes": graph_path.stat().st_size,
        "array_bytes": int(sum(array.nbytes for array in graph.arrays.values())),
        "base_kib": base,
        "loaded_kib": loaded,
        "touched_kib": touched,
        "costed_kib": costed,
        "routed_kib": routed,
        "router_bytes": _array_bytes(vars(router)) + _array_bytes(vars(router.workspace)),
        "costs_bytes": _array_bytes(vars(costs)) + sum(rule.mask.nbytes for rule in costs.rules),
    }
    out.write_text(json.dumps(result), encoding="utf-8")
    return result


def loop(graph_path: Path, pairs_path: Path, kind: str, seconds: float) -> int:
    """Wheelchair answers (``routes``) or isochrones over the plan for ``seconds``: the
    steady state a sampling profiler watches."""
    plan = json.loads(pairs_path.read_text(encoding="utf-8"))
    graph = stepfree.load_graph(graph_path)
    router = router_for(graph)
    profile = preset("manual_wheelchair")
    from stepfree._api import parse_time

    at = parse_time(AT)
    router.prepare(profile, at)  # as in `bench`
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if kind == "routes":
            la, lo, lb, lob = plan["pairs"][done % len(plan["pairs"])]
            answer(router, (la, lo), (lb, lob), profile, "en", at)
        else:
            _isochrone(plan["origins"][done % len(plan["origins"])], graph)
        done += 1
    return done


def main(argv: list[str]) -> int:
    if len(argv) == 6 and argv[1] == "loop":
        print(loop(Path(argv[2]), Path(argv[3]), argv[4], float(argv[5])), "calls")
        return 0
    if len(argv) == 5 and argv[1] == "bench":
        bench(Path(argv[2]), Path(argv[3]), Path(argv[4]))
        return 0
    if len(argv) == 4 and argv[1] == "memory":
        memory(Path(argv[2]), Path(argv[3]))
        return 0
    print(__doc__.split("Usage")[1].split("``bench``")[0].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Where stepfree's and Valhalla's answers differ, with the reason when it can be found.

For each pair and profile (stepfree ``manual_wheelchair`` against Valhalla's ``wheelchair``
type, ``pedestrian`` against ``foot``) the answers fall in one category:

- ``same``: both found a route and their lengths are within 20 % of each other;
- ``only_valhalla``: stepfree refuses (its ``blocked_by`` says why), Valhalla routes;
- ``only_stepfree``: Valhalla refuses (its error says why), stepfree routes;
- ``stepfree_longer`` / ``valhalla_longer``: both route, lengths more than 20 % apart;
- ``neither``.

For a sample of the differing pairs, Valhalla's route is checked against stepfree's rules:
the OSM ways it walks (from ``/trace_attributes``) and the graph nodes on its shape (matched
by position within 0.5 m) are looked up in stepfree's graph, and every FORBID or AVOID rule of
the profile that applies to them is named (a raised kerb, steps, ``wheelchair=no``...).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import peers
from scipy.spatial import cKDTree

import stepfree
from stepfree._api import parse_time, router_for
from stepfree.attributes import Highway
from stepfree.geo import to_local_m
from stepfree.profiles.model import Policy, preset
from stepfree.routing.narration.answer import answer

HERE = Path(__file__).resolve().parent
APART = 0.20  # lengths more than this share apart (of the shorter) differ
MATCH_M = 0.5  # a shape vertex this close to a graph node is that node
PROFILES = {"manual_wheelchair": "wheelchair", "pedestrian": "foot"}
ORDER = ("only_valhalla", "only_stepfree", "stepfree_longer", "valhalla_longer")


def category(mine: dict, theirs: dict) -> str:
    if not mine["found"] and not theirs["found"]:
        return "neither"
    if not mine["found"]:
        return "only_valhalla"
    if not theirs["found"]:
        return "only_stepfree"
    a, b = mine["length_m"], theirs["length_m"]
    if abs(a - b) <= APART * max(min(a, b), 1.0):
        return "same"
    return "stepfree_longer" if a > b else "valhalla_longer"


def _reason_counts(rows: list[tuple[str, dict, dict]]) -> dict[str, Counter]:
    why: dict[str, Counter] = {"only_valhalla": Counter(), "only_stepfree": Counter()}
    for kind, mine, theirs in rows:
        if kind == "only_valhalla":
            why[kind][mine["blocked"][0] if mine.get("blocked") else "unknown"] += 1
        elif kind == "only_stepfree":
            why[kind][theirs.get("error", "unknown")] += 1
    return why


def decode6(shape: str) -> np.ndarray:
    """Valhalla's encoded polyline (precision 1e-6) as an (n, 2) array of lat, lon."""
    values, number, shift = [], 0, 0
    for char in shape:
        byte = ord(char) - 63
        number |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            values.append(~(number >> 1) if number & 1 else number >> 1)
            number, shift = 0, 0
    coords = np.cumsum(np.array(values, dtype=np.int64).reshape(-1, 2), axis=0)
    return coords / 1e6


def _rule_hits(costs: Any, entries: np.ndarray, nodes: np.ndarray) -> Counter:
    """``attribute (forbid|avoid)`` for every rule that applies to these entries or nodes."""
    hits: Counter = Counter()
    for rule in costs.rules:
        if rule.policy == Policy.ALLOW:
            continue
        where = entries if rule.level == "entry" else nodes
        count = int(rule.mask[where].sum()) if where.size else 0
        if count:
            hits[f"{rule.attribute} ({rule.policy.value})"] += count
    return hits


def _check_valhalla_route(
    graph: Any, costs: Any, tree: cKDTree, origin: tuple[float, float], shape: str, ways: Any
) -> dict[str, Any]:
    """Stepfree's rules that Valhalla's route breaks or meets.

    The shape's vertices that sit on graph nodes give the nodes passed and, between two
    consecutive ones, the directed way walked (so an incline rule reads the right sign).
    """
    lon0, lat0 = origin
    coords = decode6(shape)
    x, y = to_local_m(coords[:, 1], coords[:, 0], lon0, lat0)
    dist, index = tree.query(np.column_stack((x, y)))
    walked = index[dist <= MATCH_M]
    walked = walked[np.r_[True, walked[1:] != walked[:-1]]] if walked.size else walked
    nodes = np.unique(walked)
    indptr = np.asarray(graph.arrays["csr.indptr"])
    target = np.asarray(graph.arrays["csr.target"])
    found = []
    for a, b in zip(walked[:-1].tolist(), walked[1:].tolist(), strict=True):
        span = np.arange(indptr[a], indptr[a + 1])
        found.extend(span[target[span] == b].tolist())  # the directed way(s) from a to b
    entries = np.array(sorted(set(found)), dtype=np.int64)
    missing = 0
    if isinstance(ways, list):
        way_ids = {int(w) for w in ways if w is not None}
        edge_way = np.asarray(graph.edge("osm_way_id"))
        missing = len(way_ids - set(edge_way[np.isin(edge_way, list(way_ids))].tolist()))
    hits = _rule_hits(costs, entries, nodes)
    return {
        "rules": dict(hits.most_common(6)),
        "ways_not_in_stepfree": missing,
        "ways_error": ways.get("error") if isinstance(ways, dict) else None,
    }


def _stepfree_extra(graph: Any, result: dict, valhalla_ways: Any) -> dict[str, int]:
    """Highway types of the ways on stepfree's route that Valhalla's route does not use."""
    if result.get("route") is None or not isinstance(valhalla_ways, list):
        return {}
    theirs = {int(w) for w in valhalla_ways if w is not None}
    extra = [w for w in result["osm_way_ids"] if w not in theirs]
    edge_way = np.asarray(graph.edge("osm_way_id"))
    kinds: Counter = Counter()
    for way in set(extra):
        first = np.flatnonzero(edge_way == way)
        if first.size:
            kinds[Highway(int(graph.edge("highway")[first[0]])).name.lower()] += 1
    return dict(kinds.most_common(5))


def _samples(rows_by_profile: dict[str, list], limit: int) -> list[tuple[str, int, str]]:
    """Up to ``limit`` differing pairs: two thirds wheelchair, a third pedestrian (either
    fills the other's share when it has too few), taking each category in turn."""
    queues = {}
    for profile in PROFILES:
        queue: dict[str, list[int]] = {kind: [] for kind in ORDER}
        for i, (kind, _, _) in enumerate(rows_by_profile[profile]):
            if kind in queue:
                queue[kind].append(i)
        queues[profile] = queue

    def take(profile: str, count: int) -> list[tuple[str, int, str]]:
        out: list[tuple[str, int, str]] = []
        queue = queues[profile]
        while len(out) < count and any(queue.values()):
            for kind in ORDER:
                if queue[kind] and len(out) < count:
                    out.append((profile, queue[kind].pop(0), kind))
        return out

    walking = take("pedestrian", limit // 3)
    picked = take("manual_wheelchair", limit - len(walking))
    return picked + walking + take("pedestrian", limit - len(picked) - len(walking))


def _stepfree_meets(router: Any, costs: Any, pair: list[float]) -> dict[str, int]:
    """The profile's avoid rules that stepfree's own route meets (it pays for them)."""
    la, lo, lb, lob = pair
    try:
        path = router.search(
            router.endpoint(la, lo, costs, "origin"),
            router.endpoint(lb, lob, costs, "destination"),
            costs,
        )
    except LookupError:
        return {}
    if path is None:
        return {}
    target = np.asarray(router.graph.arrays["csr.target"])
    return dict(_rule_hits(costs, path.entries, target[path.entries]).most_common(6))


def differences(
    result: dict, plan: dict, graph_path: Path, config: Path | None, folder: Path, limit: int
) -> dict[str, Any]:
    """Categories per profile, reasons, and checked samples (empty without Valhalla)."""
    if "valhalla" not in result:
        return {}
    rows_by_profile = {}
    summary: dict[str, Any] = {}
    for profile in PROFILES:
        mine = result["stepfree"]["routes"][profile]
        theirs = result["valhalla"]["routes"][profile]
        rows = [(category(a, b), a, b) for a, b in zip(mine, theirs, strict=True)]
        rows_by_profile[profile] = rows
        why = _reason_counts(rows)
        summary[profile] = {
            "counts": dict(Counter(kind for kind, _, _ in rows)),
            "stepfree_blocked_by": dict(why["only_valhalla"].most_common()),
            "valhalla_errors": dict(why["only_stepfree"].most_common()),
        }
    picked = _samples(rows_by_profile, limit)
    shapes = {
        f"{profile}:{i}": (rows_by_profile[profile][i][2]["shape"], PROFILES[profile])
        for profile, i, _ in picked
        if rows_by_profile[profile][i][2].get("shape")
    }
    ways: dict[str, Any] = {}
    if shapes and config is not None:
        shapes_path, ways_path = folder / "diff-shapes.json", folder / "diff-ways.json"
        shapes_path.write_text(json.dumps(shapes), encoding="utf-8")
        done = subprocess.run(
            [str(peers.peer_python()), str(HERE / "peer_route.py"), "ways", str(config),
             str(shapes_path), str(ways_path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            ways = json.loads(ways_path.read_text(encoding="utf-8"))
    summary["samples"] = _checked_samples(picked, rows_by_profile, plan, graph_path, shapes, ways)
    return summary


def _checked_samples(
    picked: list, rows_by_profile: dict, plan: dict, graph_path: Path, shapes: dict, ways: dict
) -> list[dict[str, Any]]:
    if not picked:
        return []
    graph = stepfree.load_graph(graph_path, verify=False)
    router = router_for(graph)
    at = parse_time("2026-06-15T12:00")  # the workers' travel time
    lon0, lat0 = graph.meta["origin"]
    x, y = to_local_m(graph.node("lon"), graph.node("lat"), lon0, lat0)
    tree = cKDTree(np.column_stack((x, y)))
    out = []
    for profile, i, kind in picked:
        _, mine, theirs = rows_by_profile[profile][i]
        la, lo, lb, lob = plan["pairs"][i]
        chosen = preset(profile)
        costs = router.costs(chosen, router.context(chosen, at))
        sample: dict[str, Any] = {
            "profile": profile,
            "pair": i,
            "from": [la, lo],
            "to": [lb, lob],
            "category": kind,
            "stepfree": mine.get("length_m") if mine["found"] else {"blocked": mine["blocked"]},
            "valhalla": theirs.get("length_m") if theirs["found"] else theirs.get("error"),
        }
        key = f"{profile}:{i}"
        if key in shapes:
            sample["valhalla_meets"] = _check_valhalla_route(
                graph, costs, tree, (lon0, lat0), shapes[key][0], ways.get(key)
            )
            if kind == "valhalla_longer":
                result = answer(router, (la, lo), (lb, lob), chosen, "en", at)
                sample["stepfree_only_ways"] = _stepfree_extra(graph, result, ways.get(key))
        if mine["found"]:
            sample["stepfree_meets"] = _stepfree_meets(router, costs, plan["pairs"][i])
        out.append(sample)
    return out

"""The plain baseline a Python user would write: networkx on stepfree's edge list.

Usage (project interpreter; networkx is a dev dependency)::

    .venv/bin/python benchmarks/nx_worker.py route EDGES.npz PAIRS.json OUT.json MAX_S

``EDGES.npz`` holds stepfree's undirected edges (``u``, ``v``, ``length_m``) as
``bench_route.py`` exported them. The graph is a ``networkx.DiGraph`` with both directions of
every edge, weighted by seconds at 1.3 m/s (stepfree's pedestrian speed) and carrying the
length. ``route`` times ``networkx.dijkstra_path`` between the pairs' graph nodes (no
snapping: the pairs are graph nodes) until ``MAX_S`` seconds of routing have been spent.
The DiGraph's memory is measured as it is built: ``tracemalloc`` (Python objects) and the
resident-set growth (which includes tracemalloc's own bookkeeping, so it reads high).
"""

from __future__ import annotations

import itertools
import json
import sys
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np

SPEED_M_S = 1.3  # stepfree's pedestrian preset
WARMUP = 3  # untimed routes first (a pure-Python search has little to warm up)


def _edges(path: Path) -> tuple[list[int], list[int], list[float]]:
    data = np.load(path)
    return data["u"].tolist(), data["v"].tolist(), data["length_m"].astype(float).tolist()


def digraph(u: list[int], v: list[int], length: list[float]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for a, b, metres in zip(u, v, length, strict=True):
        weight = metres / SPEED_M_S
        graph.add_edge(a, b, weight=weight, length=metres)
        graph.add_edge(b, a, weight=weight, length=metres)
    return graph


def route(edges: Path, pairs_path: Path, out: Path, max_s: float) -> None:
    u, v, length = _edges(edges)
    before = _rss_kib()
    tracemalloc.start()
    t0 = time.perf_counter()
    graph = digraph(u, v, length)
    build_s = time.perf_counter() - t0
    traced, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    memory = {
        "edges": len(u),
        "directed_edges": graph.number_of_edges(),
        "nodes": graph.number_of_nodes(),
        "traced_bytes": traced,
        "rss_delta_kib": _rss_kib() - before,
        "build_s_traced": build_s,
    }
    plan = json.loads(pairs_path.read_text(encoding="utf-8"))
    for a, b in plan["warmup_nodes"][:WARMUP]:
        _one(graph, a, b)
    rows, spent = [], 0.0
    for a, b in plan["pair_nodes"]:
        if spent >= max_s:
            break
        row = _one(graph, a, b)
        spent += row["ms"] / 1000
        rows.append(row)
    out.write_text(json.dumps({"routes": rows, "memory": memory}), encoding="utf-8")


def _one(graph: nx.DiGraph, a: int, b: int) -> dict[str, object]:
    t0 = time.perf_counter()
    try:
        path = nx.dijkstra_path(graph, a, b, weight="weight")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return {"ms": 1000 * (time.perf_counter() - t0), "found": False}
    ms = 1000 * (time.perf_counter() - t0)
    length = sum(graph[x][y]["length"] for x, y in itertools.pairwise(path))
    return {"ms": ms, "found": True, "length_m": length}


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 6 and argv[1] == "route":
        route(Path(argv[2]), Path(argv[3]), Path(argv[4]), float(argv[5]))
        return 0
    print("usage: nx_worker.py route EDGES PAIRS OUT MAX_S", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

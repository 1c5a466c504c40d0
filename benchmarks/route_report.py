"""The ``route``, ``isochrone`` and ``memory`` sections of ``docs/benchmarks.md``, and the plot.

The ``differences`` section is written by ``diff_report.py``; both read the results of
``bench_route.py`` (``benchmarks/work/results/route.json``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path

import diff_report
import numpy as np

HERE = Path(__file__).resolve().parent
PROFILE_NAMES = {"manual_wheelchair": "wheelchair", "pedestrian": "pedestrian"}
VALHALLA_TYPE = {"manual_wheelchair": "`type: wheelchair`", "pedestrian": "`type: foot`"}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _ms(rows: list[dict]) -> list[float]:
    return [r["ms"] for r in rows]


def _dist(values: list[float], p99: bool = True) -> str:
    if not values:
        return "—"
    cells = [statistics.median(values), pct(values, 90)] + ([pct(values, 99)] if p99 else [])
    return " / ".join(f"{v:.1f}" if v < 100 else f"{v:.0f}" for v in cells)


def _share(rows: list[dict]) -> str:
    return f"{100 * sum(r['found'] for r in rows) / len(rows):.1f} %" if rows else "—"


def _ratio(mine: list[float], theirs: list[float]) -> str:
    if not mine or not theirs:
        return "—"
    return f"**{statistics.median(mine) / statistics.median(theirs):.2f}**"


def header(data: dict, what: str) -> list[str]:
    m, v = data["machine"], data["versions"]
    versions = ", ".join(f"{name} {version}" for name, version in v.items())
    return [
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), {m['memory']} memory, "
        f"{m['os']}, Python {m['python']}; commit `{m['commit']}`. Versions: {versions}. "
        f"Load average at the start and end of the run: {m['load']} and "
        f"{data['load_at_end']} (1, 5, 15 min; the machine is shared with other test runs, "
        f"so compare the tools within a run). The whole run took {data['seconds'] / 60:.1f} "
        f"min. {what}",
        "",
        f"Command: `{data['command']}`",
        "",
    ]


def _inputs_line(results: list[dict]) -> str:
    fewer = [r for r in results if r["pairs"] < max(x["pairs"] for x in results)]
    text = (
        "Pairs are drawn (seed "
        f"{results[0].get('seed', 1)}) from the nodes of the largest connected part of "
        "stepfree's graph, and given to both engines as the nodes' coordinates, so both snap "
        "onto the same spot of the same way; 20 more pairs are the untimed warm-up of both."
    )
    if fewer:
        text += " Fewer pairs on " + ", ".join(f"{r['name']} ({r['pairs']})" for r in fewer)
        text += " to keep `make bench` within its 20-minute budget."
    return text


def _prepare_line(results: list[dict]) -> str:
    timed = [
        (r["name"], r["stepfree"]["prepare_s"])
        for r in results
        if "prepare_s" in r.get("stepfree", {})
    ]
    if not timed:
        return ""
    return (
        " Before its warm-up, stepfree's router prepares the cost landmark tables of the two "
        "profiles (`Router.prepare`, as `stepfree serve` does for every preset when it "
        "starts; smaller graphs would also compute them on a profile's second search): "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timed)
        + "."
    )


def route_section(data: dict, plot: Path | None, report: Path) -> str:
    results = data["results"]
    peers_on = "valhalla" in data["versions"]
    lines = [
        "## Routes",
        "",
        *header(data, ""),
        "Each engine runs in its own fresh process, one after the other (which goes first "
        "alternates by input), graph or tiles loaded once, then warmed up with the same 20 "
        "untimed routes per profile. Each timed call is one `time.perf_counter` around the "
        "call a Python user makes: stepfree's "
        "`stepfree.routing.narration.answer.answer(router, from, to, profile, 'en', at)` "
        "(the complete answer the CLI and the service return; `at` is "
        "a fixed summer noon, 2026-06-15T12:00, so winter rules do not change between runs) "
        "and Valhalla's `valhalla.Actor(config).route(json)` with `costing: pedestrian`, "
        "`narrative: true`, `units: km`, its answer parsed with `json.loads`. "
        + _inputs_line(results)
        + _prepare_line(results),
        "",
    ]
    if not peers_on:
        lines += ["Valhalla was not run (`--no-peers`).", ""]
    for profile, label in PROFILE_NAMES.items():
        lines += [
            f"### {label.capitalize()}: stepfree `{profile}` against Valhalla "
            f"{VALHALLA_TYPE[profile]}",
            "",
            "Milliseconds per route, median / p90 / p99; *answered* is the share of pairs "
            "with a route.",
            "",
            "| input | graph nodes / edges | pairs | stepfree (ms) | answered | valhalla (ms) "
            "| answered | stepfree / valhalla (medians) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            mine = r["stepfree"]["routes"][profile]
            theirs = r.get("valhalla", {}).get("routes", {}).get(profile, [])
            lines.append(
                f"| {r['name']} | {r['graph_nodes']:,} / {r['graph_edges']:,} | {r['pairs']} | "
                f"{_dist(_ms(mine))} | {_share(mine)} | {_dist(_ms(theirs))} | "
                f"{_share(theirs)} | {_ratio(_ms(mine), _ms(theirs))} |"
            )
        lines.append("")
    lines += _override_table(results) + _baseline_table(results, data.get("nx_seconds", 15.0))
    if plot is not None:
        lines += [f"![Route and isochrone time against network size]({_rel(plot, report)})", ""]
    lines += _slower(results, "routes") + _profiles(data, "routes")
    return "\n".join(lines)


def _override_table(results: list[dict]) -> list[str]:
    lines = [
        "### Per-request overrides and the cost of the answer",
        "",
        "*Override*: the wheelchair answer with `max_kerb_height_m` set per request to a value "
        "never used before (0.030001, 0.030002, ... m), so the profile is validated and its "
        "costs computed for every request (no cache hit); timed on the first pairs and "
        "compared with the preset on the same pairs (target: at most 1.2). *Search only*: "
        "snapping both ends and the A* search with the preset's cached costs, without "
        "describing the route: the rest of the answer is the route's geometry, summary, "
        "confidence, guidance, warnings, the walking route for the detour factor and, for "
        "a refused pair, the explanation.",
        "",
        "| input | pairs | preset (ms, median) | override (ms, median) | override / preset "
        "| search only (ms, median) | answer / search only |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        over = _ms(r["stepfree"]["routes"]["manual_wheelchair+override"])
        preset = _ms(r["stepfree"]["routes"]["manual_wheelchair"])[: len(over)]
        full = _ms(r["stepfree"]["routes"]["manual_wheelchair"])
        search = r["stepfree"]["search_only"]
        lines.append(
            f"| {r['name']} | {len(over)} | {statistics.median(preset):.1f} | "
            f"{statistics.median(over):.1f} | {_ratio(over, preset)} | "
            f"{statistics.median(search):.2f} | "
            f"{statistics.median(full) / statistics.median(search):.1f} |"
        )
    return [*lines, ""]


def _baseline_table(results: list[dict], seconds: float) -> list[str]:
    lines = [
        "### A plain baseline: networkx",
        "",
        "`networkx.dijkstra_path` on a `DiGraph` of stepfree's edges (both directions, "
        "weight = length / 1.3 m/s), between the same pairs' graph nodes (no snapping, no "
        f"profile rules, no answer), until {seconds:g} s of routing per input; compared with "
        "stepfree's complete pedestrian answer on the same pairs. A ratio, not a competitor.",
        "",
        "| input | pairs timed | networkx (ms, median) | stepfree pedestrian answer (ms, "
        "median) | networkx / stepfree |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        nx_ms = _ms(r["networkx"]["routes"])
        mine = _ms(r["stepfree"]["routes"]["pedestrian"])[: len(nx_ms)]
        if not nx_ms:
            continue
        lines.append(
            f"| {r['name']} | {len(nx_ms)} | {statistics.median(nx_ms):.1f} | "
            f"{statistics.median(mine):.1f} | {_ratio(nx_ms, mine)} |"
        )
    return [*lines, ""]


def _slower(results: list[dict], key: str) -> list[str]:
    lines = []
    for r in results:
        if "valhalla" not in r:
            continue
        pairs = (
            [("wheelchair", "manual_wheelchair"), ("pedestrian", "pedestrian")]
            if key == "routes"
            else [("isochrones", None)]
        )
        for label, profile in pairs:
            mine = _ms(r["stepfree"]["routes"][profile] if profile else r["stepfree"][key])
            theirs = _ms(r["valhalla"]["routes"][profile] if profile else r["valhalla"][key])
            a, b = statistics.median(mine), statistics.median(theirs)
            if a > b:
                lines.append(f"- {r['name']}, {label}: {a / b:.1f}× ({a:.1f} vs {b:.1f} ms)")
    if not lines:
        return []
    return ["### Where stepfree is slower than Valhalla", "", *lines, ""]


def _profiles(data: dict, kind: str) -> list[str]:
    lines = []
    for p in data.get("profiles", []):
        if p["kind"] != kind:
            continue
        title = "route answers" if kind == "routes" else "isochrones"
        if "error" in p:
            lines += [f"### Where stepfree's {title} spend their time", "", p["error"], ""]
            continue
        calls = f"{p['calls']} calls, " if p.get("calls") else ""
        lines += [
            f"### Where stepfree's {title} spend their time",
            "",
            f"py-spy on {p['input']}, where the gap to Valhalla is widest ({calls}"
            f"{p['samples']:,} samples at 100 Hz, "
            f"including the graph load): `{p['command']}`. Own time includes the C code "
            "(numpy, shapely/GEOS, numba kernels) that a Python function calls directly.",
            "",
            "| inclusive: function | s | share | own: function | s | share |",
            "|---|---:|---:|---|---:|---:|",
        ]
        inclusive = [r for r in p["by_inclusive"] if "route_worker.py" not in r["function"]]
        for a, b in zip(inclusive[:12], p["by_own"][:12], strict=False):
            lines.append(
                f"| `{a['function']}` | {a['seconds']:.1f} | {a['share']:.0%} | "
                f"`{b['function']}` | {b['seconds']:.1f} | {b['share']:.0%} |"
            )
        lines.append("")
    return lines


def isochrone_section(data: dict) -> str:
    results = data["results"]
    lines = [
        "## Isochrones",
        "",
        *header(data, ""),
        "5, 10 and 15 minutes from seeded origins (graph nodes of the largest connected "
        "part), wheelchair: stepfree's `stepfree._api.isochrone(origin, (5, 10, 15), "
        "'manual_wheelchair', at=...)` (a GeoJSON FeatureCollection of nested polygons built "
        "from the reached ways, buffered 25 m) against Valhalla's `Actor.isochrone` with "
        "`contours` 5, 10, 15 minutes, `polygons: true`, `costing: pedestrian`, "
        "`type: wheelchair` (`max_distance` 100 km). Same process model and warm-up (5 "
        "untimed isochrones) as routes. The two draw different shapes from the same kind of "
        "search: stepfree computes at each node of a 10 m grid the distance to the nearest "
        "way reached and traces where it is 25 m (compiled marching squares), so its "
        "polygons follow the network; Valhalla writes the arrival times onto a grid and "
        "traces contour lines through it, then generalises them.",
        "",
        "| input | origins | stepfree (ms, median / p90) | answered | valhalla (ms, median / "
        "p90) | answered | stepfree / valhalla |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        mine = r["stepfree"]["isochrones"]
        theirs = r.get("valhalla", {}).get("isochrones", [])
        lines.append(
            f"| {r['name']} | {len(mine)} | {_dist(_ms(mine), False)} | {_share(mine)} | "
            f"{_dist(_ms(theirs), False)} | {_share(theirs)} | {_ratio(_ms(mine), _ms(theirs))} |"
        )
    lines.append("")
    lines += _slower(results, "isochrones") + _profiles(data, "isochrones")
    return "\n".join(lines)


def _jit_mib(m: dict) -> float:
    return (m["routed_kib"]["VmRSS"] - m["costed_kib"]["VmRSS"]) / 1024


def memory_section(data: dict) -> str:
    jit = statistics.median(_jit_mib(r["memory"]["stepfree"]) for r in data["results"])
    lines = [
        "## Memory of the loaded graph",
        "",
        *header(data, ""),
        "Bytes per stepfree edge (one undirected way segment; the networkx graph holds both "
        "directions of each). stepfree, in a fresh process that does nothing else, read from "
        "`/proc/self/status` after `import stepfree` and each stage: the file memory-mapped "
        "by `load_graph` (pages come in on use), every array read once (the whole file "
        "resident: file-backed pages, shared between processes and dropped under memory "
        "pressure), then the router and the wheelchair profile's costs (private memory; "
        "measured, and counted as the bytes of their numpy arrays). The first route adds "
        "numba's compiled search, loaded from its on-disk cache: a fixed amount (median "
        f"{jit:.0f} MiB here), not per edge, left out of the table. networkx: a `DiGraph` "
        "with `weight` and `length` on each directed edge, built from the same edge list, "
        "measured with `tracemalloc` (its Python objects) and the resident growth while it "
        "was built (which includes tracemalloc's own bookkeeping).",
        "",
        "| input | edges | graph file | resident after load | all arrays resident | "
        "+ router and costs (RSS) | router and costs (arrays) | networkx (tracemalloc) | "
        "networkx (RSS) | networkx / stepfree (file + router + costs) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data["results"]:
        m, nx = r["memory"]["stepfree"], r["memory"]["networkx"]
        edges = m["edges"]

        def delta(stage: str, since: str, m: dict = m) -> float:
            return 1024 * (m[stage]["VmRSS"] - m[since]["VmRSS"])

        ours = m["file_bytes"] + m["router_bytes"] + m["costs_bytes"]
        lines.append(
            f"| {r['name']} | {edges:,} | {m['file_bytes'] / edges:.0f} | "
            f"{delta('loaded_kib', 'base_kib') / edges:.0f} | "
            f"{delta('touched_kib', 'base_kib') / edges:.0f} | "
            f"{delta('costed_kib', 'touched_kib') / edges:.0f} | "
            f"{(m['router_bytes'] + m['costs_bytes']) / edges:.0f} | "
            f"{nx['traced_bytes'] / edges:.0f} | {1024 * nx['rss_delta_kib'] / edges:.0f} | "
            f"**{nx['traced_bytes'] / ours:.1f}** |"
        )
    lines += [
        "",
        "Small graphs read noisy per edge in the resident columns: the resident set grows in "
        "whole pages and allocator arenas.",
    ]
    return "\n".join(lines)


def _rel(plot: Path, report: Path) -> str:
    return os.path.relpath(plot, report.parent)


def sections(data: dict, plot: Path | None, report: Path) -> dict[str, str]:
    """The Markdown of each section this part of the harness owns."""
    return {
        "route": route_section(data, plot, report),
        "isochrone": isochrone_section(data),
        "memory": memory_section(data),
        "differences": diff_report.section(data),
    }


def plot(results_json: Path, png: Path, peer_python: Path) -> Path | None:
    """Route and isochrone time against network size (matplotlib from the peer venv)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(peer_python), str(HERE / "plot_route.py"), str(results_json), str(png)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"bench_route: plot failed: {done.stderr.strip()[-300:]}")
        return None
    return png

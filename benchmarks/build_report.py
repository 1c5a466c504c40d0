"""The ``build`` section of ``docs/benchmarks.md`` and its plot, from the harness's results."""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path

from benchlib import spread

HERE = Path(__file__).resolve().parent

COMPUTES = """\
What each side computes:

- **stepfree** (`stepfree build FILE -o OUT`, the project's console script) reads the file with
  pyosmium in three filtered passes, keeps only the pedestrian network, normalises the
  accessibility tags (kerbs, crossings, signals, steps, ramps, surfaces, smoothness, inclines,
  widths, lighting, elevators, barriers) and writes one memory-mappable graph file: node and
  edge attribute arrays, edge geometry, CSR adjacency and a spatial grid for snapping.
- **Valhalla** (`valhalla_build_tiles -c config.json -j 1 FILE`, the executable shipped in the
  `pyvalhalla-weekly` wheel, config from Valhalla's own `get_config`) builds routable tiles
  for all modes (car, bicycle, pedestrian) in every stage from `initialize` to `cleanup`:
  parsing, graph construction, enhancement, hierarchy levels, shortcuts, restrictions and
  validation. Admin, time zone, landmark and elevation databases are absent, so those lookups
  are skipped (Valhalla warns and goes on); stepfree has none of them either.

The two do different amounts of work: Valhalla builds a multimodal routing graph, stepfree a
pedestrian graph with more attributes per edge. The ratio says what a user waits for, not which
code is better."""


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if "error" not in r]
    return statistics.median(values) if values else None


def _cell(runs: list[dict], key: str, digits: int) -> str:
    if any("error" in r for r in runs):
        return "failed: " + next(r["error"] for r in runs if "error" in r)[:80]
    return spread([r[key] for r in runs], digits)


def _ratio(item: dict, key: str) -> str:
    mine = _median(item["runs"]["stepfree"], key)
    theirs = _median(item["runs"]["valhalla"], key)
    if mine is None or not theirs:
        return "—"
    return f"{mine / theirs:.2f}"


def _time_table(results: list[dict]) -> list[str]:
    lines = [
        "| input | nodes | ways | runs | stepfree (s) | valhalla (s) | stepfree / valhalla "
        "| same, CPU time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in results:
        lines.append(
            f"| {item['name']} | {item['nodes']:,} | {item['ways']:,} | "
            f"{item['repetitions']} | {_cell(item['runs']['stepfree'], 'wall_s', 2)} | "
            f"{_cell(item['runs']['valhalla'], 'wall_s', 2)} | "
            f"{_ratio(item, 'wall_s')} | {_ratio(item, 'cpu_s')} |"
        )
    return lines


def _memory_table(results: list[dict]) -> list[str]:
    lines = [
        "| input | stepfree (MiB) | valhalla (MiB) | stepfree / valhalla |",
        "|---|---:|---:|---:|",
    ]
    for item in results:
        lines.append(
            f"| {item['name']} | {_cell(item['runs']['stepfree'], 'maxrss_mib', 0)} | "
            f"{_cell(item['runs']['valhalla'], 'maxrss_mib', 0)} | "
            f"{_ratio(item, 'maxrss_mib')} |"
        )
    return lines


def _output_table(results: list[dict]) -> list[str]:
    lines = [
        "| input | stepfree graph nodes / edges | graph file (MiB) | stepfree CPU (s) | "
        "valhalla tiles (files, MiB) | valhalla CPU (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for item in results:
        mine = [r for r in item["runs"]["stepfree"] if "error" not in r]
        theirs = [r for r in item["runs"]["valhalla"] if "error" not in r]
        graph = (
            (
                f"{mine[0]['graph_nodes']:,} / {mine[0]['graph_edges']:,} | "
                f"{mine[0]['graph_bytes'] / 2**20:.1f}"
            )
            if mine
            else "— | —"
        )
        tiles = f"{theirs[0]['tiles']}, {theirs[0]['tile_bytes'] / 2**20:.1f}" if theirs else "—"
        lines.append(
            f"| {item['name']} | {graph} | {_cell(mine, 'cpu_s', 2) if mine else '—'} | "
            f"{tiles} | {_cell(theirs, 'cpu_s', 2) if theirs else '—'} |"
        )
    return lines


def _slower(results: list[dict]) -> list[str]:
    lines = []
    for item in results:
        for key, what in (("wall_s", "time"), ("maxrss_mib", "peak memory")):
            mine = _median(item["runs"]["stepfree"], key)
            theirs = _median(item["runs"]["valhalla"], key)
            if mine and theirs and mine > theirs:
                unit, digits = ("s", 2) if key == "wall_s" else ("MiB", 0)
                lines.append(
                    f"- {item['name']}: {what} {mine / theirs:.1f}× Valhalla's "
                    f"({mine:.{digits}f} vs {theirs:.{digits}f} {unit})"
                )
    return lines


def _load(load: dict | None) -> list[str]:
    if not load:
        return []
    on, off = load["verified"], load["unverified"]
    return [
        "### Loading a graph",
        "",
        f"`stepfree.load_graph` on the {load['label']} graph ({load['nodes']:,} nodes, "
        f"{load['edges']:,} edges), warm (one untimed load first), {load['repeats']} loads "
        f"each: median **{on['median_ms']:.2f} ms** [{on['min_ms']:.2f}–{on['max_ms']:.2f}] "
        "as called by default (it memory-maps the file and checks the CRC32 of all its data, "
        f"so this grows with the file), {off['median_ms']:.2f} ms "
        f"[{off['min_ms']:.2f}–{off['max_ms']:.2f}] with `verify=False`. "
        f"The file is {load['file_bytes']:,} bytes: **{load['bytes_per_edge']:.0f} bytes per "
        f"edge** ({load['array_bytes_per_edge']:.0f} bytes per edge of arrays; the file adds "
        "its header, string table and alignment).",
        "",
    ]


def _profile(profile: dict | None) -> list[str]:
    if not profile:
        return []
    if "error" in profile:
        return [
            "### Where stepfree's build time goes",
            "",
            f"Profiling failed: {profile['error']}",
            "",
        ]
    how = (
        f"{profile['tool']}, {profile['samples']:,} samples at 100 Hz"
        if profile["samples"]
        else profile["tool"]
    )
    lines = [
        "### Where stepfree's build time goes",
        "",
        f"Profile of `stepfree build` on the {profile['input']} city ({how}; "
        f"{profile['total_s']:.1f} s profiled, {profile['wall_s']:.1f} s wall under the "
        f"profiler): `{profile['command']}`. Own time includes the C code (pyosmium, numpy) "
        "that a Python function calls directly.",
        "",
        "Inclusive (a function and everything it calls; frames in every sample left out):",
        "",
        "| function | seconds | share |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| `{r['function']}` | {r['seconds']:.1f} | {r['share']:.0%} |"
        for r in profile["by_inclusive"]
    ]
    lines += ["", "Own time:", "", "| function | seconds | share |", "|---|---:|---:|"]
    lines += [
        f"| `{r['function']}` | {r['seconds']:.1f} | {r['share']:.0%} |" for r in profile["by_own"]
    ]
    return [*lines, ""]


def section(data: dict, plot: Path | None, report: Path) -> str:
    """The Markdown of the build section."""
    m, v = data["machine"], data["versions"]
    results = data["results"]
    peers_on = "valhalla" in v
    versions = ", ".join(f"{name} {version}" for name, version in v.items())
    lines = [
        "## Build",
        "",
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), {m['memory']} memory, "
        f"{m['os']}, Python {m['python']}; commit `{m['commit']}`. Versions: {versions}. "
        f"Load average when the run started: {m.get('load', '?')} (1, 5, 15 min; the "
        "machine may be shared, so compare the two tools within a run, not across runs).",
        "",
        f"Command: `{data['command']}`",
        "",
        f"Threads: {data['threads']}. Each input is built by each tool as a child process, "
        "alternating the tools and which goes first; time is wall-clock, memory the child's "
        "peak resident set (`ru_maxrss` from `os.wait4`, forked from a small helper "
        f"interpreter: a command that does nothing reads {data['rss_floor_mib']:.0f} MiB). "
        "Figures are median [min–max] over "
        "the runs; inputs of 10^6 nodes and more are built once.",
        "",
    ]
    if not peers_on:
        lines += ["Valhalla was not run (`--no-peers`).", ""]
    lines += [
        COMPUTES,
        "",
        "### Build time",
        "",
        "Wall-clock seconds; the last column compares CPU time (user + system), which a busy "
        "machine disturbs less.",
        "",
        *_time_table(results),
        "",
        "### Peak memory",
        "",
        *_memory_table(results),
        "",
        "### What came out",
        "",
        *_output_table(results),
        "",
    ]
    synthetic = [r for r in results if r["kind"] == "synthetic"]
    if synthetic:
        lines += [
            "Synthetic cities come from `benchmarks/synth.py` (seed "
            f"{synthetic[0]['seed']}; see `benchmarks/synth_tags.py` for the measured tag "
            "shares); generating them took "
            + ", ".join(f"{r['generate_s']:.1f} s ({r['name']})" for r in synthetic)
            + ".",
            "",
        ]
    if plot is not None:
        rel = os.path.relpath(plot, report.parent)
        lines += [f"![Build time against input size]({rel})", ""]
    slower = _slower(results) if peers_on else []
    if slower:
        lines += ["### Where stepfree is slower or larger than Valhalla", "", *slower, ""]
    lines += _load(data.get("load")) + _profile(data.get("profile"))
    return "\n".join(lines)


def plot(results_json: Path, png: Path, peer_python: Path) -> Path | None:
    """Draw build time against input size with matplotlib from the peer virtualenv."""
    png.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(peer_python), str(HERE / "plot_build.py"), str(results_json), str(png)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"bench_build: plot failed: {done.stderr.strip()[-300:]}")
        return None
    return png

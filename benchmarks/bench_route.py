"""Routing, isochrone and memory benchmark: stepfree against Valhalla's Python ``Actor``.

Run with the project's interpreter (Valhalla runs from ``benchmarks/.venv-peers``)::

    .venv/bin/python benchmarks/bench_route.py                  # extracts + 1e4, 1e5, 2e6
    .venv/bin/python benchmarks/bench_route.py --sizes 1e4 --no-extracts
    .venv/bin/python benchmarks/bench_route.py --quick --no-peers   # 1e3 city, stepfree only

For each input (every ``../shared/data/osm/*.osm.pbf`` and synthetic cities) it draws seeded
pairs of graph nodes (1,000; fewer from 10^6 nodes, see ``--large-pairs``) and isochrone
origins (100), then runs, one fresh process each and one after the other (alternating which
goes first): stepfree's worker (``route_worker.py``), Valhalla's (``peer_route.py``) and the
networkx baseline (``nx_worker.py``). Then the memory of the loaded graph, the differences
between the answers, and, where stepfree is slower, a py-spy profile. Results go to the
``route``, ``isochrone``, ``memory`` and ``differences`` sections of ``docs/benchmarks.md``,
``docs/bench_route.png`` and ``benchmarks/work/results/route.json``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time
from pathlib import Path

import bench_build
import benchlib
import peers
import route_diffs
import route_inputs
import route_profile
import route_report

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LARGE_FROM = 1_000_000  # inputs of this many nodes (nominal) get --large-pairs pairs
#: Synthetic cities routed on. The routing issue asks for a city of at least a million nodes:
#: 2e6 OSM nodes make 1.06 million graph nodes (the 1e6 city of the build benchmark has 0.53).
SIZES = (10_000, 100_000, 2_000_000)


def say(message: str) -> None:
    print(f"[bench_route {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _run(command: list[str], log: Path, what: str) -> benchlib.Run:
    run = benchlib.run_measured(command, log)
    if run.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {run.returncode}): {benchlib.log_tail(log)}")
    return run


def measure(item: dict, index: int, args: argparse.Namespace, valhalla: bool) -> dict:
    """Everything measured on one input."""
    slug = route_inputs.slug(item)
    folder = args.work / "route" / slug
    folder.mkdir(parents=True, exist_ok=True)
    logs = args.work / "logs"
    graph, graph_note = route_inputs.ensure_graph(item, args.work)
    if graph_note:
        say(f"  {item['name']}: {graph_note}")
    config = route_inputs.ensure_tiles(item, args.work) if valhalla else None
    large = item.get("target_nodes", item["nodes"]) >= LARGE_FROM
    n_pairs = min(args.pairs, args.large_pairs) if large else args.pairs
    plan_path = folder / "plan.json"
    plan = route_inputs.make_plan(graph, n_pairs, args.origins, args.seed, plan_path)
    edges = route_inputs.export_edges(graph, folder / "edges.npz")
    outputs = {name: folder / f"{name}.json" for name in ("stepfree", "valhalla", "networkx")}
    commands = {
        "stepfree": [
            sys.executable,
            str(HERE / "route_worker.py"),
            "bench",
            str(graph),
            str(plan_path),
            str(outputs["stepfree"]),
        ],
        "valhalla": [
            str(peers.peer_python()),
            str(HERE / "peer_route.py"),
            "bench",
            str(config),
            str(plan_path),
            str(outputs["valhalla"]),
        ],
    }
    order = ["stepfree", "valhalla"] if index % 2 == 0 else ["valhalla", "stepfree"]
    result: dict = item | {"pairs": n_pairs, "origins": args.origins, "graph": str(graph)}
    result["seed"] = args.seed
    result["graph_note"] = graph_note
    result["component_nodes"] = plan["component_nodes"]
    result |= {"graph_nodes": plan["graph_nodes"], "graph_edges": plan["graph_edges"]}
    load = benchlib.machine()["load"]
    for tool in order:
        if tool == "valhalla" and not valhalla:
            continue
        say(f"  {item['name']}: {tool} ({n_pairs} pairs, {args.origins} origins)")
        run = _run(commands[tool], logs / f"{slug}-route-{tool}.log", f"{tool} worker")
        data = json.loads(outputs[tool].read_text(encoding="utf-8"))
        data["process"] = {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "maxrss_mib": run.maxrss_mib}
        result[tool] = data
    say(f"  {item['name']}: networkx (up to {args.nx_seconds:g} s of routing)")
    _run(
        [
            sys.executable,
            str(HERE / "nx_worker.py"),
            "route",
            str(edges),
            str(plan_path),
            str(outputs["networkx"]),
            str(args.nx_seconds),
        ],
        logs / f"{slug}-route-networkx.log",
        "networkx worker",
    )
    result["networkx"] = json.loads(outputs["networkx"].read_text(encoding="utf-8"))
    result["memory"] = {
        "stepfree": memory(graph, folder, logs / f"{slug}-memory.log"),
        "networkx": result["networkx"].pop("memory"),
    }
    result["load_at_start"] = load
    result["differences"] = route_diffs.differences(
        result, plan, graph, config, folder, args.samples
    )
    for row in result.get("valhalla", {}).get("routes", {}).get("manual_wheelchair", []):
        row.pop("shape", None)  # kept in the worker's own output, not in the summary
    for row in result.get("valhalla", {}).get("routes", {}).get("pedestrian", []):
        row.pop("shape", None)
    return result


def memory(graph: Path, folder: Path, log: Path) -> dict:
    """Resident bytes of the loaded graph, in a fresh process that does nothing else."""
    out = folder / "memory-stepfree.json"
    _run(
        [sys.executable, str(HERE / "route_worker.py"), "memory", str(graph), str(out)],
        log,
        "stepfree memory",
    )
    return json.loads(out.read_text(encoding="utf-8"))


def slower_inputs(results: list[dict], key: str) -> list[tuple[float, dict]]:
    """(stepfree / Valhalla median, input) where stepfree is slower (routes: wheelchair)."""
    out = []
    for item in results:
        if "valhalla" not in item:
            continue
        if key == "routes":
            mine = [r["ms"] for r in item["stepfree"]["routes"]["manual_wheelchair"]]
            theirs = [r["ms"] for r in item["valhalla"]["routes"]["manual_wheelchair"]]
        else:
            mine = [r["ms"] for r in item["stepfree"]["isochrones"]]
            theirs = [r["ms"] for r in item["valhalla"]["isochrones"]]
        if mine and theirs and statistics.median(mine) > statistics.median(theirs):
            out.append((statistics.median(mine) / statistics.median(theirs), item))
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", type=bench_build._sizes, help="synthetic city sizes (default 1e4,1e5,2e6)"
    )
    parser.add_argument("--quick", action="store_true", help="1e3 city, 50 pairs, 10 origins")
    parser.add_argument("--no-peers", action="store_true", help="stepfree and networkx only")
    parser.add_argument("--no-extracts", action="store_true", help="skip the real extracts")
    parser.add_argument("--extracts", type=Path, default=bench_build.EXTRACTS)
    parser.add_argument("--pairs", type=int, default=1000, help="route pairs per input (1000)")
    parser.add_argument(
        "--large-pairs", type=int, default=100, help="pairs on inputs of 10^6 nodes and more (100)"
    )
    parser.add_argument("--origins", type=int, default=100, help="isochrone origins (100)")
    parser.add_argument(
        "--nx-seconds", type=float, default=5.0, help="networkx routing time per input (5 s)"
    )
    parser.add_argument("--samples", type=int, default=10, help="differences listed per input")
    parser.add_argument("--seed", type=int, default=1, help="pairs and synthetic city seed (1)")
    parser.add_argument("--no-profile", action="store_true", help="never run py-spy")
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="measure nothing: rewrite the sections and plot from WORK/results/route.json",
    )
    parser.add_argument("--work", type=Path, default=bench_build.WORK, help="scratch folder")
    parser.add_argument("--report", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "bench_route.png")
    args = parser.parse_args(argv)
    if min(args.pairs, args.large_pairs, args.origins) < 1 or args.nx_seconds <= 0:
        parser.error("--pairs, --large-pairs, --origins and --nx-seconds must be positive")
    if args.quick:
        args.sizes = [args.sizes[0]] if args.sizes else [bench_build.QUICK_SIZE]
        args.no_extracts = True
        args.pairs, args.origins, args.nx_seconds = min(args.pairs, 50), min(args.origins, 10), 2.0
    args.sizes = args.sizes or list(SIZES)
    args.work = args.work.resolve()
    if not args.no_extracts and not args.extracts.is_dir():
        if args.extracts != bench_build.EXTRACTS:
            parser.error(f"--extracts {args.extracts} is not a folder")
        say(f"no extracts folder at {args.extracts}: synthetic cities only")
        args.no_extracts = True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_results:
        return write_report(args.work / "results" / "route.json", args)
    command = display_command("bench_route.py", sys.argv[1:] if argv is None else argv)
    valhalla = not args.no_peers
    versions = {"stepfree": bench_build._stepfree_version()}
    if valhalla:
        try:
            peers.ensure_peers()
            versions["valhalla"] = peers.valhalla_version()
        except peers.PeerError as error:
            print(f"bench_route: error: {error}", file=sys.stderr)
            return 1
    versions["networkx"] = _version("networkx")
    machine = benchlib.machine()
    items = (
        []
        if args.no_extracts
        else [bench_build.extract_input(p) for p in sorted(args.extracts.glob("*.osm.pbf"))]
    )
    items += [bench_build.synthetic_input(size, args.seed, args.work) for size in args.sizes]
    say(f"{len(items)} inputs; valhalla {'on' if valhalla else 'off'}")
    started = time.perf_counter()
    try:
        results = [measure(item, i, args, valhalla) for i, item in enumerate(items)]
    except (RuntimeError, peers.PeerError) as error:
        print(f"bench_route: error: {error}", file=sys.stderr)
        return 1
    profiles = []
    if valhalla and not args.no_profile:
        spy = peers.PEER_VENV / "bin" / "py-spy"
        for key in ("routes", "isochrones"):
            slow = slower_inputs(results, key)
            if slow:  # where the gap is widest
                target = max(slow, key=lambda pair: pair[0])[1]
                say(f"profiling stepfree {key} on {target['name']} (py-spy)")
                profiles.append(route_profile.profile(target, key, args.work, spy))
    data = {
        "machine": machine,
        "load_at_end": benchlib.machine()["load"],
        "versions": versions,
        "command": command,
        "seconds": time.perf_counter() - started,
        "nx_seconds": args.nx_seconds,
        "results": results,
        "profiles": profiles,
    }
    results_path = args.work / "results" / "route.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(data), encoding="utf-8")
    return write_report(results_path, args)


def write_report(results_path: Path, args: argparse.Namespace) -> int:
    """The sections of the report and the plot, from a results file."""
    if not results_path.is_file():
        print(
            f"bench_route: error: no results at {results_path}; run without --from-results",
            file=sys.stderr,
        )
        return 1
    data = json.loads(results_path.read_text(encoding="utf-8"))
    peers_on = "valhalla" in data["versions"]
    plotted = route_report.plot(results_path, args.plot, peers.peer_python()) if peers_on else None
    for name, body in route_report.sections(data, plotted, args.report).items():
        benchlib.replace_section(args.report, name, body)
    say(f"wrote {args.report} (route, isochrone, memory, differences) and {results_path}")
    return 0


def display_command(script: str, argv: list[str]) -> str:
    """The command as run from the repository root, with paths inside it made relative."""
    parts = [".venv/bin/python", f"benchmarks/{script}"]
    for arg in argv:
        path = Path(arg)
        if path.is_absolute() and path.is_relative_to(REPO):
            arg = str(path.relative_to(REPO))
        parts.append(arg)
    return shlex.join(parts)


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    sys.exit(main())

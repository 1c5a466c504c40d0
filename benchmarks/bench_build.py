"""Build benchmark: ``stepfree build`` against Valhalla's ``valhalla_build_tiles``.

Run with the project's interpreter (Valhalla runs from ``benchmarks/.venv-peers``)::

    .venv/bin/python benchmarks/bench_build.py                 # extracts + 1e4, 1e5, 1e6 cities
    .venv/bin/python benchmarks/bench_build.py --sizes 1e4,1e5 --no-extracts
    .venv/bin/python benchmarks/bench_build.py --quick --no-peers   # 1e3 city, stepfree only

For each input (every ``../shared/data/osm/*.osm.pbf`` and synthetic cities from ``synth.py``)
it builds with both tools as child processes, alternating them (and which goes first),
3 repetitions each (1 at 10^6 nodes and above), and reads each child's wall time, CPU time and
peak resident memory (``os.wait4``). Both run on one thread where the tool allows it: Valhalla
with ``mjolnir.concurrency = 1`` and ``-j 1``; stepfree has no thread option, and its reader's
libosmium pool is held to one thread (``OSMIUM_POOL_THREADS=1``). It also times loading the
sample city's graph (warm, median of 20). Results go to the ``build`` section of
``docs/benchmarks.md``, ``docs/bench_build.png`` and ``benchmarks/work/results/build.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import statistics
import sys
import time
from pathlib import Path

import benchlib
import build_report
import osmium
import peers
import profiling
import synth

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXTRACTS = REPO.parent / "shared" / "data" / "osm"
WORK = HERE / "work"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZE = 1_000
ONE_REPETITION_FROM = 1_000_000  # inputs this large are built once per tool
LOAD_REPEATS = 20
ONE_THREAD = {"OSMIUM_POOL_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def say(message: str) -> None:
    print(f"[bench_build {time.strftime('%H:%M:%S')}] {message}", flush=True)


def count_objects(path: Path) -> tuple[int, int]:
    """Nodes and ways in an OSM file."""
    nodes = ways = 0
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            nodes += 1
        else:
            ways += 1
    return nodes, ways


def _generator_hash() -> str:
    digest = hashlib.sha256()
    for name in ("synth.py", "synth_tags.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:8]


def synthetic_input(size: int, seed: int, work: Path) -> dict:
    """A synthetic city of ``size`` nodes, generated once and cached (keyed by the code)."""
    folder = work / "cities"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synth-{size}-s{seed}-{_generator_hash()}.osm.pbf"
    sidecar = path.with_suffix(".json")
    if not (path.is_file() and sidecar.is_file()):
        say(f"generating synthetic city of {size:,} nodes")
        stats = synth.write_city(path, size, seed)
        sidecar.write_text(
            json.dumps({"nodes": stats.nodes, "ways": stats.ways, "seconds": stats.seconds}),
            encoding="utf-8",
        )
    info = json.loads(sidecar.read_text(encoding="utf-8"))
    return {
        "name": f"synthetic {_short(size)}",
        "kind": "synthetic",
        "path": str(path),
        "nodes": info["nodes"],
        "ways": info["ways"],
        "bytes": path.stat().st_size,
        "generate_s": info["seconds"],
        "target_nodes": size,
        "seed": seed,
    }


def extract_input(path: Path) -> dict:
    nodes, ways = count_objects(path)
    return {
        "name": path.name.removesuffix(".osm.pbf"),
        "kind": "extract",
        "path": str(path),
        "nodes": nodes,
        "ways": ways,
        "bytes": path.stat().st_size,
    }


def _short(size: int) -> str:
    exponent = len(str(size)) - 1
    lead, rest = divmod(size, 10**exponent)
    return f"{lead}e{exponent}" if rest == 0 else f"{size:,}"


def build_stepfree(item: dict, work: Path, rep: int) -> dict:
    out = work / "out" / f"{_slug(item)}.sfg"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    exe = Path(sys.executable).parent / "stepfree"
    log = work / "logs" / f"{_slug(item)}-stepfree-{rep}.log"
    run = benchlib.run_measured(
        [str(exe), "build", item["path"], "-o", str(out)], log, env={**os.environ, **ONE_THREAD}
    )
    result = {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "maxrss_mib": run.maxrss_mib}
    if run.returncode != 0 or not out.is_file():
        result["error"] = f"exit {run.returncode}: {benchlib.log_tail(log)}"
        return result
    import stepfree

    graph = stepfree.load_graph(out, verify=False)
    result |= {
        "graph_nodes": graph.n_nodes,
        "graph_edges": graph.n_edges,
        "graph_bytes": out.stat().st_size,
        "graph_path": str(out),
    }
    return result


def build_valhalla(item: dict, work: Path, rep: int, exe: Path) -> dict:
    tiles = work / "valhalla" / f"{_slug(item)}-{rep}"
    shutil.rmtree(tiles, ignore_errors=True)
    tiles.mkdir(parents=True)
    config = peers.valhalla_config(tiles, tiles.with_name(tiles.name + ".json"), threads=1)
    log = work / "logs" / f"{_slug(item)}-valhalla-{rep}.log"
    run = benchlib.run_measured(
        [str(exe), "-c", str(config), "-j", "1", str(Path(item["path"]).resolve())],
        log,
        env={**os.environ, **ONE_THREAD},
        cwd=tiles,  # it writes duplicateways.txt into the working directory
    )
    result = {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "maxrss_mib": run.maxrss_mib}
    files = [p for p in tiles.rglob("*.gph") if p.is_file()]
    if run.returncode != 0 or not files:
        result["error"] = f"exit {run.returncode}: {benchlib.log_tail(log)}"
    result |= {"tiles": len(files), "tile_bytes": sum(p.stat().st_size for p in files)}
    shutil.rmtree(tiles, ignore_errors=True)
    config.unlink(missing_ok=True)
    return result


def _slug(item: dict) -> str:
    return item["name"].replace(" ", "-")


def measure(item: dict, work: Path, repeats: int, valhalla: Path | None) -> dict:
    """Build ``item`` with both tools, alternating them and which one goes first."""
    size = item.get("target_nodes", item["nodes"])  # a synthetic city's nominal size
    reps = 1 if size >= ONE_REPETITION_FROM else repeats
    runs: dict[str, list[dict]] = {"stepfree": [], "valhalla": []}
    for rep in range(reps):
        order = ["stepfree", "valhalla"] if rep % 2 == 0 else ["valhalla", "stepfree"]
        for tool in order:
            if tool == "valhalla" and valhalla is None:
                continue
            result = (
                build_stepfree(item, work, rep)
                if tool == "stepfree"
                else build_valhalla(item, work, rep, valhalla)
            )
            runs[tool].append(result)
            state = result.get("error") or (
                f"{result['wall_s']:.2f} s, {result['maxrss_mib']:.0f} MiB"
            )
            say(f"  {item['name']}: {tool} #{rep + 1}: {state}")
    return item | {"repetitions": reps, "runs": runs}


def load_benchmark(graph_path: Path, label: str, repeats: int = LOAD_REPEATS) -> dict:
    """Time ``stepfree.load_graph`` (warm: one untimed load first) and the bytes per edge.

    Timed twice: as called by default (``verify=True``: CRC32 of all the data) and with
    ``verify=False`` (memory-mapping and the header check only).
    """
    import stepfree

    graph = stepfree.load_graph(graph_path)
    timings = {}
    for verify in (True, False):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            graph = stepfree.load_graph(graph_path, verify=verify)
            times.append(1000 * (time.perf_counter() - started))
        timings["verified" if verify else "unverified"] = {
            "median_ms": statistics.median(times),
            "min_ms": min(times),
            "max_ms": max(times),
        }
    in_memory = sum(array.nbytes for array in graph.arrays.values())
    size = graph_path.stat().st_size
    return {
        "label": label,
        "path": str(graph_path),
        "repeats": repeats,
        **timings,
        "edges": graph.n_edges,
        "nodes": graph.n_nodes,
        "file_bytes": size,
        "bytes_per_edge": size / graph.n_edges,
        "array_bytes_per_edge": in_memory / graph.n_edges,
    }


def _relative(parts: list[str]) -> list[str]:
    out = []
    for part in parts:
        try:
            out.append(str(Path(part).relative_to(REPO)) if part.startswith("/") else part)
        except ValueError:
            out.append(part)
    return out


def _sizes(text: str) -> list[int]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes takes numbers like 1e4,1e5 (got {text!r})"
        ) from None
    if not values or any(v < synth.MIN_NODES or not v.is_integer() for v in values):
        raise argparse.ArgumentTypeError(
            f"--sizes: whole numbers >= {synth.MIN_NODES} (got {text!r})"
        )
    return sorted({int(v) for v in values})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=_sizes, help="synthetic city sizes (default 1e4,1e5,1e6)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smallest synthetic city only (1e3 unless --sizes), 1 repetition",
    )
    parser.add_argument("--no-peers", action="store_true", help="stepfree only (no Valhalla)")
    parser.add_argument("--no-extracts", action="store_true", help="skip the real extracts")
    parser.add_argument("--extracts", type=Path, default=EXTRACTS, help="folder of .osm.pbf")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per tool (3)")
    parser.add_argument("--seed", type=int, default=1, help="synthetic city seed (1)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile stepfree on the largest synthetic city (py-spy; cProfile "
        "with --no-peers)",
    )
    parser.add_argument("--work", type=Path, default=WORK, help="scratch folder")
    parser.add_argument("--report", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "bench_build.png")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.quick:
        args.sizes = [args.sizes[0]] if args.sizes else [QUICK_SIZE]
        args.no_extracts, args.repeat = True, 1
    args.sizes = args.sizes or list(DEFAULT_SIZES)
    args.work = args.work.resolve()
    if not args.no_extracts and not args.extracts.is_dir():
        if args.extracts != EXTRACTS:
            parser.error(f"--extracts {args.extracts} is not a folder")
        say(f"no extracts folder at {args.extracts}: synthetic cities only")
        args.no_extracts = True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(
        _relative([sys.executable, str(Path(__file__))])
        + list(sys.argv[1:] if argv is None else argv)
    )
    command = command.replace(str(Path(sys.executable).parent), ".venv/bin")
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    valhalla, versions = None, {"stepfree": _stepfree_version(), "pyosmium": _osmium_version()}
    if not args.no_peers:
        try:
            peers.ensure_peers()
            valhalla = peers.valhalla_bin()
            versions["valhalla"] = peers.valhalla_version()
        except peers.PeerError as error:
            print(f"bench_build: error: {error}", file=sys.stderr)
            return 1
    items = (
        []
        if args.no_extracts
        else [extract_input(p) for p in sorted(args.extracts.glob("*.osm.pbf"))]
    )
    items += [synthetic_input(size, args.seed, work) for size in args.sizes]
    say(f"{len(items)} inputs; valhalla {'on' if valhalla else 'off'}; warm-up run")
    build_stepfree(items[0], work, -1)
    if valhalla is not None:
        build_valhalla(items[0], work, -1, valhalla)
    results = [measure(item, work, args.repeat, valhalla) for item in items]
    if args.quick:
        graph = next(
            (r["graph_path"] for r in results[0]["runs"]["stepfree"] if "graph_path" in r), None
        )
        load = load_benchmark(Path(graph), results[0]["name"], 5) if graph else None
    else:
        import stepfree._api

        load = load_benchmark(stepfree._api.sample_graph_path(), "sample city (Helsinki)")
    profile = None
    if args.profile:
        largest = max((r for r in results if r["kind"] == "synthetic"), key=lambda r: r["nodes"])
        say(f"profiling stepfree build on {largest['name']}")
        spy = None if valhalla is None else peers.PEER_VENV / "bin" / "py-spy"
        profile = profiling.profile_build(largest["name"], largest["path"], work, ONE_THREAD, spy)
    data = {
        "machine": benchlib.machine(),
        "versions": versions,
        "command": command,
        "threads": "1 each (Valhalla mjolnir.concurrency=1 -j 1; stepfree OSMIUM_POOL_THREADS=1)",
        "rss_floor_mib": benchlib.helper_floor_mib(),
        "results": results,
        "load": load,
        "profile": profile,
    }
    results_path = work / "results" / "build.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    plotted = None
    if valhalla is not None:
        plotted = build_report.plot(results_path, args.plot, peers.peer_python())
    body = build_report.section(data, plotted, args.report)
    benchlib.replace_section(args.report, "build", body)
    say(f"wrote {args.report} (build section) and {results_path}")
    return 0


def _stepfree_version() -> str:
    import stepfree

    return stepfree.__version__


def _osmium_version() -> str:
    from importlib.metadata import version

    return version("osmium")


if __name__ == "__main__":
    sys.exit(main())

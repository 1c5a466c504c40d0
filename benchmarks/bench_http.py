"""HTTP throughput: ``stepfree serve`` against ``valhalla_service`` on loopback.

Run with the project's interpreter (Valhalla runs from ``benchmarks/.venv-peers``)::

    .venv/bin/python benchmarks/bench_http.py                    # sample city, 8 and 32 clients
    .venv/bin/python benchmarks/bench_http.py --inputs helsinki_2019-04,synthetic-1e5
    .venv/bin/python benchmarks/bench_http.py --quick --no-peers  # 1e3 city, stepfree, 2 s

Both servers get the same graph source, the same seeded pairs (``route_inputs.make_plan``) and
wheelchair costing: ``GET /v1/route?from=..&to=..&profile=manual_wheelchair`` against
``POST /route`` with ``costing: pedestrian``, ``type: wheelchair`` (``max_distance`` 100 km as
in the Actor benchmark). stepfree runs 2 worker processes (``--workers 2``), Valhalla 2 worker
threads per stage (``valhalla_service CONFIG 2``). For each number of concurrent clients
(httpx ``AsyncClient`` tasks, one connection each, in this process) each server is loaded for
``--seconds`` after 20 untimed requests; the two servers alternate. Requests go to 127.0.0.1
only, and every loop stops at its deadline. Results go to the ``http`` section of
``docs/benchmarks.md`` and ``benchmarks/work/results/http.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bench_build
import bench_route
import benchlib
import http_report
import httpx
import peers
import route_inputs

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WARMUP = 20
#: The service's per-address rate limit (5/s by default) would refuse a load test; raised for
#: this run only, through the service's own settings variables.
UNLIMITED = {
    "STEPFREE_RATE_ADDRESS_PER_S": "1000000",
    "STEPFREE_RATE_ADDRESS_BURST": "1000000",
    "STEPFREE_RATE_KEY_PER_S": "1000000",
    "STEPFREE_RATE_KEY_BURST": "1000000",
}


def say(message: str) -> None:
    print(f"[bench_http {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in family]
        family.update(children)
        frontier.extend(children)
    return sum(times.get(p, 0.0) for p in family)


class Server:
    """One server process, started and stopped by this harness (only by its own pid)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._out = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._out, stderr=self._out, stdin=subprocess.DEVNULL
        )

    def wait_ready(self, url: str, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}): {benchlib.log_tail(self.log)}"
                )
            try:
                if httpx.get(url, timeout=2.0).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._out.close()


def stepfree_server(graph: Path, folder: Path, port: int) -> tuple[Server, str]:
    exe = Path(sys.executable).parent / "stepfree"
    db = f"sqlite:///{folder / 'reports.sqlite'}"
    command = [str(exe), "serve", "--graph", str(graph), "--db", db, "--port", str(port)]
    command += ["--workers", "2"]
    env = {**os.environ, **UNLIMITED}
    server = Server("stepfree serve", command, env, folder / "stepfree-serve.log")
    return server, f"http://127.0.0.1:{port}"


def valhalla_server(config: Path, folder: Path, port: int) -> tuple[Server, str]:
    data = json.loads(config.read_text(encoding="utf-8"))
    data["httpd"]["service"]["listen"] = f"tcp://127.0.0.1:{port}"
    data["httpd"]["service"]["loopback"] = f"ipc://{folder}/valhalla-loopback"
    data["httpd"]["service"]["interrupt"] = f"ipc://{folder}/valhalla-interrupt"
    data["httpd"]["service"]["drain_seconds"] = 1  # stop within a second once the load is over
    data["httpd"]["service"]["shutdown_seconds"] = 1
    served = folder / "valhalla-service.json"
    served.write_text(json.dumps(data, indent=1), encoding="utf-8")
    command = [str(peers.valhalla_bin("valhalla_service")), str(served), "2"]
    server = Server("valhalla_service", command, dict(os.environ), folder / "valhalla-service.log")
    return server, f"http://127.0.0.1:{port}"


def request_for(tool: str, base: str, pair: list[float]) -> tuple[str, str, Any]:
    la, lo, lb, lob = pair
    if tool == "stepfree":
        url = f"{base}/v1/route?from={la},{lo}&to={lb},{lob}&profile=manual_wheelchair"
        return "GET", url, None
    import peer_route  # only its request builder: no valhalla import at module level

    return "POST", f"{base}/route", peer_route.route_request([la, lo], [lb, lob], "wheelchair")


async def _load(tool: str, base: str, pairs: list[list[float]], clients: int, seconds: float):
    rows: list[tuple[float, int]] = []  # (latency ms, status); status 0 = transport error
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    counter = iter(range(10**9))
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:

        async def one(index: int) -> tuple[float, int]:
            method, url, body = request_for(tool, base, pairs[index % len(pairs)])
            t0 = time.perf_counter()
            try:
                response = await client.request(method, url, content=body)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            return 1000 * (time.perf_counter() - t0), status

        for i in range(WARMUP):
            await one(len(pairs) - 1 - i)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                latency, status = await one(next(counter))
                if time.perf_counter() <= deadline:
                    rows.append((latency, status))

        await asyncio.gather(*(worker() for _ in range(clients)))
    return rows


def run_load(tool: str, server: Server, base: str, plan: dict, clients: int, seconds: float):
    cpu0, self0 = _cpu_s(server.process.pid), resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    rows = asyncio.run(_load(tool, base, plan["pairs"], clients, seconds))
    wall = time.perf_counter() - t0
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    ok = {200}
    no_route = {404} if tool == "stepfree" else {400}  # Valhalla: 400 with error_code 442
    return {
        "tool": tool,
        "clients": clients,
        "seconds": seconds,
        "latencies_ms": [latency for latency, status in rows if status in ok | no_route],
        "answered": sum(status in ok for _, status in rows),
        "no_route": sum(status in no_route for _, status in rows),
        "errors": sum(status not in ok | no_route for _, status in rows),
        "error_statuses": sorted({status for _, status in rows if status not in ok | no_route}),
        "server_cpu_s": _cpu_s(server.process.pid) - cpu0,
        "client_cpu_s": client_cpu,
        "wall_s": wall,
    }


def measure(item: dict, args: argparse.Namespace, valhalla: bool) -> dict:
    slug = route_inputs.slug(item)
    folder = args.work / "http" / slug
    folder.mkdir(parents=True, exist_ok=True)
    graph, note = route_inputs.ensure_graph(item, args.work)
    plan = route_inputs.make_plan(graph, args.pairs, 1, args.seed, folder / "plan.json")
    servers: dict[str, tuple[Server, str]] = {}
    runs = []
    try:
        servers["stepfree"] = stepfree_server(graph, folder, free_port())
        if valhalla:
            config = route_inputs.ensure_tiles(item, args.work)
            servers["valhalla"] = valhalla_server(config, folder, free_port())
        for name, (server, base) in servers.items():
            server.wait_ready(f"{base}/v1/health" if name == "stepfree" else f"{base}/status")
        for i, clients in enumerate(args.clients):
            order = list(servers) if i % 2 == 0 else list(reversed(servers))
            for name in order:
                server, base = servers[name]
                say(f"  {item['name']}: {name}, {clients} clients, {args.seconds:g} s")
                runs.append(run_load(name, server, base, plan, clients, args.seconds))
    finally:
        for server, _ in servers.values():
            server.stop()
    return {"name": item["name"], "graph_note": note, "pairs": len(plan["pairs"]), "runs": runs}


def _clients(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--clients takes numbers like 8,32 (got {text!r})"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--clients: whole numbers >= 1 (got {text!r})")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--inputs",
        default="helsinki_2019-04",
        help="extract names or synthetic-1eN, comma-separated (default: the sample city)",
    )
    parser.add_argument("--clients", type=_clients, default=[8, 32], help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="load per run (30 s)")
    parser.add_argument("--pairs", type=int, default=1000, help="pairs cycled through (1000)")
    parser.add_argument("--quick", action="store_true", help="1e3 city, 4 clients, 2 s")
    parser.add_argument("--no-peers", action="store_true", help="stepfree only")
    parser.add_argument("--extracts", type=Path, default=bench_build.EXTRACTS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="measure nothing: rewrite the section from WORK/results/http.json",
    )
    parser.add_argument("--work", type=Path, default=bench_build.WORK)
    parser.add_argument("--report", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.pairs < 1:
        parser.error("--seconds and --pairs must be positive")
    if args.quick:
        args.inputs, args.clients, args.seconds = "synthetic-1e3", [4], 2.0
    args.work = args.work.resolve()
    return args


def resolve_inputs(names: str, args: argparse.Namespace) -> list[dict]:
    items = []
    for name in (n.strip() for n in names.split(",") if n.strip()):
        if name.startswith("synthetic-"):
            size = bench_build._sizes(name.removeprefix("synthetic-"))[0]
            items.append(bench_build.synthetic_input(size, args.seed, args.work))
            continue
        path = args.extracts / f"{name}.osm.pbf"
        if not path.is_file():
            known = sorted(p.name.removesuffix(".osm.pbf") for p in args.extracts.glob("*.pbf"))
            raise ValueError(f"no extract {path}; choose from {', '.join(known) or 'none'}")
        items.append(bench_build.extract_input(path))
    return items


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.work / "results" / "http.json"
    if args.from_results:
        if not out.is_file():
            print(
                f"bench_http: error: no results at {out}; run without --from-results",
                file=sys.stderr,
            )
            return 1
        data = json.loads(out.read_text(encoding="utf-8"))
        benchlib.replace_section(args.report, "http", http_report.section(data))
        say(f"wrote {args.report} (http section) from {out}")
        return 0
    command = bench_route.display_command("bench_http.py", sys.argv[1:] if argv is None else argv)
    valhalla = not args.no_peers
    versions = {"stepfree": bench_build._stepfree_version(), "httpx": httpx.__version__}
    try:
        items = resolve_inputs(args.inputs, args)
        if valhalla:
            peers.ensure_peers()
            versions["valhalla"] = peers.valhalla_version()
        machine = benchlib.machine()
        started = time.perf_counter()
        results = [measure(item, args, valhalla) for item in items]
    except (ValueError, argparse.ArgumentTypeError, RuntimeError, peers.PeerError) as error:
        print(f"bench_http: error: {error}", file=sys.stderr)
        return 1
    data = {
        "machine": machine,
        "load_at_end": benchlib.machine()["load"],
        "versions": versions,
        "command": command,
        "seconds": time.perf_counter() - started,
        "results": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data), encoding="utf-8")
    benchlib.replace_section(args.report, "http", http_report.section(data))
    say(f"wrote {args.report} (http section) and {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

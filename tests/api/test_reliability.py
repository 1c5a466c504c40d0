"""Reliability of the running service, bounded and on loopback only.

- crash: clients create reports while the server is SIGKILLed and restarted; every report
  acknowledged with 201 is there afterwards, intact;
- fuzz: requests generated from the service's own OpenAPI schema (schemathesis), every
  operation, valid and invalid, each sent without a key and with an admin key, and every answer
  run through all of schemathesis' checks (documented status codes, content types, headers and
  response schemas, security as declared, valid data accepted, invalid data refused): the
  document says what the server does, and never a 5xx;
- load: concurrent route clients for a while: no errors (p50/p99/throughput printed; the long
  run writes them to docs/benchmarks.md);
- graceful shutdown: a request in flight when SIGTERM arrives is finished.

CI-sized versions run by default (a few minutes in all: at least 10 restarts under 20 writers,
every acknowledged report checked); the long ones of the issue need ``STEPFREE_LONG_TESTS=1``.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

import stepfree
from stepfree.reports.domain import ReportType
from stepfree.reports.store import ReportStore

LONG = pytest.mark.skipif(
    not os.environ.get("STEPFREE_LONG_TESTS"), reason="long run: set STEPFREE_LONG_TESTS=1"
)
ROOT = Path(__file__).resolve().parents[2]


def network_points(graph_file: Path, count: int, seed: int = 5) -> list[tuple[float, float]]:
    """``count`` (lat, lon) points on the sample city's network (its nodes)."""
    graph = stepfree.load_graph(graph_file)
    rng = np.random.default_rng(seed)
    picked = rng.choice(graph.n_nodes, size=count, replace=False)
    return [(float(graph.node("lat")[i]), float(graph.node("lon")[i])) for i in picked]


# --- crash --------------------------------------------------------------------------------


def crash_run(make_server, generous, graph_file, clients: int, kills: int) -> int:
    server = make_server(generous)
    points = network_points(graph_file, 64)
    types = [t.value for t in ReportType]
    acknowledged: dict[int, dict] = {}
    unexpected: Counter[int] = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            sequence = 0
            while not stop.is_set():
                sequence += 1
                lat, lon = rng.choice(points)
                body = {
                    "type": rng.choice(types),
                    "lat": lat,
                    "lon": lon,
                    "description": f'client {number} report {sequence}: «кербы» ✓ "q"',
                }
                try:
                    response = http.post("/v1/reports", json=body)
                except httpx.TransportError:  # the server is down: try again shortly
                    time.sleep(0.02)
                    continue
                with lock:
                    if response.status_code == 201:
                        acknowledged[response.json()["id"]] = {**response.json(), **body}
                    else:
                        unexpected[response.status_code] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    try:
        rng = random.Random(kills)
        for _ in range(kills):
            time.sleep(rng.uniform(0.3, 0.8))  # let writes be in flight
            server.kill()
            server.start()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not unexpected, f"answers other than 201: {dict(unexpected)}"
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for report_id, sent in acknowledged.items():
            stored = http.get(f"/v1/reports/{report_id}")
            assert stored.status_code == 200, f"acknowledged report {report_id} is lost"
            assert stored.json() == sent, f"report {report_id} changed"
    assert server.starts == kills + 1
    print(f"crash: {len(acknowledged)} reports acknowledged and kept through {kills} kills")
    return len(acknowledged)


def test_acknowledged_reports_survive_kills(make_server, generous, graph_file) -> None:
    kept = crash_run(make_server, generous, graph_file, clients=20, kills=10)
    assert kept >= 100  # the clients wrote between the kills, not only at the end


@LONG
@pytest.mark.slow
def test_acknowledged_reports_survive_kills_long(make_server, generous, graph_file) -> None:
    kept = crash_run(make_server, generous, graph_file, clients=50, kills=20)
    assert kept >= 500


# --- fuzz ---------------------------------------------------------------------------------


#: Schemathesis' checks all run; one is told what "accepted" means here. A request can match the
#: schema and still be refused with 422 for what a schema cannot say: a point outside the served
#: city, a route longer than max_route_km, a bbox over max_bbox_km2. The other statuses are the
#: check's own defaults.
CHECKS = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
"""
)


def _failures(error: BaseException) -> list[BaseException]:
    return list(getattr(error, "exceptions", None) or [error])


def fuzz_run(make_server, generous, examples: int) -> int:
    # isochrones of more than a few minutes take seconds on this machine: keep them inside
    # the request budget so a 503 here would mean a fault, not a slow search
    server = make_server({**generous, "STEPFREE_MAX_ISOCHRONE_MINUTES": "3"})
    admin = {"Authorization": f"Bearer {server.key('admin')}"}
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", config=CHECKS)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[tuple[str, int, bool]] = Counter()
    failures: list[str] = []
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=cases)
        def probe(case) -> None:
            for headers in (None, admin):  # every case without a key and with an admin key
                response = case.call(base_url=server.url, headers=headers, timeout=30)
                keyed = headers is not None
                statuses[(case.operation.label, response.status_code, keyed)] += 1
                try:
                    case.validate_response(response, headers=headers)
                except (AssertionError, BaseExceptionGroup) as error:
                    for failure in _failures(error):
                        title = getattr(failure, "title", type(failure).__name__)
                        failures.append(
                            f"{title} ({'with' if keyed else 'without'} a key): "
                            f"{response.status_code} {case.as_curl_command()}\n{failure}"
                        )
                if response.status_code >= 400 and case.method != "HEAD":
                    assert set(response.json()) == {"error"}, response.text  # one error model

        probe()
    labels = {label for label, _, _ in statuses}
    assert labels == {operation.label for operation in operations}  # every operation
    assert {keyed for _, _, keyed in statuses} == {False, True}
    assert not failures, "\n\n".join(failures[:10])
    assert "Traceback" not in server.log()
    print(f"fuzz: {sum(statuses.values())} requests over {len(labels)} operations")
    return sum(statuses.values())


def test_fuzz_from_the_openapi_schema_with_all_checks(make_server, generous) -> None:
    assert fuzz_run(make_server, generous, examples=20) >= 500


@LONG
@pytest.mark.slow
def test_fuzz_long(make_server, generous) -> None:
    assert fuzz_run(make_server, generous, examples=160) >= 4000


# --- load ---------------------------------------------------------------------------------


def load_run(make_server, generous, graph_file, clients: int, seconds: float, workers: int):
    server = make_server(generous, workers=workers)
    points = network_points(graph_file, 200, seed=9)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        mine: list[float] = []
        with httpx.Client(base_url=server.url, timeout=30) as http:
            while time.monotonic() < deadline:
                a, b = rng.sample(points, 2)
                params = {
                    "from": f"{a[0]},{a[1]}",
                    "to": f"{b[0]},{b[1]}",
                    "profile": rng.choice(["pedestrian", "manual_wheelchair", "blind"]),
                }
                began = time.perf_counter()
                try:
                    response = http.get("/v1/route", params=params)
                except httpx.TransportError as error:
                    with lock:
                        errors[type(error).__name__] += 1
                    continue
                mine.append(time.perf_counter() - began)
                if response.status_code not in (200, 404):  # 404: no route, a valid answer
                    with lock:
                        errors[str(response.status_code)] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.monotonic() - start
    assert not errors, f"errors under load: {dict(errors)}"
    ordered = sorted(latencies)
    result = {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "workers": workers,
        "requests": len(ordered),
        "throughput": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }
    print(f"load: {result}")
    return result


def test_route_clients_under_load_get_no_errors(make_server, generous, graph_file) -> None:
    result = load_run(make_server, generous, graph_file, clients=8, seconds=5, workers=1)
    assert result["requests"] >= 50


@LONG
@pytest.mark.slow
def test_load_long_writes_the_benchmark(make_server, generous, graph_file) -> None:
    result = load_run(make_server, generous, graph_file, clients=50, seconds=60, workers=2)
    write_benchmark(result)


def write_benchmark(result: dict) -> None:
    """Replace the service-load section of docs/benchmarks.md (other sections are others')."""
    path = ROOT / "docs" / "benchmarks.md"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            "<!-- service-load:start -->",
            "## Service load",
            "",
            f"Measured {when} on {os.cpu_count()} cores by `STEPFREE_LONG_TESTS=1 "
            ".venv/bin/pytest tests/api/test_reliability.py -k load_long`: "
            f"`stepfree serve --workers {result['workers']}` on the sample city (central "
            f"Helsinki), {result['clients']} concurrent clients (Python threads with httpx, "
            "keep-alive, on the same machine) asking `GET /v1/route` between random network "
            "nodes with the pedestrian, manual_wheelchair and blind profiles, for "
            f"{result['seconds']:g} s over loopback HTTP.",
            "",
            "| requests | errors | throughput | p50 | p99 |",
            "| --- | --- | --- | --- | --- |",
            f"| {result['requests']:,} | 0 | {result['throughput']:.0f} routes/s | "
            f"{result['p50_ms']:.0f} ms | {result['p99_ms']:.0f} ms |",
            "",
            "Latency is from the client's send to the full answer (the route JSON with "
            "geometry, guidance and warnings), so it includes waiting for a free router.",
            "<!-- service-load:end -->",
        ]
    )
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"<!-- service-load:start -->.*?<!-- service-load:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


# --- graceful shutdown --------------------------------------------------------------------


def test_sigterm_finishes_the_request_in_flight(make_server, generous) -> None:
    server = make_server(generous)
    body = b'{"type": "steps", "lat": 60.1699, "lon": 24.9413, "description": "in flight"}'
    head = (
        f"POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as slow:
        slow.sendall(head + body[:20])  # the request has begun; its body trickles in
        time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.process.poll() is None  # waiting for the request in flight
        with pytest.raises(httpx.TransportError):  # but taking no new ones
            httpx.get(f"{server.url}/v1/health", timeout=2)
        slow.sendall(body[20:])
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = slow.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert server.process.wait(30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
    report_id = int(re.search(rb'"id":(\d+)', answer).group(1))
    with ReportStore.open(server.db) as store:
        assert store.get(report_id).description == "in flight"

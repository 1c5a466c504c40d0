"""Smoke tests of the routing, isochrone, memory and HTTP benchmarks (no peers, seconds).

The harness lives in ``benchmarks/`` (scripts, not a package): its commands are run as a user
runs them, with ``--quick --no-peers`` (a synthetic city of 1,000 nodes, stepfree and the
networkx baseline only), and its pure helpers are imported with that folder on ``sys.path``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def diffs() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        import route_diffs

        yield route_diffs
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One quick run of bench_route.py; returns (report, results JSON)."""
    folder = tmp_path_factory.mktemp("route")
    report = folder / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "bench_route.py"), "--quick", "--no-peers",
         "--work", str(folder / "work"), "--report", str(report)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return report, folder / "work" / "results" / "route.json"


def _row(text: str, start: str) -> list[str]:
    rows = [line for line in text.splitlines() if line.startswith(start)]
    assert rows, f"no row starting {start!r}"
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def test_quick_run_writes_every_section_with_measured_figures(quick_run):
    report, _ = quick_run
    text = report.read_text(encoding="utf-8")
    for name in ("route", "isochrone", "memory", "differences"):
        assert text.count(f"<!-- {name}:start -->") == 1
        assert text.count(f"<!-- {name}:end -->") == 1
    # wheelchair routes: input, graph, pairs, stepfree ms, answered, valhalla ms, ...
    cells = _row(text, "| synthetic 1e3 | ")
    assert cells[2] == "50"
    median, p90, p99 = (float(v) for v in cells[3].split(" / "))
    assert 0 < median <= p90 <= p99
    assert cells[5] == "—"
    assert "Valhalla was not run" in text


def test_quick_run_times_every_pair_and_the_baselines(quick_run):
    _, results = quick_run
    data = json.loads(results.read_text(encoding="utf-8"))
    item = data["results"][0]
    routes = item["stepfree"]["routes"]
    assert {len(rows) for rows in routes.values()} == {50}
    assert sum(r["found"] for r in routes["pedestrian"]) == 50  # one connected part
    assert all(r["length_m"] > 0 for r in routes["pedestrian"])
    assert len(item["stepfree"]["search_only"]) == 50
    assert len(item["stepfree"]["isochrones"]) == 10
    assert all(len(r["reached_length_m"]) == 3 for r in item["stepfree"]["isochrones"])
    baseline = item["networkx"]["routes"]
    assert baseline
    assert all(r["found"] for r in baseline)
    # networkx walks the same edges without profile rules: never longer than stepfree's walk
    for mine, plain in zip(routes["pedestrian"], baseline, strict=False):
        assert plain["length_m"] <= mine["length_m"] + 1.0
    memory = item["memory"]
    assert memory["stepfree"]["file_bytes"] > 0
    assert memory["networkx"]["traced_bytes"] > 0
    assert "valhalla" not in item


def test_categories_of_two_answers(diffs):
    found = {"found": True, "length_m": 1000.0}
    assert diffs.category(found, {"found": True, "length_m": 1150.0}) == "same"
    assert diffs.category(found, {"found": True, "length_m": 700.0}) == "stepfree_longer"
    assert diffs.category(found, {"found": True, "length_m": 1300.0}) == "valhalla_longer"
    assert diffs.category({"found": False}, found) == "only_valhalla"
    assert diffs.category(found, {"found": False}) == "only_stepfree"
    assert diffs.category({"found": False}, {"found": False}) == "neither"


def _encode6(points: list[tuple[float, float]]) -> str:
    """Google's polyline encoding at precision 1e-6 (Valhalla's shape format)."""
    out, last = [], (0, 0)
    for lat, lon in points:
        here = (round(lat * 1e6), round(lon * 1e6))
        for value in (here[0] - last[0], here[1] - last[1]):
            value = ~(value << 1) if value < 0 else value << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last = here
    return "".join(out)


def test_valhalla_shapes_decode_to_the_points(diffs):
    points = [(51.128312, 71.430411), (51.128001, 71.431999), (-33.9, 151.2)]
    decoded = diffs.decode6(_encode6(points))
    assert decoded.shape == (3, 2)
    assert abs(decoded - points).max() < 1e-6


def test_http_quick_run_serves_routes(tmp_path):
    report = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "bench_http.py"), "--quick", "--no-peers",
         "--seconds", "1", "--work", str(tmp_path / "work"), "--report", str(report)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    cells = _row(report.read_text(encoding="utf-8"), "| synthetic 1e3 | stepfree |")
    # input, server, clients, requests/s, p50, p99, routes, no route, errors, ...
    assert cells[2] == "4"
    assert float(cells[3].strip("*")) > 0
    assert int(cells[6].replace(",", "")) > 0
    assert cells[8] == "0"


def test_bad_options_get_one_clear_line(tmp_path):
    bad = subprocess.run(
        [sys.executable, str(BENCH / "bench_http.py"), "--inputs", "atlantis", "--no-peers",
         "--work", str(tmp_path / "work"), "--report", str(tmp_path / "r.md")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "no extract" in bad.stderr
    assert "atlantis" in bad.stderr
    assert "Traceback" not in bad.stderr
    pairs = subprocess.run(
        [sys.executable, str(BENCH / "bench_route.py"), "--pairs", "0"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert pairs.returncode == 2
    assert "must be positive" in pairs.stderr

"""`stepfree route` and `stepfree profiles` from the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import stepfree

from worlds import World

CLEAN = {"highway": "footway", "surface": "asphalt", "incline": "0", "width": "2"}
WORLD = World(
    """
    s--x--t
    |     |
    p-----q
    """,
    ways={"sxt": dict(CLEAN), "spqt": {**CLEAN, "highway": "steps", "step_count": "4"}},
    nodes={"x": {"barrier": "kerb", "kerb": "raised", "kerb:height": "0.12"}},
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepfree", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    path = folder / "world.sfg"
    stepfree.build_graph(WORLD.write(folder), path)
    return path


def _points() -> tuple[str, str]:
    s, t = WORLD.positions()["s"], WORLD.positions()["t"]
    return f"{s[1]},{s[0]}", f"{t[1]},{t[0]}"


def test_no_route_exits_3_with_blocked_by_and_relax(graph_file: Path) -> None:
    origin, destination = _points()
    result = run(
        "route",
        "--graph",
        str(graph_file),
        "--from",
        origin,
        "--to",
        destination,
        "--profile",
        "manual_wheelchair",
        "--format",
        "json",
    )
    assert result.returncode == 3, result.stderr
    answer = json.loads(result.stdout)
    assert answer["route"] is None
    kerb = next(b for b in answer["blocked_by"] if b["attribute"] == "kerb_height_m")
    assert kerb["osm_type"] == "node"
    assert kerb["osm_id"] == WORLD.osm_id("x")
    assert kerb["value"] == pytest.approx(0.12)
    assert kerb["limit"] == pytest.approx(0.03)
    assert "0.12" in kerb["text"]
    relax = {r["parameter"]: r["to"] for r in answer["relax"]}
    assert relax["max_kerb_height_m"] == pytest.approx(0.12)
    assert relax["max_step_count"] == 4


def test_relax_value_opens_a_route(graph_file: Path) -> None:
    origin, destination = _points()
    result = run(
        "route",
        "--graph",
        str(graph_file),
        "--from",
        origin,
        "--to",
        destination,
        "--profile",
        "manual_wheelchair",
        "--set",
        "max_kerb_height_m=0.12",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert WORLD.way_id("sxt") in json.loads(result.stdout)["osm_way_ids"]


def test_no_route_text_in_kazakh(graph_file: Path) -> None:
    origin, destination = _points()
    result = run(
        "route",
        "--graph",
        str(graph_file),
        "--from",
        origin,
        "--to",
        destination,
        "--profile",
        "manual_wheelchair",
        "--lang",
        "kk",
    )
    assert result.returncode == 3
    assert "max_kerb_height_m" in result.stdout
    assert any("\u0400" <= ch <= "\u04ff" for ch in result.stdout)  # Cyrillic


def test_reports_file_closes_the_short_way(graph_file: Path, tmp_path: Path) -> None:
    origin, destination = _points()
    reports = tmp_path / "reports.geojson"
    reports.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": None,
                        "properties": {"type": "construction", "osm_way_id": WORLD.way_id("sxt")},
                    }
                ],
            }
        )
    )
    plain = run(
        "route",
        "--graph",
        str(graph_file),
        "--from",
        origin,
        "--to",
        destination,
        "--format",
        "json",
    )
    closed = run(
        "route",
        "--graph",
        str(graph_file),
        "--from",
        origin,
        "--to",
        destination,
        "--format",
        "json",
        "--reports",
        str(reports),
    )
    assert WORLD.way_id("sxt") in json.loads(plain.stdout)["osm_way_ids"]
    answer = json.loads(closed.stdout)
    assert WORLD.way_id("sxt") not in answer["osm_way_ids"]
    assert answer["reports"][0]["type"] == "construction"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--from", "91,0", "--to", "0,0"), "not a coordinate"),
        (("--from", "abc", "--to", "0,0"), "LAT,LON"),
        (("--profile", "rocket"), "unknown profile"),
        (("--set", "max_kerb_height_m=5"), "from 0 to 1 m"),
        (("--set", "frobnicate=1"), "unknown profile parameter"),
        (("--set", "nonsense"), "KEY=VALUE"),
        (("--lang", "fr"), "unknown language"),
        (("--at", "yesterday"), "ISO-8601"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    graph_file: Path, args: tuple[str, ...], words: str
) -> None:
    origin, destination = _points()
    base = ["route", "--graph", str(graph_file), "--from", origin, "--to", destination]
    result = run(*base, *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_profiles_lists_and_describes() -> None:
    listing = run("profiles")
    assert listing.returncode == 0
    for name in (
        "pedestrian",
        "manual_wheelchair",
        "powered_wheelchair",
        "walker",
        "blind",
        "stroller",
    ):
        assert name in listing.stdout
    detail = json.loads(run("profiles", "manual_wheelchair", "--json").stdout)
    kerb = next(p for p in detail["parameters"] if p["parameter"] == "max_kerb_height_m")
    assert (kerb["minimum"], kerb["value"], kerb["maximum"], kerb["unit"]) == (0, 0.03, 1.0, "m")
    assert any("ADA" in source for source in detail["sources"])

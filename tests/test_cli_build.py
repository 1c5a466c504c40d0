"""`stepfree build` and `stepfree inspect` from the installed command: bad input in every form.

Each bad input gets one line naming the problem and the fix, a non-zero exit, no traceback,
and no graph file left behind (an older graph at the same path stays intact).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import stepfree
from stepfree._api import sample_city_path

SAMPLE = sample_city_path()


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepfree", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("stepfree: error: ")
    for word in words:
        assert word in lines[0]


def _truncated(tmp_path: Path) -> Path:
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(SAMPLE.read_bytes()[:300_000])
    return path


def _corrupt(tmp_path: Path) -> Path:
    data = bytearray(SAMPLE.read_bytes())
    for i in range(200_000, 200_400):
        data[i] ^= 0x5A
    path = tmp_path / "corrupt.osm.pbf"
    path.write_bytes(bytes(data))
    return path


def _empty_extract(tmp_path: Path) -> Path:
    path = tmp_path / "empty.osm"
    path.write_text('<?xml version="1.0"?>\n<osm version="0.6"></osm>\n', encoding="utf-8")
    return path


def _zero_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "zero.osm.pbf"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda p: p / "missing.osm.pbf", 2, ("does not exist", "stepfree download")),
        (_truncated, 1, ("corrupt or truncated", "download it again")),
        (_corrupt, 1, ("corrupt or truncated",)),
        (_empty_extract, 1, ("no walkable ways",)),
        (_zero_bytes, 1, ("empty",)),
        (lambda p: p, 2, ("not a file",)),
    ],
    ids=["missing", "truncated", "corrupt", "empty-extract", "zero-bytes", "a-folder"],
)
def test_bad_input_file(tmp_path: Path, make, code: int, words: tuple[str, ...]) -> None:
    source = make(tmp_path)
    output = tmp_path / "out.sfg"
    result = run("build", str(source), "-o", str(output))
    assert_one_clear_line(result, code, *words)
    assert not output.exists()
    assert not list(tmp_path.glob("*.tmp"))


def test_failed_build_keeps_an_older_graph(tmp_path: Path) -> None:
    output = tmp_path / "out.sfg"
    stepfree.build_graph(None, output)
    before = output.read_bytes()
    result = run("build", str(_truncated(tmp_path)), "-o", str(output))
    assert result.returncode == 1
    assert output.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--bbox", "0,0,1,1"), 1, ("no walkable ways", "bbox")),
        (("--bbox", "1,2,3"), 2, ("W,S,E,N",)),
        (("--bbox", "25,60,24,61"), 2, ("not a box",)),
        (("--city", "atlantis"), 2, ("unknown city preset", "astana")),
        (("--city", "astana", "--bbox", "0,0,1,1"), 2, ("only one of",)),
        (("--polygon", "missing.geojson"), 2, ("does not exist",)),
        (("--frobnicate",), 2, ("unrecognized arguments", "--help")),
    ],
)
def test_bad_options(
    tmp_path: Path, args: tuple[str, ...], code: int, words: tuple[str, ...]
) -> None:
    output = tmp_path / "out.sfg"
    result = run("build", str(SAMPLE), "-o", str(output), *args, cwd=tmp_path)
    assert_one_clear_line(result, code, *words)
    assert not output.exists()


def test_polygon_without_a_polygon(tmp_path: Path) -> None:
    line = tmp_path / "line.geojson"
    line.write_text(json.dumps({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}))
    result = run("build", str(SAMPLE), "--polygon", str(line), "-o", str(tmp_path / "o.sfg"))
    assert_one_clear_line(result, 2, "no Polygon")


def test_polygon_clips_while_reading(tmp_path: Path) -> None:
    west, south, east, north = 24.940, 60.165, 24.948, 60.170
    polygon = {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, south]]],
    }  # a triangle
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "Feature", "geometry": polygon, "properties": {}}))
    output = tmp_path / "o.sfg"
    result = run("build", str(SAMPLE), "--polygon", str(area), "-o", str(output))
    assert result.returncode == 0, result.stderr
    graph = stepfree.load_graph(output)
    lon, lat = graph.node("lon"), graph.node("lat")
    assert graph.n_edges > 10
    # every node lies inside the triangle (below its diagonal from SW to NE)
    assert ((lat - south) <= (lon - west) * (north - south) / (east - west) + 1e-9).all()


def test_corrupt_graph_file_for_inspect(tmp_path: Path) -> None:
    path = tmp_path / "bad.sfg"
    path.write_bytes(b"STEPFREE" * 20)
    assert_one_clear_line(run("inspect", str(path)), 1, "stepfree build")


def test_inspect_json_and_problems(tmp_path: Path) -> None:
    graph = tmp_path / "g.sfg"
    stepfree.build_graph(None, graph)
    problems = tmp_path / "problems.geojson"
    result = run("inspect", str(graph), "--json", "--problems", str(problems))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["graph"]["edges"] == stepfree.load_graph(graph).n_edges
    assert json.loads(problems.read_text())["type"] == "FeatureCollection"


def test_unknown_command() -> None:
    assert_one_clear_line(run("frob"), 2, "invalid choice", "stepfree --help")


def test_export_and_import_osw_from_the_command(tmp_path: Path) -> None:
    graph = tmp_path / "g.sfg"
    stepfree.build_graph(None, graph)
    osw = tmp_path / "city.osw.zip"
    assert run("export", str(graph), "--format", "osw", "-o", str(osw)).returncode == 0
    back = tmp_path / "back.sfg"
    result = run("import-osw", str(osw), "-o", str(back))
    assert result.returncode == 0, result.stderr
    assert stepfree.load_graph(back).n_edges == stepfree.load_graph(graph).n_edges
    geojson = tmp_path / "city.geojson"
    assert run("export", str(graph), "-o", str(geojson)).returncode == 0
    assert json.loads(geojson.read_text())["type"] == "FeatureCollection"
    assert_one_clear_line(
        run("import-osw", str(tmp_path / "none.zip"), "-o", str(back)), 2, "does not exist"
    )


@pytest.mark.slow
def test_dem_that_does_not_cover_the_area(tmp_path: Path) -> None:
    from conftest import shared

    monaco = shared("osm/monaco_2023-12-26.osm.pbf")
    andorra_tile = shared("dem/N42E001.hgt.zip")
    output = tmp_path / "monaco.sfg"
    result = run("build", str(monaco), "--dem", str(andorra_tile), "-o", str(output))
    assert_one_clear_line(result, 1, "covers", "give a DEM tile that covers the area")
    assert not output.exists()
    missing = run("build", str(monaco), "--dem", str(tmp_path / "none.hgt"), "-o", str(output))
    assert_one_clear_line(missing, 2)
    assert not output.exists()

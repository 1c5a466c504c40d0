"""The edges of the `stepfree` command a new user meets first: negative coordinates, files
that cannot be written, a reader that goes away, `-o -`, `--version`, `--help`, and the
messages for a folder given as a file and a fraction given for a whole number."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import stepfree
from stepfree.cli import main
from stepfree.profiles.listing import parameter_table

from worlds import World


@dataclass
class PlacedWorld(World):
    """A world drawn around another origin (lon, lat) than Astana's (``World.origin``)."""

    def point(self, letter: str) -> str:
        lon, lat = self.positions()[letter]
        return f"{lat:.6f},{lon:.6f}"


FOOTWAY = {"highway": "footway", "surface": "asphalt", "incline": "0", "width": "2"}
SKETCH = """
    a----b----c
"""
#: Porto: west of Greenwich (negative longitudes), as in the issue's --bbox.
PORTO = PlacedWorld(SKETCH, ways={"abc": FOOTWAY}, origin=(-8.6100, 41.1450))
#: Cape Town: south of the equator (negative latitudes), as in the issue's --from.
CAPE_TOWN = PlacedWorld(SKETCH, ways={"abc": FOOTWAY}, origin=(18.4200, -33.9200))


def one_error_line(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("stepfree: error: "), err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def run(*args: str, **options: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "stepfree", *args],
        capture_output=True,
        timeout=300,
        check=False,
        **options,
    )


@pytest.fixture(scope="module")
def porto(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("porto")
    return PORTO.write(folder)


@pytest.fixture(scope="module")
def cape_town_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cape-town")
    path = folder / "cape-town.sfg"
    stepfree.build_graph(CAPE_TOWN.write(folder), path)
    return path


# --- negative coordinates without "=" -------------------------------------------------------


def test_a_bbox_west_of_greenwich_needs_no_equals_sign(porto: Path, tmp_path: Path) -> None:
    output = tmp_path / "porto.sfg"
    code = main(["build", str(porto), "-o", str(output), "--bbox", "-8.62,41.14,-8.60,41.15"])
    assert code == 0
    graph = stepfree.load_graph(output)
    assert graph.n_edges == 1
    assert graph.meta["settings"]["area"]["bbox"] == [-8.62, 41.14, -8.60, 41.15]


def test_points_south_of_the_equator_need_no_equals_sign(
    cape_town_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = CAPE_TOWN.point("a"), CAPE_TOWN.point("c")
    assert start.startswith("-33.")
    code = main(["route", "--graph", str(cape_town_graph), "--from", start, "--to", end])
    assert code == 0, capsys.readouterr().err
    assert "You have arrived" in capsys.readouterr().out
    code = main(["isochrone", "--graph", str(cape_town_graph), "--from", start, "--minutes", "1"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["type"] == "FeatureCollection"


# --- files the user named -----------------------------------------------------------------


def test_build_into_a_folder_that_takes_no_file_is_one_line(
    porto: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", str(porto), "-o", "/proc/x.sfg"]) == 2
    one_error_line(capsys, "/proc/x.sfg", "choose a file in a folder you can write to")
    assert not [p for p in os.listdir("/proc") if p.startswith(".x.sfg")]


@pytest.mark.parametrize(
    ("output", "words"),
    [
        ("/nonexistent/x.zip", ("/nonexistent", "does not exist")),
        ("/proc/x.zip", ("/proc/x.zip", "you can write to")),
    ],
)
def test_export_to_a_file_that_cannot_be_written_is_one_line(
    cape_town_graph: Path, capsys: pytest.CaptureFixture[str], output: str, words: tuple[str]
) -> None:
    assert main(["export", str(cape_town_graph), "--format", "osw", "-o", output]) == 2
    one_error_line(capsys, *words)


def test_inspect_problems_into_a_missing_folder_is_one_line_and_nothing_printed(
    cape_town_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["inspect", str(cape_town_graph), "--problems", "/nonexistent/p.geojson"])
    assert code == 2
    assert capsys.readouterr().out == ""  # the check comes before the report
    main(["inspect", str(cape_town_graph), "--problems", "/nonexistent/p.geojson"])
    one_error_line(capsys, "/nonexistent/p.geojson", "does not exist")


def test_inspect_problems_is_written_whole_or_not_at_all(
    cape_town_graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = tmp_path / "p.geojson"
    problems.write_text("earlier", encoding="utf-8")
    assert main(["inspect", str(tmp_path / "missing.sfg"), "--problems", str(problems)]) == 2
    assert problems.read_text(encoding="utf-8") == "earlier"  # untouched by the failed run
    capsys.readouterr()
    assert main(["inspect", str(cape_town_graph), "--problems", str(problems)]) == 0
    assert json.loads(problems.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.geojson"]  # no temporary file


def test_reports_given_as_a_folder_says_it_is_a_folder(
    cape_town_graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = CAPE_TOWN.point("a"), CAPE_TOWN.point("c")
    args = ["route", "--graph", str(cape_town_graph), "--from", start, "--to", end]
    assert main([*args, "--reports", str(tmp_path)]) == 2
    line = one_error_line(capsys, str(tmp_path), "is a folder, not a file")
    assert "does not exist" not in line


# --- standard output ------------------------------------------------------------------------


def test_export_dash_writes_geojson_to_stdout_and_no_file(
    cape_town_graph: Path, tmp_path: Path
) -> None:
    result = run("export", str(cape_town_graph), "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["type"] == "FeatureCollection"
    assert len([f for f in document["features"] if f["properties"]["kind"] == "edge"]) == 1
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_export_dash_writes_the_osw_zip_to_stdout(cape_town_graph: Path, tmp_path: Path) -> None:
    result = run("export", str(cape_town_graph), "--format", "osw", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    archive = tmp_path / "got.zip"
    archive.write_bytes(result.stdout)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
    assert any(name.endswith(".edges.OSW.geojson") for name in names), names
    assert [p.name for p in tmp_path.iterdir()] == ["got.zip"]


def test_a_reader_that_goes_away_ends_the_command_quietly(cape_town_graph: Path) -> None:
    start, end = CAPE_TOWN.point("a"), CAPE_TOWN.point("c")
    command = [sys.executable, "-m", "stepfree", "route", "--graph", str(cape_town_graph)]
    with subprocess.Popen(
        [*command, "--from", start, "--to", end, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        process.stdout.close()  # as `| head -0` does: every write meets a closed pipe
        _, err = process.communicate(timeout=120)
    assert process.returncode == 141, err
    assert err == b""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_a_pipe_to_head_gets_its_line_and_no_traceback(cape_town_graph: Path) -> None:
    export = f"{sys.executable} -m stepfree export {cape_town_graph} -o -"
    result = subprocess.run(
        ["bash", "-c", f"{export} 2>err.txt | head -c 10; echo; cat err.txt"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cape_town_graph.parent,
    )
    first, _, err = result.stdout.partition("\n")
    assert first.startswith("{")
    assert err == ""


# --- version, help, messages --------------------------------------------------------------


def test_version_is_printed() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"stepfree {stepfree.__version__}"


def test_top_level_help_speaks_to_a_user() -> None:
    text = run("--help").stdout.decode()
    assert "Thin" not in text
    assert "``" not in text
    assert "wheelchair" in text
    assert "exit codes: 0 success, 1 unusable data, 2 bad input, 3 no route" in text
    assert "--version" in text


def test_a_fraction_for_a_whole_number_parameter_says_whole_number(
    cape_town_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = CAPE_TOWN.point("a"), CAPE_TOWN.point("c")
    args = ["route", "--graph", str(cape_town_graph), "--from", start, "--to", end]
    assert main([*args, "--set", "max_step_count=2.5"]) == 2
    one_error_line(capsys, "max_step_count=2.5", "a whole number from 0 to 10000")
    assert main([*args, "--set", "max_kerb_height_m=x"]) == 2
    line = one_error_line(capsys, "max_kerb_height_m=x", "a number from 0 to 1")
    assert "whole" not in line


def test_profile_table_shows_each_facet_whole(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "manual_wheelchair"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for row in parameter_table("manual_wheelchair"):
        line = next(line for line in lines if f" {row['parameter']} " in line)
        assert line.split()[0] == row["facet"], line
    columns = {
        line.index(row["parameter"])
        for row in parameter_table("manual_wheelchair")
        for line in lines
        if f" {row['parameter']} " in line
    }
    assert len(columns) == 1  # the parameter column is aligned


# --- download -d --------------------------------------------------------------------------


@pytest.fixture
def not_found_site() -> Iterator[str]:
    """A server on loopback that answers every request 404."""

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *_args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_failed_download_creates_no_folder(
    tmp_path: Path, not_found_site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "new" / "extracts"
    code = main(["download", "nosuch/region", "-d", str(folder), "--base-url", not_found_site])
    assert code == 2
    one_error_line(capsys, "no extract named 'nosuch/region'")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{probe.getsockname()[1]}"
    assert main(["download", "asia/kazakhstan", "-d", str(folder), "--base-url", nobody]) == 1
    one_error_line(capsys, "nothing was saved")
    assert not (tmp_path / "new").exists()

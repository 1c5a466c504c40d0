"""The Astana path on stand-ins: a "country file" clipped to the astana preset's bbox.

There is no real Astana extract with pedestrian detail. The slow test moves central Moscow (the
nearest stand-in, see ../shared/data/README.md) into Astana by a constant shift in degrees, which
keeps every way, node and junction, and puts a shifted Monaco east of the city as the part of the
"country" the clip must cut away. The fast tests draw tiny synthetic files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import osmium
import pytest

import stepfree
from stepfree import cli
from stepfree.cities import city
from stepfree.graph.model import Graph
from stepfree.ingest.area import Area

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ASTANA = city("astana").bbox
FAR_ID_OFFSET = 10**10  # above every OSM node and way id of the 2020 Moscow extract (< 8e9)
COUNTRY = "kazakhstan-latest.osm.pbf"


def _inside_astana(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    west, south, east, north = ASTANA
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _assert_all_in_astana(graph: Graph) -> None:
    assert graph.n_nodes > 0
    assert graph.n_edges > 0
    assert _inside_astana(graph.node("lon"), graph.node("lat")).all()
    assert _inside_astana(graph.arrays["geom.lon"], graph.arrays["geom.lat"]).all()


def _centre(path: Path) -> tuple[float, float]:
    """Centre of the file's header bbox (degrees)."""
    reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
    box = reader.header().box()
    reader.close()
    return ((box.bottom_left.lon + box.top_right.lon) / 2,
            (box.bottom_left.lat + box.top_right.lat) / 2)


def _write_shifted(writer: osmium.SimpleWriter, source: Path, target: tuple[float, float],
                   id_offset: int, kind: type) -> None:
    """Copy one kind of object of ``source``, moved so its header centre lands on ``target``."""
    lon0, lat0 = _centre(source)
    dlon, dlat = target[0] - lon0, target[1] - lat0
    for obj in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
        if kind is osmium.osm.Node and obj.is_node():
            location = (obj.location.lon + dlon, obj.location.lat + dlat)
            writer.add_node(obj.replace(id=obj.id + id_offset, location=location))
        elif kind is osmium.osm.Way and obj.is_way():
            nodes = [ref.ref + id_offset for ref in obj.nodes]
            writer.add_way(obj.replace(id=obj.id + id_offset, nodes=nodes))


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[float, float]]:
    """A stand-in country file: Moscow centre moved into Astana, Monaco moved east of it.

    Returns the file and the (lon, lat) shift applied to Moscow.
    """
    moscow = SHARED / "osm" / "moscow_center_2020-07.osm.pbf"
    monaco = SHARED / "osm" / "monaco_2023-12-26.osm.pbf"
    if not (moscow.is_file() and monaco.is_file()):
        pytest.skip(f"shared data not found at {SHARED} (needs osm/moscow_center_2020-07.osm.pbf "
                    "and osm/monaco_2023-12-26.osm.pbf)")
    west, south, east, north = ASTANA
    centre = ((west + east) / 2, (south + north) / 2)
    far = (east + 0.45, centre[1])  # Monaco spans 0.1 deg of longitude: wholly east of the bbox
    path = tmp_path_factory.mktemp("country") / COUNTRY
    writer = osmium.SimpleWriter(str(path))
    try:  # nodes before ways, as in any sorted file, so that ways find their locations
        for kind in (osmium.osm.Node, osmium.osm.Way):
            _write_shifted(writer, moscow, centre, 0, kind)
            _write_shifted(writer, monaco, far, FAR_ID_OFFSET, kind)
    finally:
        writer.close()
    lon0, lat0 = _centre(moscow)
    return path, (centre[0] - lon0, centre[1] - lat0)


@pytest.mark.slow
def test_country_file_clipped_to_astana_keeps_only_the_city(
    standin: tuple[Path, tuple[float, float]], tmp_path: Path
) -> None:
    path, (dlon, dlat) = standin
    whole = stepfree.build_graph(path)  # control: the far copy is in the file and walkable
    assert (whole.node("osm_id") >= FAR_ID_OFFSET).sum() > 100

    output = tmp_path / "astana.sfg"
    graph = stepfree.build_graph(path, output, area=Area(bbox=ASTANA, label="city astana"))
    _assert_all_in_astana(graph)
    assert not (graph.node("osm_id") >= FAR_ID_OFFSET).any()
    assert not (graph.edge("osm_way_id") >= FAR_ID_OFFSET).any()
    assert graph.n_nodes == whole.n_nodes - int((whole.node("osm_id") >= FAR_ID_OFFSET).sum())
    assert stepfree.load_graph(output).n_edges == graph.n_edges

    # The shift kept the geometry: the same junctions and edges as Moscow itself, moved.
    moscow = stepfree.build_graph(SHARED / "osm" / "moscow_center_2020-07.osm.pbf")
    assert (graph.n_nodes, graph.n_edges) == (moscow.n_nodes, moscow.n_edges)
    np.testing.assert_array_equal(graph.node("osm_id"), moscow.node("osm_id"))
    np.testing.assert_allclose(graph.node("lon") - dlon, moscow.node("lon"), atol=1.5e-7)
    np.testing.assert_allclose(graph.node("lat") - dlat, moscow.node("lat"), atol=1.5e-7)


@pytest.mark.slow
def test_cli_build_with_city_preset(
    standin: tuple[Path, tuple[float, float]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = standin
    output = tmp_path / "out.sfg"
    assert cli.main(["build", str(path), "--city", "astana", "-o", str(output)]) == 0
    assert f"wrote {output}" in capsys.readouterr().out
    graph = stepfree.load_graph(output)
    _assert_all_in_astana(graph)
    assert not (graph.node("osm_id") >= FAR_ID_OFFSET).any()
    assert graph.meta["settings"]["area"]["label"] == "city astana"


# ---- fast tests on a synthetic file ------------------------------------------------------------

STEP_DEG = 0.001  # grid spacing, about 70 m east-west and 110 m north-south at Astana


def _grid(writer: osmium.SimpleWriter, lon0: float, lat0: float, first_id: int) -> list[int]:
    """A 3x3 grid of footways (6 ways) with its corner at lon0, lat0; returns its node ids."""
    ids = [[first_id + 3 * row + col for col in range(3)] for row in range(3)]
    for row in range(3):
        for col in range(3):
            location = (lon0 + col * STEP_DEG, lat0 + row * STEP_DEG)
            writer.add_node(osmium.osm.mutable.Node(id=ids[row][col], location=location))
    lines = [*ids, *([ids[r][c] for r in range(3)] for c in range(3))]
    for number, nodes in enumerate(lines):
        tags = {"highway": "footway"}
        writer.add_way(osmium.osm.mutable.Way(id=first_id + number, nodes=nodes, tags=tags))
    return [i for row in ids for i in row]


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, list[int], list[int]]:
    """Grids inside and east of Astana, and a footway across the bbox's east edge.

    Returns the file, the ids of the nodes inside, and the ids of the nodes outside.
    """
    west, south, east, north = ASTANA
    path = tmp_path / COUNTRY
    writer = osmium.SimpleWriter(str(path))
    try:
        inside = _grid(writer, (west + east) / 2, (south + north) / 2, 1000)
        outside = _grid(writer, east + 0.5, (south + north) / 2, 2000)
        edge_ids = [3000, 3001, 3002, 3003]  # two nodes inside the east edge, two beyond it
        for node_id, lon in zip(edge_ids, (east - 0.002, east - 0.001, east + 0.001, east + 0.002),
                                strict=True):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, south + 0.1)))
        writer.add_way(osmium.osm.mutable.Way(id=3000, nodes=edge_ids,
                                              tags={"highway": "footway"}))
    finally:
        writer.close()
    return path, [*inside, 3000, 3001], [*outside, 3002, 3003]


def test_clip_cuts_ways_at_the_city_edge(synthetic: tuple[Path, list[int], list[int]]) -> None:
    path, inside, outside = synthetic
    graph = stepfree.build_graph(path, area=Area(bbox=ASTANA))
    _assert_all_in_astana(graph)
    ids = set(graph.node("osm_id").tolist())
    assert ids <= set(inside)
    assert not ids & set(outside)
    assert {3000, 3001} <= ids  # the crossing way is kept up to its last node inside
    assert graph.edges_of_way(3000).size == 1
    assert graph.edges_of_way(2000).size == 0


def test_cli_unknown_city_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stepfree.cli", "build", str(tmp_path / "x.osm.pbf"),
         "--city", "atlantis", "-o", str(tmp_path / "out.sfg")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unknown city preset 'atlantis'" in lines[0]
    assert "astana" in lines[0]  # names the presets that exist
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.sfg").exists()


def test_cli_bbox_with_nothing_walkable_exits_1(
    synthetic: tuple[Path, list[int], list[int]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _, _ = synthetic
    output = tmp_path / "out.sfg"
    code = cli.main(["build", str(path), "--bbox", "71.30,51.00,71.31,51.01", "-o", str(output)])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no walkable ways found" in err
    assert not output.exists()

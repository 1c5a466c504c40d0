"""DEM reading and incline sampling: synthetic tiles (fast) and Monaco with SRTM3 (slow)."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tifffile

import stepfree
from stepfree.attributes import Source, Tri
from stepfree.errors import BadData, BadInput
from stepfree.geo import EARTH_RADIUS_M
from stepfree.graph.build import graph_from_records
from stepfree.graph.model import Graph
from stepfree.graph.terrain import graph_with_dem_inclines
from stepfree.ingest.dem import WINDOW_M, Dem, dem_from_path
from stepfree.ingest.tags import way_attributes
from stepfree.ingest.ways import WayRecord

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
M_PER_DEG = math.pi / 180 * EARTH_RADIUS_M
CELL = 1 / 1200  # SRTM3 spacing, degrees
VOID_ROW, VOID_COL = 600, 900  # one void cell in the synthetic tile


def plane_m(lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
    """The synthetic terrain of tile N43E007: +1 m per cell northward, +2 m per cell eastward."""
    return (np.asarray(lat) - 43.0) / CELL + 2 * (np.asarray(lon) - 7.0) / CELL


@pytest.fixture(scope="module")
def hgt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows, cols = np.mgrid[0:1201, 0:1201]
    raw = ((1200 - rows) + 2 * cols).astype(">i2")
    raw[VOID_ROW, VOID_COL] = -32768
    path = tmp_path_factory.mktemp("dem") / "N43E007.hgt"
    path.write_bytes(raw.tobytes())
    return path


@pytest.fixture(scope="module")
def dem(hgt: Path) -> Dem:
    return dem_from_path(hgt)


def _way(osm_id: int, tags: dict[str, str], lon: list[float], lat: list[float]) -> WayRecord:
    attrs = way_attributes({"highway": "footway", **tags})
    assert attrs is not None
    ids = np.arange(osm_id * 100, osm_id * 100 + len(lon), dtype=np.int64)
    return WayRecord(osm_id, attrs, ids, np.array(lon), np.array(lat))


def _north(
    osm_id: int, lon: float, lat: float, metres: float, tags: dict[str, str] | None = None
) -> WayRecord:
    return _way(osm_id, tags or {}, [lon, lon], [lat, lat + metres / M_PER_DEG])


def _graph(ways: list[WayRecord]) -> Graph:
    return graph_from_records(ways, {}, meta={"settings": {"dem": "synthetic"}})


def _edge(graph: Graph, osm_id: int) -> int:
    (edge,) = graph.edges_of_way(osm_id)
    return int(edge)


# --- reading and interpolation ----------------------------------------------------------------


def test_hgt_georeference(dem: Dem) -> None:
    assert dem.elevation_m.shape == (1201, 1201)
    assert dem.bounds() == pytest.approx((7.0, 43.0, 8.0, 44.0))
    assert dem.name == "N43E007.hgt"


def test_bilinear_is_exact_on_a_tilted_plane(dem: Dem) -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(7.0, 7.7, 2000)  # west of the void's column
    lat = rng.uniform(43.0, 44.0, 2000)
    np.testing.assert_allclose(dem.elevation_at(lon, lat), plane_m(lon, lat), atol=1e-6)


def test_corners_and_borders_are_inside_and_beyond_is_nan(dem: Dem) -> None:
    lon = np.array([7.0, 8.0, 7.0, 8.0, 8.0, 7.25])
    lat = np.array([43.0, 43.0, 44.0, 44.0, 43.5, 44.0])
    np.testing.assert_allclose(dem.elevation_at(lon, lat), plane_m(lon, lat), atol=1e-6)
    assert dem.elevation_at(np.array([7.0, 8.0]), np.array([44.0, 44.0])).tolist() == [
        1200.0,
        3600.0,
    ]
    outside = dem.elevation_at(
        np.array([7.0 - 1e-9, 8.0 + 1e-9, 7.5, 7.5]),
        np.array([43.5, 43.5, 43.0 - 1e-9, 44.0 + 1e-9]),
    )
    assert np.isnan(outside).all()


def test_voids_give_nan_only_where_they_weigh(dem: Dem) -> None:
    void_lon, void_lat = 7.0 + VOID_COL * CELL, 44.0 - VOID_ROW * CELL
    around = dem.elevation_at(
        void_lon + np.array([0.3, -0.3, 0.3, -0.3, 0.5, 0.0]) * CELL,
        void_lat + np.array([0.3, 0.3, -0.3, -0.3, 0.0, 0.0]) * CELL,
    )
    assert np.isnan(around).all()
    # On the neighbouring grid point and on the grid line one cell away the void has no weight.
    lon = void_lon + np.array([1.0, 1.0, -1.0]) * CELL
    lat = void_lat + np.array([0.0, 0.5, 0.0]) * CELL
    np.testing.assert_allclose(dem.elevation_at(lon, lat), plane_m(lon, lat), atol=1e-6)


# --- sampling a graph ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(dem: Dem) -> tuple[Graph, Graph]:
    ways = [
        _north(1, 7.5, 43.5, 100.0),  # uphill as drawn
        _way(2, {}, [7.51, 7.51], [43.5 + 100 / M_PER_DEG, 43.5]),  # the same, drawn downhill
        _north(3, 7.52, 43.5, 8.0),  # short: graded over the 20 m window
        _way(4, {}, [7.53, 7.53 + 60 / M_PER_DEG], [43.5, 43.5]),  # eastward, long
        _way(5, {}, [7.54, 7.54 + 5 / M_PER_DEG], [43.5, 43.5 + 5 / M_PER_DEG]),  # short diagonal
        _north(6, 7.55, 43.5, 50.0, {"incline": "8%"}),  # the tag wins
        _north(7, 7.56, 43.5, 50.0, {"bridge": "yes"}),
        _north(8, 7.57, 43.5, 50.0, {"tunnel": "yes"}),
        _north(9, 7.58, 43.5, 50.0, {"indoor": "yes"}),
        _north(10, 7.59, 43.5, 50.0, {"highway": "elevator"}),
        _north(11, 7.0 + VOID_COL * CELL, 44.0 - VOID_ROW * CELL, 30.0),  # starts on the void
        _north(12, 7.6, 43.5, 50.0, {"incline": "up"}),  # a direction is not a grade
    ]
    graph = _graph(ways)
    return graph, graph_with_dem_inclines(graph, dem)


def test_uphill_is_positive_and_drawing_direction_flips_sign(
    world: tuple[Graph, Graph],
) -> None:
    _, graph = world
    grade = graph.edge("incline_pct")
    north_pct = 100 / M_PER_DEG / CELL  # 1 m per cell of 1/1200 degree of latitude
    assert grade[_edge(graph, 1)] == pytest.approx(north_pct, rel=1e-5)
    assert grade[_edge(graph, 1)] > 0
    assert grade[_edge(graph, 2)] == pytest.approx(-north_pct, rel=1e-5)


def test_long_edge_grade_is_rise_over_length(world: tuple[Graph, Graph]) -> None:
    _, graph = world
    edge = _edge(graph, 4)
    lon, lat = graph.edge_coords(edge).T
    rise = plane_m(lon[-1], lat[-1]) - plane_m(lon[0], lat[0])
    expected = rise / graph.edge("length_m")[edge] * 100
    assert graph.edge("incline_pct")[edge] == pytest.approx(expected, rel=1e-5)


def test_short_edges_use_the_window_along_their_chord(world: tuple[Graph, Graph]) -> None:
    _, graph = world
    grade = graph.edge("incline_pct")
    assert graph.edge("length_m")[_edge(graph, 3)] < WINDOW_M
    assert grade[_edge(graph, 3)] == pytest.approx(100 / M_PER_DEG / CELL, rel=1e-5)
    edge = _edge(graph, 5)
    lon, lat = graph.edge_coords(edge).T
    lat_mid = (lat[0] + lat[-1]) / 2
    east = (lon[-1] - lon[0]) * M_PER_DEG * math.cos(math.radians(lat_mid))
    north = (lat[-1] - lat[0]) * M_PER_DEG
    norm = math.hypot(east, north)
    per_m = (north / norm) / M_PER_DEG / CELL + 2 * (east / norm) / (
        M_PER_DEG * math.cos(math.radians(lat_mid))
    ) / CELL
    assert grade[edge] == pytest.approx(per_m * 100, rel=1e-5)


def test_tags_win_over_the_dem(world: tuple[Graph, Graph]) -> None:
    _, graph = world
    edge = _edge(graph, 6)
    assert graph.edge("incline_pct")[edge] == pytest.approx(8.0)
    assert graph.edge("incline_source")[edge] == Source.TAG


@pytest.mark.parametrize("osm_id", [7, 8, 9, 10], ids=["bridge", "tunnel", "indoor", "elevator"])
def test_structures_are_not_sampled(world: tuple[Graph, Graph], osm_id: int) -> None:
    _, graph = world
    edge = _edge(graph, osm_id)
    assert np.isnan(graph.edge("incline_pct")[edge])
    assert graph.edge("incline_source")[edge] == Source.UNKNOWN


def test_voids_leave_the_incline_unknown(world: tuple[Graph, Graph]) -> None:
    _, graph = world
    edge = _edge(graph, 11)
    assert np.isnan(graph.edge("incline_pct")[edge])
    assert graph.edge("incline_source")[edge] == Source.UNKNOWN


def test_sources_meta_and_input_untouched(world: tuple[Graph, Graph]) -> None:
    before, after = world
    sampled = after.edge("incline_source") == Source.DEM
    assert np.isfinite(after.edge("incline_pct")[sampled]).all()
    assert sampled.sum() == 6  # ways 1-5 and the grade-less incline=up way 12
    assert (
        after.edge("incline_direction")[_edge(after, 12)]
        == before.edge("incline_direction")[_edge(before, 12)]
    )
    # 22 of 24 nodes have a value: both ends of way 11 are in the cells around the void.
    assert after.meta["dem"] == {"file": "N43E007.hgt", "sampled_edges": 6, "coverage_pct": 91.7}
    assert after.meta["settings"] == {"dem": "synthetic"}
    assert (before.edge("incline_source") != Source.DEM).all()
    assert np.isnan(before.edge("incline_pct")[_edge(before, 1)])


def test_a_dem_elsewhere_is_refused(dem: Dem) -> None:
    with pytest.raises(BadData, match=r"the DEM N43E007\.hgt covers 0% of the network") as caught:
        graph_with_dem_inclines(_graph([_north(1, 7.5, 42.9, 100.0)]), dem)
    assert str(caught.value).endswith("; give a DEM tile that covers the area")
    assert "7.0000,43.0000 to 8.0000,44.0000 vs 7.5000,42.9000" in str(caught.value)
    half = _graph([_north(1, 7.5, 42.99, 100.0), _north(2, 7.5, 43.01, 100.0)])
    assert graph_with_dem_inclines(half, dem).meta["dem"]["coverage_pct"] == 50.0  # enough


def test_build_with_an_off_area_dem_leaves_no_file(hgt: Path, tmp_path: Path) -> None:
    osm = tmp_path / "far.osm"
    osm.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
        "<node id='1' version='1' lat='50.0' lon='20.0'/>\n"
        "<node id='2' version='1' lat='50.001' lon='20.0'/>\n"
        "<way id='1' version='1'><nd ref='1'/><nd ref='2'/>"
        "<tag k='highway' v='footway'/></way>\n</osm>\n"
    )
    output = tmp_path / "far.sfg"
    with pytest.raises(BadData, match="covers 0%"):
        stepfree.build_graph(osm, output=output, dem=hgt)
    assert list(tmp_path.iterdir()) == [osm]


# --- GeoTIFF ------------------------------------------------------------------------------


def _geotiff(
    path: Path,
    grid: np.ndarray,
    geokeys: list[int],
    point: bool = False,
    nodata: str | None = "-9999",
) -> Path:
    tags = [
        (33550, "d", 3, (0.01, 0.02, 0.0)),
        (33922, "d", 6, (0, 0, 0, 7.0, 44.0, 0)),
        (34735, "H", len(geokeys), geokeys),
    ]
    if nodata is not None:
        tags.append((42113, "s", 0, nodata))
    if point:
        geokeys[geokeys.index(1025) + 3] = 2
    tifffile.imwrite(path, grid, extratags=tags)
    return path


WGS84_KEYS = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326]


@pytest.mark.parametrize("point", [False, True], ids=["pixel-is-area", "pixel-is-point"])
def test_geotiff_geotransform_and_nodata(tmp_path: Path, point: bool) -> None:
    rows, cols = np.mgrid[0:5, 0:6]
    grid = (10.0 * rows + cols).astype(np.float32)
    grid[4, 5] = -9999
    dem = dem_from_path(_geotiff(tmp_path / "dem.tif", grid, list(WGS84_KEYS), point=point))
    half = 0.0 if point else 0.5
    assert (dem.lon0, dem.lat0) == pytest.approx((7.0 + half * 0.01, 44.0 - half * 0.02))
    # At sample points the grid comes back; between them it is bilinear.
    lon = dem.lon0 + np.array([0.0, 2.0, 1.5, 4.25]) * 0.01
    lat = dem.lat0 - np.array([0.0, 3.0, 0.5, 2.75]) * 0.02
    np.testing.assert_allclose(dem.elevation_at(lon, lat), [0.0, 32.0, 6.5, 31.75], atol=1e-9)
    assert np.isnan(dem.elevation_m[4, 5])
    assert np.isnan(
        dem.elevation_at(np.array([dem.lon0 + 4.5 * 0.01]), np.array([dem.lat0 - 3.5 * 0.02]))
    ).all()


def test_geotiff_in_another_crs_is_refused(tmp_path: Path) -> None:
    mercator = [1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 3857]
    path = _geotiff(tmp_path / "dem.tif", np.zeros((3, 3), np.float32), mercator)
    with pytest.raises(BadData, match=r"EPSG:3857, stepfree reads EPSG:4326 only"):
        dem_from_path(path)
    nad83 = [1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4269]
    with pytest.raises(BadData, match="EPSG:4269"):
        dem_from_path(_geotiff(tmp_path / "nad.tif", np.zeros((3, 3), np.float32), nad83))


def test_tiff_without_georeference_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.tiff"
    tifffile.imwrite(path, np.zeros((3, 3), np.float32))
    with pytest.raises(BadData, match="EPSG:4326 only"):
        dem_from_path(path)


# --- bad input ----------------------------------------------------------------------------


def test_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="does not exist"):
        dem_from_path(tmp_path / "N43E007.hgt.zip")
    with pytest.raises(BadInput, match=r"not a \.hgt"):
        dem_from_path(tmp_path)
    (tmp_path / "dem.png").write_bytes(b"x")
    with pytest.raises(BadInput, match=r"not a \.hgt"):
        dem_from_path(tmp_path / "dem.png")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("N43E007.hgt.zip", b"PK\x03\x04 this is not a zip at all" * 10, "unreadable zip"),
        ("N43E007.hgt", b"\x00" * 1000, "not an SRTM tile"),
        ("N43E007.hgt", b"", "empty"),
        ("elevation.hgt", b"\x00" * (1201 * 1201 * 2), "cannot tell where tile"),
        ("dem.tif", b"II*\x00garbage", "unreadable GeoTIFF"),
    ],
    ids=["corrupt-zip", "short-hgt", "empty", "unnamed-hgt", "corrupt-tif"],
)
def test_corrupt_files_are_bad_data(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadData, match=message) as caught:
        dem_from_path(path)
    assert "\n" not in str(caught.value)


def test_zip_read_in_memory_and_checked(tmp_path: Path, hgt: Path) -> None:
    good = tmp_path / "tile.hgt.zip"  # the tile name comes from the member
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(hgt, "N43E007.hgt")
    dem = dem_from_path(good)
    assert dem.bounds() == pytest.approx((7.0, 43.0, 8.0, 44.0))
    assert list(tmp_path.iterdir()) == [good]  # nothing extracted
    empty = tmp_path / "N43E007.hgt.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "no tile here")
    with pytest.raises(BadData, match=r"holds 0 \.hgt files"):
        dem_from_path(empty)
    truncated = tmp_path / "cut.hgt.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(BadData, match="unreadable zip"):
        dem_from_path(truncated)


# --- Monaco with SRTM3 --------------------------------------------------------------------

MONACO = DATA / "osm" / "monaco_2023-12-26.osm.pbf"
MONACO_DEM = DATA / "dem" / "N43E007.hgt.zip"
ANDORRA_DEM = DATA / "dem" / "N42E001.hgt.zip"


def _need_data() -> None:
    if not (MONACO.is_file() and MONACO_DEM.is_file() and ANDORRA_DEM.is_file()):
        pytest.skip(f"real data not found under {DATA} (the shared data folder is absent)")


@pytest.fixture(scope="module")
def monaco(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, Graph]:
    _need_data()
    output = tmp_path_factory.mktemp("monaco") / "monaco.sfg"
    plain = stepfree.build_graph(MONACO)
    stepfree.build_graph(MONACO, output=output, dem=MONACO_DEM)
    return plain, stepfree.load_graph(output)


@pytest.mark.slow
def test_monaco_grades_are_plausible(monaco: tuple[Graph, Graph]) -> None:
    plain, graph = monaco
    source, grade = graph.edge("incline_source"), graph.edge("incline_pct")
    sampled = source == Source.DEM
    assert sampled.mean() > 0.8
    assert np.isfinite(grade[sampled]).all()
    assert graph.meta["dem"]["file"] == "N43E007.hgt.zip"
    assert graph.meta["dem"]["sampled_edges"] == int(sampled.sum())
    assert graph.meta["dem"]["coverage_pct"] > 95
    assert graph.meta["settings"]["dem"] == str(MONACO_DEM)
    long_grades = np.abs(grade[sampled & (graph.edge("length_m") >= 20)])
    assert 2 < np.median(long_grades) < 10  # data README: median ~5.3 %, p90 ~18.9 %
    assert 10 < np.percentile(long_grades, 90) < 30
    # Every finite incline is either from a tag (as before) or from the DEM.
    tagged = plain.edge("incline_source") == Source.TAG
    np.testing.assert_array_equal(grade[tagged], plain.edge("incline_pct")[tagged])
    assert (source[tagged] == Source.TAG).all()
    assert (np.isfinite(grade) == (tagged | sampled)).all()


@pytest.mark.slow
def test_monaco_structures_stay_unknown(monaco: tuple[Graph, Graph]) -> None:
    _, graph = monaco
    structure = (
        (graph.edge("bridge") == Tri.YES)
        | (graph.edge("tunnel") == Tri.YES)
        | (graph.edge("indoor") == Tri.YES)
    )
    assert structure.sum() > 100
    assert (graph.edge("incline_source")[structure] != Source.DEM).all()


@pytest.mark.slow
def test_monaco_with_the_andorra_tile_is_refused(tmp_path: Path) -> None:
    _need_data()
    output = tmp_path / "monaco.sfg"
    with pytest.raises(BadData, match=r"the DEM N42E001\.hgt\.zip covers 0% of the network"):
        stepfree.build_graph(MONACO, output=output, dem=ANDORRA_DEM)
    assert list(tmp_path.iterdir()) == []


def test_mapped_step_direction_sets_the_sign(tmp_path: Path) -> None:
    """Steps tagged incline=up keep rising in the drawing direction whatever the DEM says."""
    from worlds import World

    world = World("a------b", ways={"ab": {"highway": "steps", "incline": "up"}})
    graph = world.graph(tmp_path)
    lon0, lat0 = float(graph.node("lon").min()), float(graph.node("lat").min())
    # a DEM falling to the east, where the steps (drawn west to east) are tagged as rising
    size = 1201
    cols = np.arange(size, dtype=np.float64)
    elevation = np.tile(1000.0 - cols * 5.0, (size, 1))
    dem = Dem(elevation, math.floor(lon0), math.floor(lat0) + 1, 1 / 1200, 1 / 1200, "test")
    out = graph_with_dem_inclines(graph, dem)
    assert out.edge("incline_pct")[0] > 0
    assert out.edge("incline_source")[0] == Source.DEM

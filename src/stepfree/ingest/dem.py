"""Terrain: read a digital elevation model and give untagged edges a grade from it.

Two formats are read, both in EPSG:4326 (longitude, latitude in degrees):

- SRTM ``.hgt`` tiles (or a ``.hgt.zip`` holding one, read in memory): a square grid of
  big-endian int16 metres, 1201x1201 (3 arc-seconds, ~90 m) or 3601x3601 (1 arc-second,
  ~30 m). The tile name (``N43E007``) gives the south-west corner; samples are points
  (the first row lies on the north edge, the last on the south edge); -32768 is a void.
- GeoTIFF (``.tif``/``.tiff``) through ``tifffile``, with the geotransform from the
  ModelPixelScale and ModelTiepoint tags, the CRS from the GeoKey directory (only EPSG:4326 is
  accepted) and voids from the GDAL_NODATA tag.

Sampling (:func:`graph_with_dem_inclines`) interpolates elevations bilinearly and is vectorised
over all edges. The grade of an edge is the net rise from its first to its last geometry point
over its length along the geometry, signed in the drawing direction (u to v). A 90 m grid makes
the rise over a few metres mostly noise, so an edge shorter than :data:`WINDOW_M` is given the
grade over a :data:`WINDOW_M` span centred on the midpoint of its end points, along the straight
line through them (a neighbour-following window would be better but needs the topology walk).
"""

from __future__ import annotations

import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tifffile

from stepfree.errors import BadData, BadInput
from stepfree.geo import EARTH_RADIUS_M, haversine_m

#: Shortest span (m) a grade is measured over. SRTM3 cells are ~90 m, so the rise over a few
#: metres is interpolation noise; 20 m is the lower end of the 20-50 m the data notes advise.
WINDOW_M = 20.0
#: Edges whose end points are closer than this (m) have no direction to sample along (loops).
MIN_CHORD_M = 0.5
#: SRTM void value (SRTM documentation, "Data voids are assigned the value -32768").
SRTM_VOID = -32768
#: SRTM grid sizes: samples per side -> arc-seconds per sample (3" SRTM3, 1" SRTM1).
SRTM_SIZES = {1201: 3, 3601: 1}
DEM_SUFFIXES = (".hgt", ".hgt.zip", ".tif", ".tiff")

_TILE_NAME = re.compile(r"([NS])(\d{2})([EW])(\d{3})", re.IGNORECASE)
# TIFF tag codes (GeoTIFF 1.1, OGC 19-008r4; GDAL's private nodata tag).
_PIXEL_SCALE, _TIEPOINT, _TRANSFORM, _GEOKEYS, _GDAL_NODATA = 33550, 33922, 34264, 34735, 42113
# GeoKey ids and values.
_MODEL_TYPE, _RASTER_TYPE, _GEOGRAPHIC_TYPE, _PROJECTED_TYPE = 1024, 1025, 2048, 3072
_MODEL_GEOGRAPHIC, _PIXEL_IS_POINT, _EPSG_WGS84 = 2, 2, 4326
_M_PER_DEG = math.pi / 180 * EARTH_RADIUS_M


@dataclass(frozen=True)
class Dem:
    """An elevation grid in EPSG:4326.

    ``elevation_m[row, col]`` is the elevation at longitude ``lon0 + col * dlon`` and latitude
    ``lat0 - row * dlat`` (row 0 is the northernmost); ``NaN`` marks a void.
    """

    elevation_m: np.ndarray  # float32 (rows, cols)
    lon0: float  # longitude of column 0, degrees
    lat0: float  # latitude of row 0, degrees
    dlon: float  # degrees per column (> 0)
    dlat: float  # degrees per row (> 0, latitude falls as the row grows)
    name: str = ""

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the sample points, degrees."""
        rows, cols = self.elevation_m.shape
        return (
            self.lon0,
            self.lat0 - (rows - 1) * self.dlat,
            self.lon0 + (cols - 1) * self.dlon,
            self.lat0,
        )

    def elevation_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Bilinearly interpolated elevation (m, float64) at each point.

        ``NaN`` outside the grid of samples, or where a void has weight in the interpolation.
        """
        grid = self.elevation_m
        rows, cols = grid.shape
        col = (np.asarray(lon, dtype=np.float64) - self.lon0) / self.dlon
        row = (self.lat0 - np.asarray(lat, dtype=np.float64)) / self.dlat
        inside = (col >= 0) & (col <= cols - 1) & (row >= 0) & (row <= rows - 1)
        c0 = np.clip(np.floor(np.where(inside, col, 0)), 0, cols - 2).astype(np.intp)
        r0 = np.clip(np.floor(np.where(inside, row, 0)), 0, rows - 2).astype(np.intp)
        fc, fr = col - c0, row - r0
        total = np.zeros(col.shape, dtype=np.float64)
        for dr, dc, weight in (
            (0, 0, (1 - fr) * (1 - fc)),
            (0, 1, (1 - fr) * fc),
            (1, 0, fr * (1 - fc)),
            (1, 1, fr * fc),
        ):
            value = grid[r0 + dr, c0 + dc].astype(np.float64)
            # A void with zero weight (a point on a grid line next to it) does not spoil the sum.
            total += np.where(weight == 0, 0.0, weight * value)
        return np.where(inside, total, np.nan)


def _fail(path: Path, problem: str, fix: str) -> BadData:
    return BadData(f"DEM {path}: {problem}; {fix}")


def _srtm_from_bytes(data: bytes, tile: str, path: Path) -> Dem:
    match = _TILE_NAME.search(tile)
    if match is None:
        raise _fail(
            path,
            f"cannot tell where tile {tile!r} lies",
            "SRTM tiles are named after their south-west corner, like N43E007.hgt",
        )
    side = math.isqrt(len(data) // 2)
    if side not in SRTM_SIZES or side * side * 2 != len(data):
        raise _fail(
            path,
            f"{len(data)} bytes is not an SRTM tile (1201x1201 or 3601x3601 int16)",
            "download the tile again",
        )
    raw = np.frombuffer(data, dtype=">i2").reshape(side, side)
    elevation = raw.astype(np.float32)
    elevation[raw == SRTM_VOID] = np.nan
    south = int(match[2]) * (1 if match[1].upper() == "N" else -1)
    west = int(match[4]) * (1 if match[3].upper() == "E" else -1)
    step = SRTM_SIZES[side] / 3600
    return Dem(elevation, float(west), float(south + 1), step, step, path.name)


def _hgt_from_zip(path: Path) -> Dem:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".hgt")]
            if len(members) != 1:
                raise _fail(
                    path,
                    f"holds {len(members)} .hgt files, not one",
                    "give a zip with a single SRTM tile, or the .hgt itself",
                )
            data = archive.read(members[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise _fail(path, f"unreadable zip ({exc})", "download the tile again") from exc
    tile = Path(members[0]).name
    return _srtm_from_bytes(data, tile if _TILE_NAME.search(tile) else path.name, path)


def _geokeys(values: tuple[int, ...]) -> dict[int, int]:
    """Inline (short) GeoKeys from a GeoKeyDirectory: key id -> value."""
    count = values[3] if len(values) >= 4 else 0
    keys = {}
    for i in range(count):
        key, location, _count, value = values[4 + 4 * i : 8 + 4 * i]
        if location == 0:
            keys[key] = value
    return keys


def _tiff(path: Path) -> Dem:
    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first  # page 0, always a TiffPage (never a TiffFrame)
            tags = {tag.code: tag.value for tag in page.tags.values()}
            grid = np.squeeze(page.asarray())
    except (
        tifffile.TiffFileError,
        ValueError,
        OSError,
        struct.error,
        IndexError,
        KeyError,
        zlib.error,
    ) as exc:
        raise _fail(path, f"unreadable GeoTIFF ({exc})", "export it again as a GeoTIFF") from exc
    if grid.ndim != 2 or min(grid.shape) < 2:
        raise _fail(
            path,
            f"a raster of shape {grid.shape} is not a single-band elevation grid",
            "give one band of at least 2x2 cells",
        )
    keys = _geokeys(tuple(int(v) for v in tags.get(_GEOKEYS, ())))
    if _PROJECTED_TYPE in keys or keys.get(_MODEL_TYPE) not in (None, _MODEL_GEOGRAPHIC):
        crs = f"EPSG:{keys[_PROJECTED_TYPE]}" if _PROJECTED_TYPE in keys else "a projected CRS"
        raise _fail(
            path,
            f"is in {crs}, stepfree reads EPSG:4326 only",
            "reproject it (gdalwarp -t_srs EPSG:4326)",
        )
    if keys.get(_GEOGRAPHIC_TYPE) != _EPSG_WGS84:
        found = keys.get(_GEOGRAPHIC_TYPE)
        raise _fail(
            path,
            f"has CRS {'EPSG:' + str(found) if found else 'not given'}, "
            "stepfree reads EPSG:4326 only",
            "reproject it (gdalwarp -t_srs EPSG:4326)",
        )
    scale, tie = tags.get(_PIXEL_SCALE), tags.get(_TIEPOINT)
    if scale is None or tie is None or len(scale) < 2 or len(tie) < 6:
        problem = (
            "has a rotated or sheared geotransform"
            if _TRANSFORM in tags
            else "has no ModelPixelScale/ModelTiepoint tags"
        )
        raise _fail(path, problem, "write it north-up (gdalwarp -t_srs EPSG:4326)")
    dlon, dlat = float(scale[0]), float(scale[1])
    if not (dlon > 0 and dlat > 0):
        raise _fail(path, f"pixel scale {dlon}, {dlat} is not positive", "write it north-up")
    # PixelIsArea (the default): the tiepoint is a cell corner, samples sit at cell centres.
    half = 0.0 if keys.get(_RASTER_TYPE) == _PIXEL_IS_POINT else 0.5
    i, j, x, y = float(tie[0]), float(tie[1]), float(tie[3]), float(tie[4])
    lon0, lat0 = x + (half - i) * dlon, y - (half - j) * dlat
    elevation = grid.astype(np.float32)
    nodata = tags.get(_GDAL_NODATA)
    if nodata is not None:
        try:
            elevation[grid == float(str(nodata).strip().strip("\x00"))] = np.nan
        except ValueError as exc:
            raise _fail(path, f"GDAL_NODATA {nodata!r} is not a number", "fix the tag") from exc
    return Dem(elevation, lon0, lat0, dlon, dlat, path.name)


def dem_from_path(path: Path) -> Dem:
    """Read an SRTM ``.hgt``/``.hgt.zip`` tile or a GeoTIFF in EPSG:4326.

    Parameters
    ----------
    path
        The DEM file.

    Returns
    -------
    Dem
        The elevation grid, voids as ``NaN``.

    Raises
    ------
    BadInput
        The file does not exist, is a folder, or has a suffix we do not read.
    BadData
        The file is empty, corrupt, not a DEM, or not in EPSG:4326.
    """
    path = Path(path)
    if not path.exists():
        raise BadInput(
            f"DEM file {path} does not exist; check the path to the .hgt, .hgt.zip or GeoTIFF tile"
        )
    name = path.name.lower()
    if not path.is_file() or not name.endswith(DEM_SUFFIXES):
        raise BadInput(
            f"DEM {path} is not a .hgt, .hgt.zip, .tif or .tiff file; give an SRTM "
            "tile or a GeoTIFF in EPSG:4326"
        )
    if path.stat().st_size == 0:
        raise _fail(path, "the file is empty (0 bytes)", "download it again")
    if name.endswith(".zip"):
        return _hgt_from_zip(path)
    if name.endswith(".hgt"):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _fail(path, f"cannot be read ({exc})", "check its permissions") from exc
        return _srtm_from_bytes(data, path.name, path)
    return _tiff(path)


def _offset(
    lon: np.ndarray, lat: np.ndarray, east_m: np.ndarray, north_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move points by metres east/north on the local equirectangular plane."""
    return (lon + east_m / (_M_PER_DEG * np.cos(np.radians(lat))), lat + north_m / _M_PER_DEG)


def grades_between(
    dem: Dem,
    lon_a: np.ndarray,
    lat_a: np.ndarray,
    lon_b: np.ndarray,
    lat_b: np.ndarray,
    length_m: np.ndarray,
) -> np.ndarray:
    """Signed grade (%) from a to b; ``NaN`` where the DEM has no value or no direction."""
    chord = haversine_m(lon_a, lat_a, lon_b, lat_b)
    short = length_m < WINDOW_M
    long = ~short
    grade = np.full(length_m.shape, np.nan)
    grade[long] = (
        (dem.elevation_at(lon_b[long], lat_b[long]) - dem.elevation_at(lon_a[long], lat_a[long]))
        / length_m[long]
        * 100
    )
    if short.any():
        lat_mid = (lat_a[short] + lat_b[short]) / 2
        lon_mid = (lon_a[short] + lon_b[short]) / 2
        east = (lon_b[short] - lon_a[short]) * _M_PER_DEG * np.cos(np.radians(lat_mid))
        north = (lat_b[short] - lat_a[short]) * _M_PER_DEG
        norm = np.hypot(east, north)
        norm[norm == 0] = 1.0  # such edges are dropped below (chord < MIN_CHORD_M)
        half_e, half_n = east / norm * WINDOW_M / 2, north / norm * WINDOW_M / 2
        z_hi = dem.elevation_at(*_offset(lon_mid, lat_mid, half_e, half_n))
        z_lo = dem.elevation_at(*_offset(lon_mid, lat_mid, -half_e, -half_n))
        grade[short] = (z_hi - z_lo) / WINDOW_M * 100
    grade[chord < MIN_CHORD_M] = np.nan
    return grade

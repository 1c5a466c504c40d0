"""The raster behind isochrones: filled contours of a grid, distance fields of line pieces.

Contours are checked against the grid itself (every node below the level inside, every other
node outside), against shapely's validity rules (holes within their shell, polygons apart)
and for monotonicity (a field lower everywhere gives polygons that contain these). The field
is checked against shapely's exact distance to the pieces.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from stepfree.routing.reach.contour import Rings, contour_rings
from stepfree.routing.reach.raster import CLEARANCE_M, _field

LEVEL = 25.0


def _geometry(rings: Rings) -> shapely.Geometry:
    """The rings as one shapely (Multi)Polygon."""
    polygons = []
    for p in range(rings.polygon_offsets.shape[0] - 1):
        first, last = rings.polygon_offsets[p], rings.polygon_offsets[p + 1]
        parts = [
            rings.points[rings.ring_offsets[r] : rings.ring_offsets[r + 1]]
            for r in range(first, last)
        ]
        polygons.append(shapely.Polygon(parts[0], parts[1:]))
    return shapely.MultiPolygon(polygons) if len(polygons) != 1 else polygons[0]


def _nodes(shape: tuple[int, int], cell: float) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.indices(shape)
    return cols * cell, rows * cell


def _assert_oriented(geometry: shapely.Geometry) -> None:
    """Outer rings counter-clockwise, holes clockwise (GeoJSON's right-hand rule)."""
    for polygon in shapely.get_parts(geometry):
        assert polygon.exterior.is_ccw
        assert not any(hole.is_ccw for hole in polygon.interiors)


def test_a_cone_gives_a_disc() -> None:
    cell = 2.0
    x, y = _nodes((60, 60), cell)
    field = np.hypot(x - 59.0, y - 61.0)
    rings = contour_rings(field, LEVEL, 0.0, 0.0, cell)
    disc = _geometry(rings)
    assert disc.geom_type == "Polygon"
    assert disc.is_valid
    _assert_oriented(disc)
    assert disc.area == pytest.approx(math.pi * LEVEL**2, rel=0.01)
    assert rings.points[0].tolist() == rings.points[rings.ring_offsets[1] - 1].tolist()  # closed


def test_an_annulus_has_a_hole_with_an_island_in_it() -> None:
    cell = 1.0
    x, y = _nodes((140, 140), cell)
    r = np.hypot(x - 70.3, y - 69.8)
    # inside (below 0): the annulus 20 < r < 50, and the disc r < 8 in its middle
    field = np.minimum(np.abs(r - 35.0) - 15.0, r - 8.0)
    geometry = _geometry(contour_rings(field, 0.0, 0.0, 0.0, cell))
    assert geometry.is_valid
    _assert_oriented(geometry)
    parts = sorted(shapely.get_parts(geometry), key=lambda p: p.area)
    assert [len(p.interiors) for p in parts] == [0, 1]
    island, annulus = parts
    assert shapely.Polygon(annulus.interiors[0]).contains(island)
    assert annulus.area == pytest.approx(math.pi * (50**2 - 20**2), rel=0.01)
    assert island.area == pytest.approx(math.pi * 8**2, rel=0.03)


@pytest.mark.parametrize("seed", range(12))
def test_random_fields_give_valid_polygons_that_nest(seed: int) -> None:
    # rough fields: many saddles, holes within polygons within holes
    rng = np.random.default_rng(seed)
    shape = (30, 40)
    field = rng.uniform(0.0, 2.0, shape)
    lower = field - rng.uniform(0.0, 0.4, shape)  # lower at every node
    for f in (field, lower):
        f[[0, -1], :] = f[:, [0, -1]] = 5.0  # the border is outside
    x, y = _nodes(shape, 1.0)
    shapes = []
    for f in (field, lower):
        geometry = _geometry(contour_rings(f, 1.0, 0.0, 0.0, 1.0))
        assert geometry.is_valid, shapely.is_valid_reason(geometry)
        _assert_oriented(geometry)
        inside = shapely.contains_xy(geometry, x, y)
        np.testing.assert_array_equal(inside, f < 1.0)  # every node on its side
        shapes.append(geometry)
    small, large = shapes
    assert large.buffer(1e-9).contains(small)
    assert small.area < large.area


def test_the_field_is_the_distance_to_the_pieces_of_each_band_so_far() -> None:
    rng = np.random.default_rng(7)
    cell = 10.0
    starts = rng.uniform(-200, 200, (40, 2))
    ends = starts + rng.uniform(-60, 60, (40, 2))
    ends[:5] = starts[:5]  # a few points
    pieces = np.column_stack((starts, ends))
    band = rng.integers(0, 3, 40)
    field, x0, y0, window = _field(pieces, band, 3, LEVEL, cell)
    rows, cols = np.indices(field.shape[1:])
    x, y = x0 + cols * cell, y0 + rows * cell
    lines = shapely.linestrings(np.stack((starts, ends), axis=1))
    lines = np.where(shapely.length(lines) > 0, lines, shapely.points(starts))
    for k in range(3):
        exact = shapely.distance(shapely.union_all(lines[band <= k]), shapely.points(x, y))
        near = exact <= LEVEL + cell  # computed there, capped beyond
        expected = np.where(np.abs(exact - LEVEL) < CLEARANCE_M, LEVEL + CLEARANCE_M, exact)
        np.testing.assert_allclose(field[k][near], expected[near], atol=1e-3)
        assert np.all(field[k][~near] > LEVEL)
        # each band's window holds every node within reach of its pieces
        j0, i0, j1, i1 = window[k]
        inner = np.zeros(field.shape[1:], dtype=bool)
        inner[i0 : i1 + 1, j0 : j1 + 1] = True
        assert not np.any(near & ~inner)
    assert np.all(np.diff(field, axis=0) <= 0)  # lower band by band: polygons nest

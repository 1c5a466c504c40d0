"""Isochrone shapes from a raster: distance to the reached ways on a grid, cut at one distance.

The reached network of each time is a set of line pieces in a local plane (metres east and
north of the origin). A grid of `CELL_M` nodes, anchored at the origin, holds at each node the
exact distance to the nearest piece reached within that time. Only nodes within
``buffer_m + CELL_M`` of a piece are computed (the others hold that distance): a farther node
has no neighbour within ``buffer_m``, so no grid edge of it is crossed by the cut. Each piece
is written into its own time's layer, then each layer takes the minimum with the layers
before it, so a request for several times costs about what its largest costs. The polygon
of a time is where the distance is under ``buffer_m`` (`isochrone_contour`), the crossing on
each grid edge interpolated linearly: exact beside straight ways (the distance to a line is
linear), within a few decimetres round the ends of ways.

Nesting: a piece reached within a time is reached within any longer one, so each node's
distance can only fall from one time to the next, and the contours are monotone in the node
values: each polygon lies within the next one, exactly, on the same grid.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from stepfree.graph.model import Graph
from stepfree.routing.reach.contour import Rings, trace_contour

#: Grid spacing (m): 10 m keeps the cut within a few decimetres of the true band round the
#: ends of ways (linear interpolation of the distance to a point, at 25 m) and the grid of a
#: 15-minute walk (about 2 km across) near 40,000 nodes.
CELL_M = 10.0
#: No crossing is placed closer than this to a grid node (m): node values within it of the
#: cut move just outside, so vertices are at least this far apart and the 1 cm rounding of
#: output coordinates cannot fold a ring onto itself. A monotone change: nesting holds.
CLEARANCE_M = 0.1


@njit(cache=True, nogil=True)
def _pieces(
    edges: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    band: np.ndarray,
    geom_indptr: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    plane: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Line pieces ``[ax, ay, bx, by]`` (local metres) of each stretch, and their bands
    (stretches of band -1 are left out).

    ``plane`` is ``[lon0, lat0, metres per degree east, metres per degree north, x, y]``,
    ``x, y`` where the person stands: the last piece, a point in band 0. A stretch runs over
    fractions ``start..stop`` of its edge's planar length.
    """
    lon0, lat0, kx, ky = plane[0], plane[1], plane[2], plane[3]
    total = 1
    for s in range(edges.shape[0]):
        if band[s] >= 0:
            total += geom_indptr[edges[s] + 1] - geom_indptr[edges[s]] - 1
    out = np.empty((total, 4))
    out_band = np.empty(total, np.int64)
    n = 0
    for s in range(edges.shape[0]):
        if band[s] < 0:
            continue
        first, last = geom_indptr[edges[s]], geom_indptr[edges[s] + 1] - 1
        length = 0.0
        for i in range(first, last):
            dx, dy = (lon[i + 1] - lon[i]) * kx, (lat[i + 1] - lat[i]) * ky
            length += math.sqrt(dx * dx + dy * dy)
        lo, hi = start[s] * length, stop[s] * length
        along = 0.0
        for i in range(first, last):
            ax, ay = (lon[i] - lon0) * kx, (lat[i] - lat0) * ky
            bx, by = (lon[i + 1] - lon0) * kx, (lat[i + 1] - lat0) * ky
            step = math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay))
            a, b = max(lo, along), min(hi, along + step)
            if b > a:
                ta, tb = (a - along) / step, (b - along) / step
                out[n, 0], out[n, 1] = ax + ta * (bx - ax), ay + ta * (by - ay)
                out[n, 2], out[n, 3] = ax + tb * (bx - ax), ay + tb * (by - ay)
                out_band[n] = band[s]
                n += 1
            along += step
            if along >= hi:
                break
    out[n, 0], out[n, 1], out[n, 2], out[n, 3] = plane[4], plane[5], plane[4], plane[5]
    out_band[n] = 0
    return out[: n + 1], out_band[: n + 1]


@njit(cache=True, nogil=True, fastmath=True)
def _squared(
    pieces: np.ndarray,
    band: np.ndarray,
    x0: float,
    y0: float,
    cell: float,
    reach_m: float,
    field: np.ndarray,
) -> None:
    """Lower each node of ``field[band]`` (float32) to its squared distance to each piece of
    that band, over the box of nodes within ``reach_m`` of the piece.

    A plain box, in float32, relative to its first node: the rows vectorise, which beats
    clipping each row to the piece's capsule; float32 is exact to a few micrometres here.
    """
    ny, nx = field.shape[1], field.shape[2]
    zero, one, step = np.float32(0.0), np.float32(1.0), np.float32(cell)
    for s in range(pieces.shape[0]):
        ax, ay, bx, by = pieces[s, 0], pieces[s, 1], pieces[s, 2], pieces[s, 3]
        i0 = max(0, math.ceil((min(ay, by) - reach_m - y0) / cell))
        i1 = min(ny - 1, math.floor((max(ay, by) + reach_m - y0) / cell))
        j0 = max(0, math.ceil((min(ax, bx) - reach_m - x0) / cell))
        j1 = min(nx - 1, math.floor((max(ax, bx) + reach_m - x0) / cell))
        first_x = np.float32(x0 + j0 * cell - ax)  # node x - a, at column j0
        first_y = np.float32(y0 + i0 * cell - ay)
        dx, dy = np.float32(bx - ax), np.float32(by - ay)
        l2 = dx * dx + dy * dy
        inv = one / l2 if l2 > zero else zero
        rows = field[band[s]]
        for i in range(i1 - i0 + 1):
            py = first_y + np.float32(i) * step
            row = rows[i0 + i]
            for j in range(j1 - j0 + 1):
                px = first_x + np.float32(j) * step
                t = min(max((px * dx + py * dy) * inv, zero), one)
                ex, ey = px - t * dx, py - t * dy
                row[j0 + j] = min(row[j0 + j], ex * ex + ey * ey)


@njit(cache=True, nogil=True)
def _field(
    pieces: np.ndarray, band: np.ndarray, n_bands: int, level: float, cell: float
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """Distance from each node to the nearest piece of each band or an earlier one.

    Returns the field ``[band, row, column]`` (``level + cell`` where farther), the position
    of node ``[0, 0]`` and, per band, the window of nodes ``[column, row, last column, last
    row]`` around its pieces and those of earlier bands: nodes outside it are farther than
    ``level + cell`` from them, never read for that band, and left at the square of it.
    """
    reach_m = level + cell
    window = np.empty((n_bands, 4), np.int64)
    last = pieces.shape[0] - 1  # the point where the person stands, in band 0
    low_x, low_y, high_x, high_y = (
        pieces[last, 0],
        pieces[last, 1],
        pieces[last, 0],
        pieces[last, 1],
    )
    for k in range(n_bands):  # bands' boxes, each within the next
        for s in range(pieces.shape[0]):
            if band[s] == k:
                low_x = min(low_x, pieces[s, 0], pieces[s, 2])
                low_y = min(low_y, pieces[s, 1], pieces[s, 3])
                high_x = max(high_x, pieces[s, 0], pieces[s, 2])
                high_y = max(high_y, pieces[s, 1], pieces[s, 3])
        window[k, 0] = math.floor((low_x - reach_m) / cell)
        window[k, 1] = math.floor((low_y - reach_m) / cell)
        window[k, 2] = math.ceil((high_x + reach_m) / cell)
        window[k, 3] = math.ceil((high_y + reach_m) / cell)
    j0, i0 = window[n_bands - 1, 0], window[n_bands - 1, 1]
    for k in range(n_bands):  # plain loops here and below: array expressions and np.full
        window[k, 0] -= j0  # would triple the time numba takes to compile this
        window[k, 2] -= j0
        window[k, 1] -= i0
        window[k, 3] -= i0
    ny, nx = window[n_bands - 1, 3] + 1, window[n_bands - 1, 2] + 1
    field = np.empty((n_bands, ny, nx), np.float32)
    cap = np.float32(reach_m * reach_m)
    for k in range(n_bands):
        for i in range(ny):
            for j in range(nx):
                field[k, i, j] = cap
    x0, y0 = j0 * cell, i0 * cell
    _squared(pieces, band, x0, y0, cell, reach_m, field)
    clear = np.float32(level + CLEARANCE_M)
    low, high = np.float32(level - CLEARANCE_M), clear
    for i in range(ny):  # distances to the bands so far, kept clear of the level
        for j in range(nx):
            first = 0  # bands whose window misses the node hold the cap there
            while not (
                window[first, 0] <= j <= window[first, 2]
                and window[first, 1] <= i <= window[first, 3]
            ):
                first += 1
            smallest = field[first, i, j]
            for k in range(first, n_bands):
                smallest = min(smallest, field[k, i, j])
                value = np.float32(math.sqrt(smallest))
                field[k, i, j] = clear if low < value < high else value
    return field, x0, y0, window


@njit(cache=True, nogil=True)
def _bands(
    edges: np.ndarray, start: np.ndarray, stop: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """The band of each stretch of reaches laid end to end (reach ``k`` is rows
    ``offsets[k]:offsets[k + 1]``, sorted by edge then start): ``k`` where the stretch is new
    or longer than in reach ``k - 1``, -1 where reach ``k - 1`` has it as it is."""
    band = np.empty(edges.shape[0], np.int64)
    for r in range(offsets[0], offsets[1]):
        band[r] = 0
    for k in range(1, offsets.shape[0] - 1):
        i, last = offsets[k - 1], offsets[k]
        for r in range(offsets[k], offsets[k + 1]):
            while i < last and (
                edges[i] < edges[r] or (edges[i] == edges[r] and start[i] < start[r])
            ):
                i += 1
            same = i < last and edges[i] == edges[r] and start[i] == start[r] and stop[i] == stop[r]
            band[r] = -1 if same else k
    return band


@njit(cache=True, nogil=True)
def _reach_fields(
    edges: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    offsets: np.ndarray,
    geom_indptr: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    plane: np.ndarray,
    level: float,
    cell: float,
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """The field of every band and its windows (`_field`), from the reaches' stretches."""
    band = _bands(edges, start, stop, offsets)
    pieces, piece_band = _pieces(edges, start, stop, band, geom_indptr, lon, lat, plane)
    return _field(pieces, piece_band, offsets.shape[0] - 1, level, cell)


def band_rings(
    graph: Graph,
    reaches: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    plane: tuple[float, float, float, float, float, float],
    buffer_m: float,
) -> Rings:
    """Nested polygons, one per reach: the ground within ``buffer_m`` of the stretches
    reached, and of the point where the person stands.

    Parameters
    ----------
    graph : Graph
        The graph whose edge geometry the stretches follow.
    reaches : list of (edges, start, stop)
        Stretches of each reach (fractions of each edge's planar length), sorted by edge then
        start, each reach within the next.
    plane : tuple of float
        ``(lon0, lat0, metres per degree east, metres per degree north, x, y)``: the local
        plane, and where the person stands in it.
    buffer_m : float
        Half-width of the band (m).

    Returns
    -------
    Rings
        The polygons of every reach, reach ``k`` being polygons
        ``band_offsets[k]:band_offsets[k + 1]``.
    """
    sizes = [edges.shape[0] for edges, _, _ in reaches]
    field, x0, y0, window = _reach_fields(
        np.concatenate([r[0] for r in reaches]).astype(np.int64, copy=False),
        np.concatenate([r[1] for r in reaches]),
        np.concatenate([r[2] for r in reaches]),
        np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        graph.arrays["geom.indptr"],
        graph.arrays["geom.lon"],
        graph.arrays["geom.lat"],
        np.array(plane, dtype=np.float64),
        buffer_m,
        CELL_M,
    )
    zero = np.zeros(1, np.int64)
    points: list[np.ndarray] = []
    ring_offsets, polygon_offsets, band_offsets = [zero], [zero], [0]
    n_points = n_rings = 0
    for k, (j0, i0, j1, i1) in enumerate(window.tolist()):
        xy, rings, polygons = trace_contour(
            field[k, i0 : i1 + 1, j0 : j1 + 1], buffer_m, x0 + j0 * CELL_M, y0 + i0 * CELL_M, CELL_M
        )
        points.append(xy)
        ring_offsets.append(rings[1:] + n_points)
        polygon_offsets.append(polygons[1:] + n_rings)
        band_offsets.append(band_offsets[-1] + polygons.shape[0] - 1)
        n_points += xy.shape[0]
        n_rings += rings.shape[0] - 1
    return Rings(
        np.concatenate(points),
        np.concatenate(ring_offsets),
        np.concatenate(polygon_offsets),
        np.array(band_offsets),
    )

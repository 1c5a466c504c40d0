"""Geometry of a found path: partial edges at the ends, and the line walked.

`walk_line` is the compiled form used per route (the coordinates of every piece and their
headings in one call); `edge_slice` is the same cut in numpy, for one piece.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from stepfree.geo import EARTH_RADIUS_M, haversine_m
from stepfree.graph.model import Graph
from stepfree.graph.nearest import haversine_between_m


def edge_slice(graph: Graph, edge: int, start: float, stop: float) -> np.ndarray:
    """Coordinates (k, 2) along ``edge`` from fraction ``start`` to ``stop`` (either order).

    Fractions are of the edge's length from ``u`` (0) to ``v`` (1); the slice runs from
    ``start`` to ``stop``, so a slice with ``start > stop`` runs against the drawing direction.
    """
    coords = graph.edge_coords(edge)
    seg = haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    total = cum[-1]
    low, high = sorted((start, stop))
    if total <= 0:
        part = coords[[0, -1]]
    else:
        at = np.array([low, high]) * total
        inner = coords[(cum > at[0]) & (cum < at[1])]
        ends = np.column_stack((np.interp(at, cum, coords[:, 0]), np.interp(at, cum, coords[:, 1])))
        part = np.vstack((ends[:1], inner, ends[1:]))
    return part if start <= stop else part[::-1]


def join(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate coordinate runs, dropping repeated points where runs meet."""
    kept = [p for p in parts if len(p)]
    if not kept:
        return np.empty((0, 2))
    line = np.vstack(kept)
    same = np.concatenate(([False], np.all(np.abs(np.diff(line, axis=0)) < 1e-10, axis=1)))
    return line[~same]


def line_length_m(coords: np.ndarray) -> float:
    """Length of a line of (lon, lat) points."""
    if len(coords) < 2:
        return 0.0
    return float(haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum())


class Line(NamedTuple):
    """The pieces of a walk drawn one after another (see `walk_line`)."""

    coords: np.ndarray  # (n, 2) lon, lat; piece i is coords[offsets[i]:offsets[i + 1]]
    offsets: np.ndarray  # int64, one more than pieces
    heading_in: np.ndarray  # per piece: bearing from its first point to its last (NaN: 1 point)
    heading_out: np.ndarray  # per piece: bearing of its last segment (NaN: 1 point)


def walk_line(
    graph: Graph, edge: np.ndarray, forward: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> Line:
    """Coordinates of every piece (edge ``edge[i]`` from fraction ``start[i]`` to ``stop[i]``,
    whole when the two are 0 and 1) in the direction walked, and each piece's headings.

    Whole edges are copied from the geometry arrays; partial ones are cut as `edge_slice`
    cuts them."""
    coords, offsets, heading_in, heading_out = _walk_line(
        edge, forward, start, stop, graph.arrays["geom.indptr"], graph.arrays["geom.lon"],
        graph.arrays["geom.lat"], EARTH_RADIUS_M,
    )  # fmt: skip
    return Line(coords, offsets, heading_in, heading_out)


@njit(cache=True, nogil=True)
def _bearing(lon_a, lat_a, lon_b, lat_b):
    lon1, lat1, lon2, lat2 = (
        np.radians(lon_a),
        np.radians(lat_a),
        np.radians(lon_b),
        np.radians(lat_b),
    )
    y = np.sin(lon2 - lon1) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    return np.degrees(np.arctan2(y, x)) % 360


@njit(cache=True, nogil=True)
def _slice(out, at, first, after, start, stop, glon, glat, radius_m):
    # edge_slice of the edge whose points are first..after-1, written into out[at:] when out
    # has rows; returns the number of points
    m = after - first
    cum = np.zeros(m)
    for j in range(1, m):
        cum[j] = cum[j - 1] + haversine_between_m(
            glon[first + j - 1], glat[first + j - 1], glon[first + j], glat[first + j], radius_m
        )
    total = cum[m - 1]
    low, high = min(start, stop), max(start, stop)
    if total <= 0:
        count = 2
        if out.shape[0]:
            a, b = (first, after - 1) if start <= stop else (after - 1, first)
            out[at, 0], out[at, 1] = glon[a], glat[a]
            out[at + 1, 0], out[at + 1, 1] = glon[b], glat[b]
        return count
    at_low, at_high = low * total, high * total
    inner = 0
    for j in range(m):
        if at_low < cum[j] < at_high:
            inner += 1
    count = inner + 2
    if out.shape[0]:
        lons, lats = glon[first:after], glat[first:after]
        rows = np.empty((count, 2))
        rows[0, 0], rows[0, 1] = np.interp(at_low, cum, lons), np.interp(at_low, cum, lats)
        r = 1
        for j in range(m):
            if at_low < cum[j] < at_high:
                rows[r, 0], rows[r, 1] = lons[j], lats[j]
                r += 1
        rows[r, 0], rows[r, 1] = np.interp(at_high, cum, lons), np.interp(at_high, cum, lats)
        for r in range(count):
            source = r if start <= stop else count - 1 - r
            out[at + r, 0], out[at + r, 1] = rows[source, 0], rows[source, 1]
    return count


@njit(cache=True, nogil=True)
def _walk_line(edge, forward, start, stop, geom_indptr, glon, glat, radius_m):
    k = edge.shape[0]
    offsets = np.zeros(k + 1, np.int64)
    no_rows = np.empty((0, 2))
    for i in range(k):
        first, after = geom_indptr[edge[i]], geom_indptr[edge[i] + 1]
        whole = abs(stop[i] - start[i]) == 1.0
        count = (
            after - first
            if whole
            else _slice(no_rows, 0, first, after, start[i], stop[i], glon, glat, radius_m)
        )
        offsets[i + 1] = offsets[i] + count
    coords = np.empty((offsets[k], 2))
    heading_in = np.full(k, np.nan)
    heading_out = np.full(k, np.nan)
    for i in range(k):
        first, after = geom_indptr[edge[i]], geom_indptr[edge[i] + 1]
        at = offsets[i]
        if abs(stop[i] - start[i]) == 1.0:
            for j in range(after - first):
                source = first + j if forward[i] else after - 1 - j
                coords[at + j, 0], coords[at + j, 1] = glon[source], glat[source]
        else:
            _slice(coords, at, first, after, start[i], stop[i], glon, glat, radius_m)
        last = offsets[i + 1] - 1
        if last - at >= 1:
            heading_in[i] = _bearing(coords[at, 0], coords[at, 1], coords[last, 0], coords[last, 1])
            heading_out[i] = _bearing(
                coords[last - 1, 0], coords[last - 1, 1], coords[last, 0], coords[last, 1]
            )
    return coords, offsets, heading_in, heading_out


def walk_osm_nodes(
    graph: Graph, edge: np.ndarray, forward: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """The OSM id of every geometry point passed along the pieces, in the order walked (the
    graph nodes and every node between them; repeats in a row dropped), as OSRM's node
    annotations list them. A partial piece passes the points between its two fractions."""
    ids: np.ndarray = _walk_osm_nodes(
        edge, forward, start, stop, graph.arrays["geom.indptr"], graph.arrays["geom.lon"],
        graph.arrays["geom.lat"], graph.arrays["geom.osm_id"], EARTH_RADIUS_M,
    )  # fmt: skip
    return ids


@njit(cache=True, nogil=True)
def _walk_osm_nodes(edge, forward, start, stop, geom_indptr, glon, glat, geom_osm_id, radius_m):
    total_points = 0
    for i in range(edge.shape[0]):
        total_points += geom_indptr[edge[i] + 1] - geom_indptr[edge[i]]
    out = np.empty(total_points, np.int64)
    n = 0
    for i in range(edge.shape[0]):
        first, after = geom_indptr[edge[i]], geom_indptr[edge[i] + 1]
        m = after - first
        cum = np.zeros(m)
        for j in range(1, m):
            cum[j] = cum[j - 1] + haversine_between_m(
                glon[first + j - 1], glat[first + j - 1], glon[first + j], glat[first + j],
                radius_m,
            )  # fmt: skip
        total = cum[m - 1]
        low, high = min(start[i], stop[i]), max(start[i], stop[i])
        eps = 1e-9 * max(total, 1.0)  # the fractions are of these same lengths
        walked_forward = start[i] <= stop[i] if low != high else forward[i]
        for r in range(m):
            j = r if walked_forward else m - 1 - r
            at = cum[j] / total if total > 0 else (0.0 if j == 0 else 1.0)
            if low * total - eps <= cum[j] <= high * total + eps or (
                total <= 0 and low <= at <= high
            ):
                point = geom_osm_id[first + j]
                if n == 0 or out[n - 1] != point:
                    out[n] = point
                    n += 1
    return out[:n]

"""Snapping: the nearest point of the network to a query point, through the grid of `spatial`.

Compiled (numba): one call per snap searches rings of grid cells outward, then measures how far
along its edge the nearest point lies. Kept apart from `spatial` so that building a graph (which
writes the grid) does not load numba.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from stepfree.geo import EARTH_RADIUS_M

if TYPE_CHECKING:
    from stepfree.graph.model import Graph

SNAP_TO_NODE_M = 0.01  # a snapped point this close to an edge's end is on its node (m)


@dataclass(frozen=True)
class Snap:
    """The nearest point of the network to a query point."""

    edge: int
    fraction: float  # 0 at edge.u, 1 at edge.v, along the edge's length
    distance_m: float
    lon: float
    lat: float


def nearest_edge(
    graph: Graph,
    lon: float,
    lat: float,
    usable: np.ndarray | None = None,
    max_distance_m: float = math.inf,
) -> Snap | None:
    """Nearest point on an edge (optionally only edges where ``usable`` is True).

    Searches rings of grid cells outward and stops once no closer segment can exist.
    """
    arrays = graph.arrays
    lon0, lat0 = graph.meta["origin"]
    nx, ny = (int(v) for v in arrays["grid.shape"])
    x0, y0, cell = (float(v) for v in arrays["grid.origin_m"])
    k = math.pi / 180 * EARTH_RADIUS_M  # the plane of `to_local_m`, for one point
    cos_lat0 = math.cos(math.radians(lat0))
    qx, qy = (lon - lon0) * k * cos_lat0, (lat - lat0) * k
    # distance from the query point to the grid's box: rings before it are empty
    outside = max(0.0, x0 - qx, qx - (x0 + nx * cell), y0 - qy, qy - (y0 + ny * cell))
    first_ring = max(0, int(outside // cell) - 1)
    gx = math.floor((qx - x0) / cell)
    gy = math.floor((qy - y0) / cell)
    last_ring = max(nx, ny) + abs(gx) + abs(gy) + 1
    found, distance, edge, lon, lat, before, total = _snap(
        qx, qy, gx, gy, nx, ny, cell, first_ring, last_ring, float(max_distance_m),
        arrays["grid.cell_ids"], arrays["grid.cell_indptr"], arrays["grid.cell_seg"],
        arrays["grid.seg_start"], arrays["grid.seg_edge"], arrays["geom.indptr"],
        arrays["geom.lon"], arrays["geom.lat"], _read_only(usable),
        usable is not None, k, float(lon0), float(lat0), cos_lat0, EARTH_RADIUS_M,
    )  # fmt: skip
    if not found or distance > max_distance_m:
        return None
    fraction = before / total if total > 0 else 0.0
    # within a centimetre of a node is at the node: no sliver of an edge to walk
    if before < SNAP_TO_NODE_M:
        fraction = 0.0
    elif total - before < SNAP_TO_NODE_M:
        fraction = 1.0
    return Snap(int(edge), fraction, distance, lon, lat)


@njit(cache=True, nogil=True)
def _snap(
    qx, qy, gx, gy, nx, ny, cell, first_ring, last_ring, max_distance_m,
    cell_ids, cell_indptr, cell_seg, seg_start, seg_edge, geom_indptr, glon, glat,
    usable, use_usable, k, lon0, lat0, cos_lat0, radius_m,
):  # fmt: skip
    # one compiled call per snap: the nearest segment, then the point on its edge
    distance, seg, t = _nearest_segment(
        qx, qy, gx, gy, nx, ny, cell, first_ring, last_ring, max_distance_m,
        cell_ids, cell_indptr, cell_seg, seg_start, seg_edge, glon, glat,
        usable, use_usable, k, lon0, lat0, cos_lat0,
    )  # fmt: skip
    if seg < 0:
        return False, distance, -1, 0.0, 0.0, 0.0, 0.0
    edge, lon, lat, before, total = _point_on_edge(
        seg, t, seg_start, seg_edge, geom_indptr, glon, glat, radius_m
    )
    return True, distance, edge, lon, lat, before, total


_NO_MASK = np.zeros(0, dtype=bool)
_NO_MASK.flags.writeable = False


def _read_only(usable: np.ndarray | None) -> np.ndarray:
    """The mask as a read-only array: numba compiles one kernel per writability, and a
    kernel first compiled while serving (the report path passes no mask, routing passes the
    costs' read-only one) would be compiled again by every process that is stopped before it
    writes its cache."""
    if usable is None:
        return _NO_MASK
    if usable.flags.writeable:
        usable = usable.view()
        usable.flags.writeable = False
    return usable


@njit(cache=True, nogil=True)
def _nearest_segment(
    qx, qy, gx, gy, nx, ny, cell, first_ring, last_ring, max_distance_m,
    cell_ids, cell_indptr, cell_seg, seg_start, seg_edge, glon, glat,
    usable, use_usable, k, lon0, lat0, cos_lat0,
):  # fmt: skip
    # rings of cells outward from the query's cell; stops once no closer segment can exist
    best, best_seg, best_t = np.inf, -1, 0.0
    for ring in range(first_ring, last_ring + 1):
        if best_seg >= 0 and best <= (ring - 1) * cell:
            break
        if (ring - 1) * cell > max_distance_m:
            break
        for cy in range(gy - ring, gy + ring + 1):
            if cy < 0 or cy >= ny:
                continue
            edge_row = cy == gy - ring or cy == gy + ring
            step = 1 if edge_row or ring == 0 else 2 * ring
            for cx in range(gx - ring, gx + ring + 1, step):
                if cx < 0 or cx >= nx:
                    continue
                cell_id = cy * nx + cx
                slot = np.searchsorted(cell_ids, cell_id)
                if slot >= cell_ids.shape[0] or cell_ids[slot] != cell_id:
                    continue
                for i in range(cell_indptr[slot], cell_indptr[slot + 1]):
                    seg = cell_seg[i]
                    if use_usable and not usable[seg_edge[seg]]:
                        continue
                    a = seg_start[seg]
                    ax = (glon[a] - lon0) * k * cos_lat0
                    ay = (glat[a] - lat0) * k
                    dx = (glon[a + 1] - lon0) * k * cos_lat0 - ax
                    dy = (glat[a + 1] - lat0) * k - ay
                    norm = dx * dx + dy * dy
                    t = ((qx - ax) * dx + (qy - ay) * dy) / norm if norm > 0 else 0.0
                    t = min(max(t, 0.0), 1.0)
                    ex, ey = ax + t * dx - qx, ay + t * dy - qy
                    distance = np.sqrt(ex * ex + ey * ey)
                    if distance < best or (distance == best and seg < best_seg):
                        best, best_seg, best_t = distance, seg, t
    return best, best_seg, best_t


@njit(cache=True, nogil=True)
def haversine_between_m(lon1, lat1, lon2, lat2, radius_m):
    # great-circle metres between two points (the formula of geo.haversine_m, compiled)
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * radius_m * np.arcsin(np.sqrt(min(max(h, 0.0), 1.0)))


@njit(cache=True, nogil=True)
def _point_on_edge(seg, t, seg_start, seg_edge, geom_indptr, glon, glat, radius_m):
    # the point at share t of segment seg, and how far along its edge it lies (m, of total)
    start = seg_start[seg]
    edge = seg_edge[seg]
    lon = glon[start] + t * (glon[start + 1] - glon[start])
    lat = glat[start] + t * (glat[start + 1] - glat[start])
    before, total = 0.0, 0.0
    for i in range(geom_indptr[edge], geom_indptr[edge + 1] - 1):
        length = haversine_between_m(glon[i], glat[i], glon[i + 1], glat[i + 1], radius_m)
        if i < start:
            before += length
        elif i == start:
            before += t * length
        total += length
    return edge, lon, lat, before, total

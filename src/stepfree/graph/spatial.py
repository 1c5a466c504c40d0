"""Spatial index for snapping: a uniform grid of edge segments, stored in the graph file.

A grid is a pair of flat arrays (cell -> segments, in CSR form), so it memory-maps with the
rest of the graph and costs nothing to load. Coordinates are projected to a local
equirectangular plane around the graph's centre: within a city (tens of km) the distance error
is well under 1 %, which is enough to pick the nearest edge; distances reported to people are
recomputed on the sphere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from stepfree.graph.geo import haversine_m, to_local_m

if TYPE_CHECKING:
    from stepfree.graph.model import Graph

SNAP_TO_NODE_M = 0.01  # a snapped point this close to an edge's end is on its node (m)
CELL_M = 100.0  # grid cell side in metres: a few segments per cell in a dense centre


def grid_arrays(
    indptr: np.ndarray, lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float
) -> dict[str, np.ndarray]:
    """Build the grid over every segment of every edge."""
    x, y = to_local_m(lon, lat, lon0, lat0)
    n_points = lon.shape[0]
    is_last = np.zeros(n_points, dtype=bool)
    is_last[indptr[1:] - 1] = True
    seg_start = np.flatnonzero(~is_last).astype(np.int64)
    seg_edge = (np.searchsorted(indptr, seg_start, side="right") - 1).astype(np.int32)
    x0, y0 = float(x.min()), float(y.min())
    nx = int((x.max() - x0) // CELL_M) + 1
    ny = int((y.max() - y0) // CELL_M) + 1
    ax, bx = x[seg_start], x[seg_start + 1]
    ay, by = y[seg_start], y[seg_start + 1]
    cx0 = ((np.minimum(ax, bx) - x0) // CELL_M).astype(np.int64)
    cx1 = ((np.maximum(ax, bx) - x0) // CELL_M).astype(np.int64)
    cy0 = ((np.minimum(ay, by) - y0) // CELL_M).astype(np.int64)
    cy1 = ((np.maximum(ay, by) - y0) // CELL_M).astype(np.int64)
    # A segment goes into every cell of its bounding box (segments are short: few cells each).
    span_x, span_y = cx1 - cx0 + 1, cy1 - cy0 + 1
    per_seg = span_x * span_y
    seg_rep = np.repeat(np.arange(seg_start.shape[0]), per_seg)
    offset = np.arange(per_seg.sum()) - np.repeat(np.cumsum(per_seg) - per_seg, per_seg)
    cell_x = cx0[seg_rep] + offset % span_x[seg_rep]
    cell_y = cy0[seg_rep] + offset // span_x[seg_rep]
    cell = cell_y * nx + cell_x
    order = np.argsort(cell, kind="stable")
    # Only non-empty cells are stored (sorted ids + CSR), so a country-wide extent with a
    # sparse network costs memory per segment, not per cell of its bounding box.
    cell_ids, counts = np.unique(cell[order], return_counts=True)
    return {
        "grid.seg_start": seg_start,
        "grid.seg_edge": seg_edge,
        "grid.cell_ids": cell_ids.astype(np.int64),
        "grid.cell_indptr": np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        "grid.cell_seg": seg_rep[order].astype(np.int64),
        "grid.shape": np.array([nx, ny], dtype=np.int64),
        "grid.origin_m": np.array([x0, y0, CELL_M], dtype=np.float64),
    }


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
    px, py = to_local_m(np.array([lon]), np.array([lat]), lon0, lat0)
    qx, qy = float(px[0]), float(py[0])
    gx = math.floor((qx - x0) / cell)
    gy = math.floor((qy - y0) / cell)
    glon, glat = arrays["geom.lon"], arrays["geom.lat"]
    seg_start, seg_edge = arrays["grid.seg_start"], arrays["grid.seg_edge"]
    cell_ids = arrays["grid.cell_ids"]
    cell_indptr, cell_seg = arrays["grid.cell_indptr"], arrays["grid.cell_seg"]
    # distance from the query point to the grid's box: rings before it are empty
    outside = max(0.0, x0 - qx, qx - (x0 + nx * cell), y0 - qy, qy - (y0 + ny * cell))
    first_ring = max(0, int(outside // cell) - 1)
    best: tuple[float, int, float] | None = None
    max_ring = max(nx, ny) + abs(gx) + abs(gy) + 1
    for ring in range(first_ring, max_ring + 1):
        if best is not None and best[0] <= (ring - 1) * cell:
            break
        if (ring - 1) * cell > max_distance_m:
            break
        cells = _ring_cells(gx, gy, ring, nx, ny)
        slots = np.searchsorted(cell_ids, cells)
        slots = slots[
            (slots < cell_ids.size) & (cell_ids[np.minimum(slots, cell_ids.size - 1)] == cells)
        ]
        if slots.size == 0:
            continue
        segs = np.concatenate([cell_seg[cell_indptr[c] : cell_indptr[c + 1]] for c in slots])
        if segs.size == 0:
            continue
        if usable is not None:
            segs = segs[usable[seg_edge[segs]]]
            if segs.size == 0:
                continue
        start = seg_start[segs]
        ax, ay = to_local_m(glon[start], glat[start], lon0, lat0)
        bx, by = to_local_m(glon[start + 1], glat[start + 1], lon0, lat0)
        dx, dy = bx - ax, by - ay
        norm = dx * dx + dy * dy
        t = np.where(norm > 0, ((qx - ax) * dx + (qy - ay) * dy) / np.where(norm > 0, norm, 1), 0)
        t = np.clip(t, 0.0, 1.0)
        dist = np.hypot(ax + t * dx - qx, ay + t * dy - qy)
        i = int(np.argmin(dist))
        if best is None or dist[i] < best[0]:
            best = (float(dist[i]), int(segs[i]), float(t[i]))
    if best is None or best[0] > max_distance_m:
        return None
    return _snap_from_segment(graph, best)


def _ring_cells(gx: int, gy: int, ring: int, nx: int, ny: int) -> np.ndarray:
    xs = np.arange(gx - ring, gx + ring + 1)
    ys = np.arange(gy - ring, gy + ring + 1)
    if ring == 0:
        cx, cy = np.array([gx]), np.array([gy])
    else:
        cx = np.concatenate(
            (xs, xs, np.full(ys.size - 2, gx - ring), np.full(ys.size - 2, gx + ring))
        )
        cy = np.concatenate(
            (np.full(xs.size, gy - ring), np.full(xs.size, gy + ring), ys[1:-1], ys[1:-1])
        )
    keep = (cx >= 0) & (cx < nx) & (cy >= 0) & (cy < ny)
    cells: np.ndarray = (cy[keep] * nx + cx[keep]).astype(np.int64)
    return cells


def _snap_from_segment(graph: Graph, best: tuple[float, int, float]) -> Snap:
    arrays = graph.arrays
    distance, seg, t = best
    start = int(arrays["grid.seg_start"][seg])
    edge = int(arrays["grid.seg_edge"][seg])
    glon, glat = arrays["geom.lon"], arrays["geom.lat"]
    lon = float(glon[start] + t * (glon[start + 1] - glon[start]))
    lat = float(glat[start] + t * (glat[start + 1] - glat[start]))
    first = int(arrays["geom.indptr"][edge])
    last = int(arrays["geom.indptr"][edge + 1])
    lons, lats = glon[first:last], glat[first:last]
    seg_len = haversine_m(lons[:-1], lats[:-1], lons[1:], lats[1:])
    before = float(seg_len[: start - first].sum()) + t * float(seg_len[start - first])
    total = float(seg_len.sum())
    fraction = before / total if total > 0 else 0.0
    # within a centimetre of a node is at the node: no sliver of an edge to walk
    if before < SNAP_TO_NODE_M:
        fraction = 0.0
    elif total - before < SNAP_TO_NODE_M:
        fraction = 1.0
    return Snap(edge, fraction, distance, lon, lat)

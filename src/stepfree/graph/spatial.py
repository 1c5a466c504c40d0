"""Spatial index for snapping: a uniform grid of edge segments, stored in the graph file.

A grid is a pair of flat arrays (cell -> segments, in CSR form), so it memory-maps with the
rest of the graph and costs nothing to load. Coordinates are projected to a local
equirectangular plane around the graph's centre: within a city (tens of km) the distance error
is well under 1 %, which is enough to pick the nearest edge; distances reported to people are
recomputed on the sphere.
"""

from __future__ import annotations

import numpy as np

from stepfree.geo import to_local_m

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

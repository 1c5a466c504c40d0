"""Geometry of a found path: partial edges at the ends, and the line walked."""

from __future__ import annotations

import numpy as np

from stepfree.graph.geo import haversine_m
from stepfree.graph.model import Graph


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


def bearing_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Initial bearing from points ``a`` to points ``b`` (rows of lon, lat), degrees clockwise
    from north, one per row."""
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (a[..., 0], a[..., 1], b[..., 0], b[..., 1]))
    y = np.sin(lon2 - lon1) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    bearing: np.ndarray = np.degrees(np.arctan2(y, x)) % 360
    return bearing


def line_length_m(coords: np.ndarray) -> float:
    """Length of a line of (lon, lat) points."""
    if len(coords) < 2:
        return 0.0
    return float(haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum())

"""Filled contours of a grid: polygons (with holes) where a field is below a level.

Marching squares: each cell with corners on both sides of the level holds one piece of the
cut (two in a saddle, joined through the middle when the mean of the four corners is
inside), from the grid edge it leaves by to the one it enters by, with the inside on the
left; each crossing is interpolated linearly along its grid edge. Following the pieces from
edge to edge closes the rings: outer rings run counter-clockwise, holes clockwise (GeoJSON's
right-hand rule, x east and y north). A hole belongs to the polygon whose inside lies just
left of its leftmost crossing of a grid row.

Monotone: a field lower at every node gives polygons that contain these, exactly, because
each crossing moves outward along its edge and the saddle rule moves with the mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True)
class Rings:
    """Polygons as flat arrays: closed rings of points, grouped into polygons, grouped into
    shapes (one shape per time of an isochrone)."""

    points: np.ndarray  # float64 [n, 2], local metres east and north
    ring_offsets: np.ndarray  # int64: ring r is points[ring_offsets[r]:ring_offsets[r + 1]]
    polygon_offsets: np.ndarray  # int64: polygon p is rings polygon_offsets[p]..[p + 1] - 1,
    # its outer ring (counter-clockwise) first, then its holes (clockwise)
    band_offsets: np.ndarray  # int64: shape k is polygons band_offsets[k]..[k + 1] - 1


def contour_rings(field: np.ndarray, level: float, x0: float, y0: float, cell: float) -> Rings:
    """Polygons where ``field < level`` (rows north, columns east; border nodes outside).

    ``field[i, j]`` lies at ``(x0 + j * cell, y0 + i * cell)``.
    """
    points, ring_offsets, polygon_offsets = trace_contour(field, level, x0, y0, cell)
    return Rings(points, ring_offsets, polygon_offsets, np.array([0, polygon_offsets.size - 1]))


@njit(cache=True, nogil=True)
def _crossing(field: np.ndarray, edge: int, n_h: int, level: float) -> tuple[float, float]:
    """Where the cut crosses a grid edge: (column, row) in cells, interpolated linearly."""
    nx = field.shape[1]
    if edge < n_h:  # horizontal: node (i, j) to (i, j + 1)
        i, j = edge // (nx - 1), edge % (nx - 1)
        a, b = field[i, j], field[i, j + 1]
        return j + (level - a) / (b - a), float(i)
    i, j = (edge - n_h) // nx, (edge - n_h) % nx  # vertical: node (i, j) to (i + 1, j)
    a, b = field[i, j], field[i + 1, j]
    return float(j), i + (level - a) / (b - a)


def _case_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per case (bit k set: corner k inside, counter-clockwise from the lower left) the side a
    cell's cut leaves by and the side it enters by (side k runs from corner k to k + 1);
    -1 for the cases with no cut or two (saddles)."""
    leave = np.full(16, -1, np.int64)
    enter = np.full(16, -1, np.int64)
    for case in range(1, 15):
        corner = [bool(case >> k & 1) for k in range(4)]
        if case in (5, 10):
            continue
        for k in range(4):
            if corner[k] and not corner[(k + 1) % 4]:
                leave[case] = k
            elif corner[(k + 1) % 4] and not corner[k]:
                enter[case] = k
    return leave, enter


LEAVE, ENTER = _case_tables()


@njit(cache=True, nogil=True)
def _links(field: np.ndarray, level: float, n_h: int) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares: for each grid edge the cut leaves a cell by, the edge it enters the
    next by (set only where crossed), walking with the inside (``field < level``) on the
    left; and the list of crossed edges."""
    ny, nx = field.shape
    following = np.empty(n_h + (ny - 1) * nx, np.int32)
    crossed = np.empty(following.shape[0], np.int32)
    n_crossed = 0
    side = np.empty(4, np.int64)  # side k runs from corner k to corner k + 1
    for i in range(ny - 1):
        # corners 0 and 3 of the first cell; each next cell's are this one's 1 and 2
        low, high = int(field[i, 0] < level), int(field[i + 1, 0] < level)
        for j in range(nx - 1):
            low_next, high_next = int(field[i, j + 1] < level), int(field[i + 1, j + 1] < level)
            case = low | low_next << 1 | high_next << 2 | high << 3
            low, high = low_next, high_next
            if case == 0 or case == 15:
                continue
            side[0], side[2] = i * (nx - 1) + j, (i + 1) * (nx - 1) + j
            side[1], side[3] = n_h + i * nx + j + 1, n_h + i * nx + j
            if case == 5 or case == 10:  # a saddle: join through the middle?
                mean = (field[i, j] + field[i, j + 1] + field[i + 1, j + 1] + field[i + 1, j]) / 4
                turn = 1 if mean < level else 3  # cut off the outside corners, or the inside
                for k in range(1 if case == 10 else 0, 4, 2):  # sides leaving an inside corner
                    following[side[k]] = side[(k + turn) % 4]
                    crossed[n_crossed] = side[k]
                    n_crossed += 1
                continue
            following[side[LEAVE[case]]] = side[ENTER[case]]
            crossed[n_crossed] = side[LEAVE[case]]
            n_crossed += 1
    return following, crossed[:n_crossed]


@njit(cache=True, nogil=True)
def trace_contour(
    field: np.ndarray, level: float, x0: float, y0: float, cell: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Polygons of ``field < level`` (nodes on the border must be outside); compiled, so
    other kernels call it directly (`contour_rings` is its Python face).

    Returns closed rings' points (local metres, outer rings counter-clockwise, holes
    clockwise), ring offsets into them, and polygon offsets into the rings (each polygon its
    outer ring, then its holes).
    """
    ny, nx = field.shape
    n_h = ny * (nx - 1)
    following, crossed = _links(field, level, n_h)
    owner = np.empty(following.shape[0], np.int32)  # the ring of each crossed edge
    for edge in crossed:
        owner[edge] = -1
    # rings in the order met; each one's signed area and leftmost crossing of a row
    xy = np.empty((crossed.shape[0] + crossed.shape[0], 2))  # a ring closes: +1 point each
    ring_start = np.empty(crossed.shape[0] + 1, np.int64)
    area = np.empty(crossed.shape[0])
    left_x = np.empty(crossed.shape[0])
    left_edge = np.empty(crossed.shape[0], np.int64)
    n_rings = n_points = 0
    for first in crossed:
        if owner[first] >= 0:
            continue
        ring_start[n_rings] = n_points
        twice_area = 0.0
        left_x[n_rings] = np.inf
        edge = first
        while True:
            owner[edge] = n_rings
            col, row = _crossing(field, edge, n_h, level)
            xy[n_points, 0], xy[n_points, 1] = col, row
            if edge < n_h and col < left_x[n_rings]:
                left_x[n_rings], left_edge[n_rings] = col, edge
            if n_points > ring_start[n_rings]:
                px, py = xy[n_points - 1, 0], xy[n_points - 1, 1]
                twice_area += px * row - col * py
            n_points += 1
            edge = following[edge]
            if edge == first:
                break
        xy[n_points, 0], xy[n_points, 1] = xy[ring_start[n_rings], 0], xy[ring_start[n_rings], 1]
        px, py = xy[n_points - 1, 0], xy[n_points - 1, 1]
        twice_area += px * xy[n_points, 1] - xy[n_points, 0] * py
        n_points += 1
        area[n_rings] = twice_area
        n_rings += 1
    ring_start[n_rings] = n_points
    # each hole belongs to the polygon whose inside lies just left of its leftmost crossing:
    # the first ring met going left along that row bounds the same polygon (its outer ring,
    # or another hole of it, whose own leftmost crossing lies farther left: chains end)
    parent = np.empty(n_rings, np.int64)  # plain loops: array expressions compile slowly
    chain = np.empty(n_rings, np.int64)
    for r in range(n_rings):
        parent[r] = r if area[r] >= 0 else -1
    for hole in range(n_rings):
        length = 0
        ring = hole
        while parent[ring] < 0:  # an unplaced hole: step to the ring left of it
            chain[length] = ring
            length += 1
            edge = left_edge[ring]
            i, j = edge // (nx - 1), edge % (nx - 1)
            met = -1
            for jj in range(j - 1, -1, -1):
                if (field[i, jj] < level) != (field[i, jj + 1] < level):
                    met = owner[i * (nx - 1) + jj]
                    break
            if met < 0:  # only if the border were inside: keep the ring as it is
                parent[ring] = ring
            else:
                ring = met
        for c in range(length):
            parent[chain[c]] = parent[ring]
    # polygons in the order their outer rings were met, each its outer ring then its holes
    slot = np.empty(n_rings + 1, np.int64)  # rings of the polygons before each outer ring
    for r in range(n_rings + 1):
        slot[r] = 0
    for r in range(n_rings):
        slot[parent[r] + 1] += 1
    for r in range(n_rings):
        slot[r + 1] += slot[r]
    order = np.empty(n_rings, np.int64)
    for r in range(n_rings):
        if parent[r] == r:
            order[slot[r]] = r
            slot[r] += 1
    for r in range(n_rings):
        if parent[r] != r:
            order[slot[parent[r]]] = r
            slot[parent[r]] += 1
    out = np.empty((n_points, 2))
    ring_offsets = np.empty(n_rings + 1, np.int64)
    polygon_offsets = np.empty(n_rings + 1, np.int64)
    n_polygons = n = 0
    for r in range(n_rings):
        ring = order[r]
        if parent[ring] == ring:
            polygon_offsets[n_polygons] = r
            n_polygons += 1
        ring_offsets[r] = n
        for p in range(ring_start[ring], ring_start[ring + 1]):
            out[n, 0] = x0 + xy[p, 0] * cell
            out[n, 1] = y0 + xy[p, 1] * cell
            n += 1
    ring_offsets[n_rings] = n
    polygon_offsets[n_polygons] = n_rings
    return out, ring_offsets, polygon_offsets[: n_polygons + 1]

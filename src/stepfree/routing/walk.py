"""A found path as a list of pieces walked: partial edges at the ends, whole edges between.

Everything a route says (geometry, summary, ids, instructions, warnings, confidence) is read
from the pieces, so the partial edges at the two ends are described like any other part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepfree.graph.model import Graph
from stepfree.routing.geometry import edge_slice, entry_coords, join
from stepfree.routing.router import Path, Router


@dataclass(frozen=True)
class Piece:
    """One edge or part of one, in the direction walked."""

    edge: int
    forward: bool  # walked from u to v
    start: float  # fraction of the edge (from u) where the piece starts
    stop: float  # ... and where it stops
    node: int  # graph node reached at the end of the piece, -1 at the destination
    entry: int  # CSR entry of this edge in this direction

    @property
    def share(self) -> float:
        return abs(self.stop - self.start)


def pieces(router: Router, path: Path) -> list[Piece]:
    """The pieces of a path, origin to destination."""
    graph = router.graph
    oe, of = path.origin.snap.edge, path.origin.snap.fraction
    de, df = path.destination.snap.edge, path.destination.snap.fraction

    def entry(edge: int, forward: bool) -> int:
        table = router.forward_entry if forward else router.backward_entry
        return int(table[edge])

    if path.start_node < 0:  # both ends on one edge, no node between
        forward = df >= of
        return [Piece(oe, forward, of, df, -1, entry(oe, forward))]
    out = []
    forward = path.start_node == int(graph.edge("v")[oe]) and not (
        path.start_node == int(graph.edge("u")[oe]) and of < 0.5
    )
    out.append(Piece(oe, forward, of, 1.0 if forward else 0.0, path.start_node, entry(oe, forward)))
    csr_edge, csr_forward = graph.arrays["csr.edge"], graph.arrays["csr.forward"]
    csr_target = graph.arrays["csr.target"]
    for e in path.entries.tolist():
        fwd = bool(csr_forward[e])
        out.append(
            Piece(
                int(csr_edge[e]),
                fwd,
                0.0 if fwd else 1.0,
                1.0 if fwd else 0.0,
                int(csr_target[e]),
                int(e),
            )
        )
    forward = path.end_node == int(graph.edge("u")[de]) and not (
        path.end_node == int(graph.edge("v")[de]) and df > 0.5
    )
    out.append(Piece(de, forward, 0.0 if forward else 1.0, df, -1, entry(de, forward)))
    # a point snapped onto a node leaves an empty piece at that end: it is not walked
    if out[0].share == 0 and len(out) > 1:
        out.pop(0)
    if out[-1].share == 0 and len(out) > 1:
        out.pop()
    return out


def piece_coords(graph: Graph, piece: Piece) -> np.ndarray:
    """Coordinates of one piece in the direction walked (whole edges need no interpolation)."""
    if piece.share == 1.0:
        return entry_coords(graph, piece.edge, piece.forward)
    return edge_slice(graph, piece.edge, piece.start, piece.stop)


def coordinates(
    graph: Graph, walk: list[Piece], origin: tuple[float, float], destination: tuple[float, float]
) -> np.ndarray:
    """The line walked (lon, lat), from the origin point to the destination point."""
    parts = [np.array([origin])]
    parts += [piece_coords(graph, p) for p in walk]
    parts.append(np.array([destination]))
    return join(parts)


def lengths_m(graph: Graph, walk: list[Piece]) -> np.ndarray:
    """Length walked on each piece."""
    edge_length = graph.edge("length_m").astype(np.float64)
    return np.array([edge_length[p.edge] * p.share for p in walk])

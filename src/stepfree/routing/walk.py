"""A found route as the pieces walked: partial edges at the ends, whole edges between.

Everything a route says (geometry, summary, ids, instructions, warnings, confidence) is read
from the walk, so the partial edges at the two ends are described like any other part. A
`Walk` holds one array per field (one row per piece), so describing a route of a hundred
pieces is a few array operations, not a hundred Python objects; `Piece` is one row, for the
few places that look at pieces one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from stepfree.graph.model import Graph
from stepfree.routing.geometry import Line, edge_slice, join, walk_line
from stepfree.routing.router import Route, Router


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


@dataclass(frozen=True)
class Walk:
    """The pieces of a route, origin to destination, one array per field."""

    edge: np.ndarray  # int64
    forward: np.ndarray  # bool
    start: np.ndarray  # float64
    stop: np.ndarray  # float64
    node: np.ndarray  # int64; -1 at the destination
    entry: np.ndarray  # int64

    def __len__(self) -> int:
        return int(self.edge.shape[0])

    def __getitem__(self, index: int) -> Piece:
        return Piece(
            int(self.edge[index]),
            bool(self.forward[index]),
            float(self.start[index]),
            float(self.stop[index]),
            int(self.node[index]),
            int(self.entry[index]),
        )

    def __iter__(self) -> Iterator[Piece]:
        return (self[i] for i in range(len(self)))

    @property
    def share(self) -> np.ndarray:
        """Share of each piece's edge walked (1 for whole edges)."""
        share: np.ndarray = np.abs(self.stop - self.start)
        return share

    @property
    def nodes(self) -> np.ndarray:
        """Graph nodes passed, in order."""
        nodes: np.ndarray = self.node[self.node >= 0]
        return nodes


def pieces(router: Router, route: Route) -> Walk:
    """The walk of a route, origin to destination."""
    graph = router.graph
    oe, of = route.origin.snap.edge, route.origin.snap.fraction
    de, df = route.destination.snap.edge, route.destination.snap.fraction
    if route.start_node < 0:  # both ends on one edge, no node between
        along = df >= of
        one = (router.forward_entry if along else router.backward_entry)[oe]
        return _walk([oe], [along], [of], [df], [-1], [one])
    first_forward, last_forward = _end_directions(graph, route)
    entries = route.entries
    n = entries.shape[0] + 2  # the partial first piece, whole edges, the partial last piece
    edge, node, entry = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    forward, start, stop = np.empty(n, bool), np.empty(n), np.empty(n)
    edge[1:-1] = graph.arrays["csr.edge"][entries]
    forward[1:-1] = graph.arrays["csr.forward"][entries]
    start[1:-1] = ~forward[1:-1]  # whole edges run 0 -> 1, or 1 -> 0 when walked backwards
    stop[1:-1] = forward[1:-1]
    node[1:-1] = graph.arrays["csr.target"][entries]
    entry[1:-1] = entries
    edge[0], forward[0], start[0], stop[0] = oe, first_forward, of, float(first_forward)
    edge[-1], forward[-1], start[-1], stop[-1] = de, last_forward, float(not last_forward), df
    node[0], node[-1] = route.start_node, -1
    entry[0] = (router.forward_entry if first_forward else router.backward_entry)[oe]
    entry[-1] = (router.forward_entry if last_forward else router.backward_entry)[de]
    # a point snapped onto a node leaves an empty piece at that end: it is not walked
    first = 1 if start[0] == stop[0] else 0
    last = n - 1 if start[-1] == stop[-1] and n - first > 1 else n
    if first == 0 and last == n:
        return Walk(edge, forward, start, stop, node, entry)
    keep = slice(first, last)
    return Walk(edge[keep], forward[keep], start[keep], stop[keep], node[keep], entry[keep])


def _end_directions(graph: Graph, route: Route) -> tuple[bool, bool]:
    """Whether the first and the last (partial) pieces are walked in drawing direction."""
    oe, of = route.origin.snap.edge, route.origin.snap.fraction
    de, df = route.destination.snap.edge, route.destination.snap.fraction
    u, v = graph.edge("u"), graph.edge("v")
    first = route.start_node == int(v[oe]) and not (route.start_node == int(u[oe]) and of < 0.5)
    last = route.end_node == int(u[de]) and not (route.end_node == int(v[de]) and df > 0.5)
    return first, last


def route_length_m(graph: Graph, route: Route) -> float:
    """Length of a route (the same as summing its walk's pieces, without building the walk)."""
    length = graph.edge("length_m")
    oe, of = route.origin.snap.edge, route.origin.snap.fraction
    de, df = route.destination.snap.edge, route.destination.snap.fraction
    if route.start_node < 0:
        return float(length[oe]) * abs(df - of)
    first_forward, last_forward = _end_directions(graph, route)
    whole = float(length[graph.arrays["csr.edge"][route.entries]].astype(np.float64).sum())
    first = float(length[oe]) * ((1.0 - of) if first_forward else of)
    last = float(length[de]) * (df if last_forward else 1.0 - df)
    return whole + first + last


def _walk(*columns: object) -> Walk:
    edge, forward, start, stop, node, entry = columns
    return Walk(
        np.asarray(edge, dtype=np.int64),
        np.asarray(forward, dtype=bool),
        np.asarray(start, dtype=np.float64),
        np.asarray(stop, dtype=np.float64),
        np.asarray(node, dtype=np.int64),
        np.asarray(entry, dtype=np.int64),
    )


def piece_line(graph: Graph, walk: Walk) -> Line:
    """Coordinates (lon, lat) of every piece in the direction walked, one run after another,
    with the offsets of each piece's run (piece ``i`` is ``coords[offsets[i]:offsets[i + 1]]``)
    and each piece's headings (see `geometry.walk_line`)."""
    return walk_line(graph, walk.edge, walk.forward, walk.start, walk.stop)


def piece_coords(graph: Graph, piece: Piece) -> np.ndarray:
    """Coordinates of one piece in the direction walked."""
    if piece.share == 1.0:
        coords = graph.edge_coords(piece.edge)
        return coords if piece.forward else coords[::-1]
    return edge_slice(graph, piece.edge, piece.start, piece.stop)


def coordinates(
    graph: Graph,
    walk: Walk,
    origin: tuple[float, float],
    destination: tuple[float, float],
    line: Line | None = None,
) -> np.ndarray:
    """The line walked (lon, lat), from the origin point to the destination point
    (``line``: the walk's `piece_line`, when already at hand)."""
    coords = (line if line is not None else piece_line(graph, walk)).coords
    return join([np.array([origin]), coords, np.array([destination])])


def lengths_m(graph: Graph, walk: Walk) -> np.ndarray:
    """Length walked on each piece."""
    lengths: np.ndarray = graph.edge("length_m")[walk.edge].astype(np.float64) * walk.share
    return lengths

"""The in-memory graph: named numpy arrays (memory-mapped when loaded) and a small header.

Array names are namespaced:

- ``node.<attr>``: one value per node (``node.osm_id``, ``node.lon``, ``node.kerb``...)
- ``edge.<attr>``: one value per undirected edge, drawn from ``edge.u`` to ``edge.v``
  (``edge.osm_way_id``, ``edge.length_m``, ``edge.incline_pct``...)
- ``geom.*``: edge geometry (``geom.indptr`` per edge into ``geom.lon``/``geom.lat``, and
  ``geom.osm_id``: the OSM node of each point, so a route can list every node it passes)
- ``csr.*``: directed adjacency: for node ``n``, entries ``csr.indptr[n]:csr.indptr[n+1]`` give
  ``csr.edge`` (undirected edge), ``csr.target`` (node reached) and ``csr.forward`` (1 when the
  edge is walked in its drawing direction, so a signed incline keeps its sign, else it flips)
- ``grid.*``: the spatial index for snapping (see ``spatial``)

OSM ids live only in ``node.osm_id``, ``geom.osm_id`` and ``edge.osm_way_id``: the boundary map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Graph:
    """A walkable network as compact arrays."""

    arrays: Mapping[str, np.ndarray]
    meta: Mapping[str, Any] = field(default_factory=dict)
    strings: tuple[str, ...] = ()
    #: Per-graph derived values computed on first use (crossing groups, profile costs...).
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __repr__(self) -> str:
        """One short line (the generated repr printed every array of the city)."""
        from stepfree.graph.store import FORMAT_VERSION  # store imports this module

        source = self.meta.get("source")
        name = source.get("name") if isinstance(source, Mapping) else None
        return (
            f"Graph({self.n_nodes:,} nodes, {self.n_edges:,} edges, "
            f"source={name or 'unknown'!r}, format={FORMAT_VERSION})"
        )

    @property
    def n_nodes(self) -> int:
        return int(self.arrays["node.lon"].shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.arrays["edge.u"].shape[0])

    def node(self, name: str) -> np.ndarray:
        """One node attribute array (``osm_id``, ``lon``, ``lat``, ``kerb``...)."""
        return self.arrays[f"node.{name}"]

    def edge(self, name: str) -> np.ndarray:
        """One edge attribute array (``u``, ``v``, ``osm_way_id``, ``length_m``...)."""
        return self.arrays[f"edge.{name}"]

    def string(self, index: int) -> str | None:
        """Resolve a string-table index (``-1`` means absent)."""
        return None if index < 0 else self.strings[index]

    def edge_coords(self, edge: int) -> np.ndarray:
        """(k, 2) array of lon, lat along an edge in its drawing direction."""
        indptr = self.arrays["geom.indptr"]
        start, stop = int(indptr[edge]), int(indptr[edge + 1])
        return np.column_stack(
            (self.arrays["geom.lon"][start:stop], self.arrays["geom.lat"][start:stop])
        )

    def node_index(self, osm_node_id: int) -> int | None:
        """Index of the node with this OSM id, or None (ids are sorted at build time)."""
        ids = self.node("osm_id")
        position = int(np.searchsorted(ids, osm_node_id))
        if position < ids.shape[0] and ids[position] == osm_node_id:
            return position
        return None

    def edges_of_way(self, osm_way_id: int) -> np.ndarray:
        """Indices of the edges cut from one OSM way."""
        return np.flatnonzero(self.edge("osm_way_id") == osm_way_id)


def derived(graph: Graph, key: str, compute: Callable[[Graph], np.ndarray]) -> np.ndarray:
    """A per-graph array computed once, then shared read-only (a request must not pay O(n))."""
    cached = graph.derived.get(key)
    if cached is None:
        cached = compute(graph)
        cached.flags.writeable = False
        graph.derived[key] = cached
    value: np.ndarray = cached
    return value


def directed_incline_pct(graph: Graph) -> np.ndarray:
    """Grade in % for each directed entry of the adjacency, in the direction walked.

    The stored ``edge.incline_pct`` is signed in the drawing direction (u to v); walking an
    edge against it flips the sign (the defect AccessMap's engine has). NaN stays NaN.
    Computed once per graph.
    """
    return derived(graph, "directed_incline_pct", _directed_incline_pct)


def _directed_incline_pct(graph: Graph) -> np.ndarray:
    grade = graph.edge("incline_pct")[graph.arrays["csr.edge"]]
    sign = np.where(graph.arrays["csr.forward"] == 1, 1.0, -1.0).astype(np.float32)
    directed: np.ndarray = grade * sign
    return directed


def directed_incline_direction(graph: Graph) -> np.ndarray:
    """``InclineDirection`` for each directed entry (UP and DOWN swap when walked backwards)."""
    return derived(graph, "directed_incline_direction", _directed_incline_direction)


def _directed_incline_direction(graph: Graph) -> np.ndarray:
    from stepfree.attributes import InclineDirection

    direction = graph.edge("incline_direction")[graph.arrays["csr.edge"]]
    backward = graph.arrays["csr.forward"] == 0
    flipped: np.ndarray = direction.copy()
    flipped[backward & (direction == InclineDirection.UP)] = InclineDirection.DOWN
    flipped[backward & (direction == InclineDirection.DOWN)] = InclineDirection.UP
    return flipped

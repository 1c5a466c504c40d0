"""Pure builder: reader records in, compact graph arrays out.

Ways are cut into edges at every node that matters: way ends, nodes shared by two ways (or
twice by one), and nodes that carry something a person meets (a kerb, a crossing, a barrier,
an elevator, an entrance). Everything is vectorised over the concatenated node lists; Python
only loops per way (to spread its attributes) and per tagged node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from stepfree.graph.geo import haversine_m, local_origin
from stepfree.graph.model import Graph
from stepfree.graph.spatial import grid_arrays
from stepfree.ingest.attributes import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, STRING_ATTRIBUTES
from stepfree.ingest.osm import Extract, WayRecord


class StringTable:
    """Interns strings (names, levels, opening hours) to int32 indices."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}

    def add(self, value: str) -> int:
        return self._index.setdefault(value, len(self._index))

    def strings(self) -> tuple[str, ...]:
        return tuple(self._index)


def _fill(schema: Mapping[str, tuple[str, float | int, str]], size: int) -> dict[str, np.ndarray]:
    return {name: np.full(size, fill, dtype=dtype) for name, (dtype, fill, _) in schema.items()}


def _set(
    arrays: dict[str, np.ndarray],
    index: int | np.ndarray,
    attrs: Mapping[str, Any],
    table: StringTable,
) -> None:
    for name, value in attrs.items():
        if name in arrays:
            arrays[name][index] = table.add(value) if name in STRING_ATTRIBUTES else value


def graph_from_records(
    ways: list[WayRecord],
    node_attrs: Mapping[int, Mapping[str, Any]],
    road_at_node: Mapping[int, tuple[int, int]] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Graph:
    """Build a graph from way records and the attributes of tagged nodes."""
    if not ways:
        raise ValueError("no ways to build a graph from")
    lengths = np.fromiter((w.node_ids.shape[0] for w in ways), dtype=np.int64, count=len(ways))
    ids = np.concatenate([w.node_ids for w in ways])
    lon = np.concatenate([w.lon for w in ways])
    lat = np.concatenate([w.lat for w in ways])
    way_of = np.repeat(np.arange(len(ways)), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + lengths - 1

    unique_ids, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    tagged = np.isin(
        unique_ids, np.fromiter(node_attrs.keys(), dtype=np.int64, count=len(node_attrs))
    )
    is_vertex_id = (counts >= 2) | tagged
    is_vertex = is_vertex_id[inverse]
    is_vertex[starts] = True
    is_vertex[ends] = True
    vertex_ids = np.unique(ids[is_vertex])
    node_of_pos = np.searchsorted(vertex_ids, ids)  # valid only where is_vertex

    # Edges join consecutive vertex positions of the same way.
    vpos = np.flatnonzero(is_vertex)
    same_way = way_of[vpos[:-1]] == way_of[vpos[1:]]
    a, b = vpos[:-1][same_way], vpos[1:][same_way]

    seg = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    seg[ends[:-1]] = 0.0  # no segment across the end of a way
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    n_edges = a.shape[0]
    point_counts = b - a + 1
    indptr = np.concatenate(([0], np.cumsum(point_counts))).astype(np.int64)
    take = np.repeat(a - indptr[:-1], point_counts) + np.arange(indptr[-1])

    table = StringTable()
    per_way = _fill(EDGE_ATTRIBUTES, len(ways))
    # ways that share a tag set share one attrs dict: set each distinct one once, vectorised
    groups: dict[int, list[int]] = {}
    for index, way in enumerate(ways):
        groups.setdefault(id(way.attrs), []).append(index)
    for members in groups.values():
        _set(per_way, np.array(members), ways[members[0]].attrs, table)
    edge_way = way_of[a]
    arrays: dict[str, np.ndarray] = {
        f"edge.{name}": values[edge_way] for name, values in per_way.items()
    }
    arrays["edge.u"] = node_of_pos[a].astype(np.int32)
    arrays["edge.v"] = node_of_pos[b].astype(np.int32)
    arrays["edge.osm_way_id"] = np.fromiter((w.osm_id for w in ways), np.int64, len(ways))[edge_way]
    arrays["edge.length_m"] = (cum[b] - cum[a]).astype(np.float32)
    arrays["geom.indptr"] = indptr
    arrays["geom.lon"] = lon[take]
    arrays["geom.lat"] = lat[take]

    n_nodes = vertex_ids.shape[0]
    per_node = _fill(NODE_ATTRIBUTES, n_nodes)
    for osm_id, attrs in node_attrs.items():
        position = int(np.searchsorted(vertex_ids, osm_id))
        if position < n_nodes and vertex_ids[position] == osm_id:
            _set(per_node, position, attrs, table)
    for osm_id, (road, lanes) in (road_at_node or {}).items():
        position = int(np.searchsorted(vertex_ids, osm_id))
        if position < n_nodes and vertex_ids[position] == osm_id:
            per_node["crossed_road_class"][position] = road
            per_node["crossed_road_lanes"][position] = lanes
    arrays |= {f"node.{name}": values for name, values in per_node.items()}
    first_pos = np.zeros(n_nodes, dtype=np.int64)
    first_pos[node_of_pos[vpos[::-1]]] = vpos[::-1]
    arrays["node.osm_id"] = vertex_ids.astype(np.int64)
    arrays["node.lon"] = lon[first_pos]
    arrays["node.lat"] = lat[first_pos]
    arrays |= csr_arrays(arrays["edge.u"], arrays["edge.v"], n_nodes)

    header = dict(meta or {})
    lon0, lat0 = local_origin(arrays["node.lon"], arrays["node.lat"])
    header["origin"] = [lon0, lat0]
    arrays |= grid_arrays(arrays["geom.indptr"], arrays["geom.lon"], arrays["geom.lat"], lon0, lat0)
    header["counts"] = {"nodes": n_nodes, "edges": n_edges}
    return Graph(arrays=arrays, meta=header, strings=table.strings())


def csr_arrays(u: np.ndarray, v: np.ndarray, n_nodes: int) -> dict[str, np.ndarray]:
    """Directed adjacency (both directions of every edge), sorted by source node."""
    edges = np.arange(u.shape[0], dtype=np.int32)
    source = np.concatenate((u, v))
    target = np.concatenate((v, u))
    forward = np.concatenate((np.ones_like(u, dtype=np.uint8), np.zeros_like(v, dtype=np.uint8)))
    order = np.argsort(source, kind="stable")
    indptr = np.concatenate(([0], np.cumsum(np.bincount(source, minlength=n_nodes))))
    return {
        "csr.indptr": indptr.astype(np.int64),
        "csr.edge": np.concatenate((edges, edges))[order],
        "csr.target": target[order].astype(np.int32),
        "csr.forward": forward[order],
    }


def graph_from_extract(extract: Extract, settings: Mapping[str, Any] | None = None) -> Graph:
    """Build a graph from what the OSM reader found."""
    meta = {
        "source": {"name": extract.source_name, "sha256": extract.source_sha256},
        "settings": dict(settings or {}),
    }
    return graph_from_records(extract.ways, extract.node_attrs, extract.road_at_node, meta)

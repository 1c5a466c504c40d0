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

from stepfree.attributes import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, STRING_ATTRIBUTES
from stepfree.geo import haversine_m, local_origin
from stepfree.graph.model import Graph
from stepfree.graph.spatial import grid_arrays
from stepfree.ingest.osm import Extract
from stepfree.ingest.ways import WayRecord, WayTable


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
    ways: list[WayRecord] | WayTable,
    node_attrs: Mapping[int, Mapping[str, Any]],
    road_at_node: Mapping[int, tuple[int, int]] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Graph:
    """Build a graph from ways (records or one flat table) and the attributes of tagged nodes."""
    if len(ways) == 0:
        raise ValueError("no ways to build a graph from")
    table = ways if isinstance(ways, WayTable) else WayTable.from_records(ways)
    lengths = np.diff(table.offsets)
    ids, lon, lat = table.node_ids, table.lon, table.lat
    way_of = np.repeat(np.arange(len(table)), lengths)
    starts = table.offsets[:-1]
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

    strings = StringTable()
    # one row per distinct attribute dict (ways sharing a tag set share one), then per edge
    per_attrs = _fill(EDGE_ATTRIBUTES, len(table.attrs))
    for index, attrs in enumerate(table.attrs):
        _set(per_attrs, index, attrs, strings)
    edge_way = way_of[a]
    edge_attrs = table.attrs_index[edge_way]
    arrays: dict[str, np.ndarray] = {
        f"edge.{name}": values[edge_attrs] for name, values in per_attrs.items()
    }
    arrays["edge.u"] = node_of_pos[a].astype(np.int32)
    arrays["edge.v"] = node_of_pos[b].astype(np.int32)
    arrays["edge.osm_way_id"] = table.osm_ids[edge_way]
    arrays["edge.length_m"] = (cum[b] - cum[a]).astype(np.float32)
    arrays["geom.indptr"] = indptr
    arrays["geom.lon"] = lon[take]
    arrays["geom.lat"] = lat[take]
    arrays["geom.osm_id"] = ids[take]  # every OSM node along each edge (a route lists them)

    # free the per-position scratch before the node arrays and the grid (peak memory)
    del unique_ids, inverse, counts, tagged, is_vertex_id, is_vertex, seg, cum, take, same_way
    n_nodes = vertex_ids.shape[0]
    per_node = _fill(NODE_ATTRIBUTES, n_nodes)
    for osm_id, attrs_of_node in node_attrs.items():
        position = int(np.searchsorted(vertex_ids, osm_id))
        if position < n_nodes and vertex_ids[position] == osm_id:
            _set(per_node, position, attrs_of_node, strings)
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
    del node_of_pos, vpos, way_of, a, b
    arrays |= csr_arrays(arrays["edge.u"], arrays["edge.v"], n_nodes)

    header = dict(meta or {})
    lon0, lat0 = local_origin(arrays["node.lon"], arrays["node.lat"])
    header["origin"] = [lon0, lat0]
    arrays |= grid_arrays(arrays["geom.indptr"], arrays["geom.lon"], arrays["geom.lat"], lon0, lat0)
    header["counts"] = {"nodes": n_nodes, "edges": n_edges}
    return Graph(arrays=arrays, meta=header, strings=strings.strings())


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

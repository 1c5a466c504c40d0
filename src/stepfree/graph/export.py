"""Exchange formats: GeoJSON (every attribute, for GIS); OpenSidewalks 0.2 is in `export_osw`.

GeoJSON keeps our own names and units (``incline_pct``, ``width_m``): enums are written as their
lower-case names (``"raised"``, ``"unknown"``), unknown floats and counts as ``null``, string-table
attributes as strings. The helpers here (attribute rows, edge lines, the atomic write) serve both
formats. The data are OpenStreetMap data: exports carry the ODbL attribution.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from stepfree.attributes import (
    EDGE_ATTRIBUTES,
    ENUMS,
    NODE_ATTRIBUTES,
    STRING_ATTRIBUTES,
    UNKNOWN_COUNT,
)
from stepfree.errors import BadInput
from stepfree.graph.model import Graph

#: The attribution OpenStreetMap data must carry (ODbL 1.0), in the form the OSW pipeline writes.
OSM_DATA_SOURCE = {
    "name": "OpenStreetMap",
    "copyright": "https://www.openstreetmap.org/copyright",
    "license": "https://opendatacommons.org/licenses/odbl/1-0/",
}
ATTRIBUTION = (
    "Data (c) OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"
)

# --------------------------------------------------------------------------- columns


def _number(value: np.floating[Any]) -> float | None:
    """A float32 as its shortest decimal (``1.2``, not ``1.2000000476837158``); NaN as None."""
    return None if math.isnan(value) else float(str(value))


def _column(graph: Graph, kind: str, name: str, names: bool) -> list[Any]:
    """One attribute as Python values: strings resolved, unknown floats None, and with ``names``
    enums as lower-case names and unknown counts None (else enums and counts as ints)."""
    values = graph.arrays[f"{kind}.{name}"]
    if name in STRING_ATTRIBUTES:
        return [graph.string(index) for index in values.tolist()]
    if values.dtype.kind == "f":
        return [_number(value) for value in values]
    if not names:
        return list(values.tolist())
    if name in ENUMS:
        lookup = {member.value: member.name.lower() for member in ENUMS[name]}
        return [lookup.get(value) for value in values.tolist()]
    return [None if value == UNKNOWN_COUNT else value for value in values.tolist()]


def attribute_rows(
    graph: Graph, kind: str, schema: Mapping[str, Any], names: bool
) -> list[dict[str, Any]]:
    """One dict of attribute values per node or edge (see `_column`)."""
    columns = {name: _column(graph, kind, name, names) for name in schema}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def edge_lines(graph: Graph) -> list[list[list[float]]]:
    """Coordinates of every edge as [[lon, lat], ...] in its drawing direction (u to v)."""
    lon, lat = graph.arrays["geom.lon"].tolist(), graph.arrays["geom.lat"].tolist()
    indptr = graph.arrays["geom.indptr"].tolist()
    return [
        [[lon[k], lat[k]] for k in range(start, stop)] for start, stop in itertools.pairwise(indptr)
    ]


def atomic_write(path: Path, suffix: str, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    path = Path(path)
    if path.is_dir():
        raise BadInput(f"output {path} is a directory; give a file name ending in {suffix}")
    if not path.parent.is_dir():
        raise BadInput(f"output folder {path.parent} does not exist; create it first")
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temp)
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- GeoJSON


def graph_to_geojson(graph: Graph) -> dict[str, Any]:
    """The graph as one GeoJSON FeatureCollection for GIS tools.

    One LineString per edge, drawn from ``u`` to ``v``, with properties ``kind`` ("edge"),
    ``edge`` (index), ``osm_way_id``, ``u``, ``v`` (node indices), ``length_m`` and every
    attribute of ``EDGE_ATTRIBUTES``; then one Point per node that carries anything (a value
    other than the schema's fill), with ``kind`` ("node"), ``node``, ``osm_node_id`` and every
    attribute of ``NODE_ATTRIBUTES``. Enums are lower-case names, unknown numbers are null.

    Parameters
    ----------
    graph
        Any graph (built or loaded).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection (RFC 7946, lon/lat WGS 84), ready for ``json.dumps``.
    """
    osm_way = graph.edge("osm_way_id").tolist()
    u, v = graph.edge("u").tolist(), graph.edge("v").tolist()
    length = [_number(value) for value in graph.edge("length_m")]
    features: list[dict[str, Any]] = []
    rows = attribute_rows(graph, "edge", EDGE_ATTRIBUTES, names=True)
    for index, (row, line) in enumerate(zip(rows, edge_lines(graph), strict=True)):
        properties = {
            "kind": "edge",
            "edge": index,
            "osm_way_id": osm_way[index],
            "u": u[index],
            "v": v[index],
            "length_m": length[index],
        } | row
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "LineString", "coordinates": line},
            }
        )
    carries = np.zeros(graph.n_nodes, dtype=bool)
    for name, (_dtype, fill, _) in NODE_ATTRIBUTES.items():
        values = graph.node(name)
        carries |= ~np.isnan(values) if values.dtype.kind == "f" else values != fill
    lon, lat, osm_id = (graph.node(name).tolist() for name in ("lon", "lat", "osm_id"))
    for index, row in enumerate(attribute_rows(graph, "node", NODE_ATTRIBUTES, names=True)):
        if carries[index]:
            properties = {"kind": "node", "node": index, "osm_node_id": osm_id[index]} | row
            features.append(
                {
                    "type": "Feature",
                    "properties": properties,
                    "geometry": {"type": "Point", "coordinates": [lon[index], lat[index]]},
                }
            )
    return {
        "type": "FeatureCollection",
        "attribution": _attribution(graph),
        "source": dict(graph.meta.get("source", {})),
        "features": features,
    }


def write_geojson(graph: Graph, path: Path) -> Path:
    """Write :func:`graph_to_geojson` to ``path`` atomically (temp file, then rename).

    Raises
    ------
    BadInput
        ``path`` is a folder, or its folder does not exist.
    """
    document = graph_to_geojson(graph)

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    return atomic_write(Path(path), ".geojson", write)


def _attribution(graph: Graph) -> str:
    source = graph.meta.get("osw", {}).get("dataSource") or OSM_DATA_SOURCE
    if source.get("name") == "OpenStreetMap":
        return ATTRIBUTION
    return f"Data: {source.get('name', 'unknown source')}, licence {source.get('license', '?')}"

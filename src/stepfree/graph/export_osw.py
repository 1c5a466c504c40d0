"""OpenSidewalks 0.2 export (for OSW tools); GeoJSON and the shared helpers are in `export`.

OpenSidewalks (OSW) 0.2 is an OSM-like schema: one ``edges`` and one ``nodes`` GeoJSON file whose
edges name their end nodes by ``_u_id``/``_v_id`` and whose geometry runs from u to v. Its fields
and value lists are those of the schema (https://sidewalks.washington.edu/opensidewalks/0.2/
schema.json, sources in github.com/OpenSidewalks/OpenSidewalks-Schema ``jsonschema/src``):
``incline`` is a fraction (rise over run, 0.05 = 5 %), ``climb`` is the direction of steps,
``surface`` takes nine values. What the schema has no field for is written as an ``ext:`` field
named after its OSM tag (``ext:wheelchair``, ``ext:kerb:height``), the schema's rule for
additional fields, so that ``stepfree.ingest.osw`` reads it back without loss (the fields of one
edge or node are written by `export_osw_fields`). The data are OpenStreetMap data:
``dataSource`` carries the ODbL attribution.
"""

from __future__ import annotations

import json
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from stepfree.attributes import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, Barrier
from stepfree.errors import BadInput
from stepfree.graph.export import (
    OSM_DATA_SOURCE,
    atomic_write,
    attribute_rows,
    edge_lines,
)
from stepfree.graph.export_osw_fields import LENGTH_DECIMALS, osw_edge, osw_node
from stepfree.graph.model import Graph

OSW_SCHEMA = "https://sidewalks.washington.edu/opensidewalks/0.2/schema.json"


def _collection(graph: Graph, features: list[dict[str, Any]]) -> dict[str, Any]:
    osw = graph.meta.get("osw", {})
    lon, lat = graph.node("lon"), graph.node("lat")
    west, south, east, north = (
        float(lon.min()),
        float(lat.min()),
        float(lon.max()),
        float(lat.max()),
    )
    header: dict[str, Any] = {
        "$schema": OSW_SCHEMA,
        "dataSource": dict(osw.get("dataSource") or OSM_DATA_SOURCE),
        "region": {
            "type": "MultiPolygon",
            "coordinates": [
                [[[west, south], [east, south], [east, north], [west, north], [west, south]]]
            ],
        },
    }
    if "dataTimestamp" in osw:
        header["dataTimestamp"] = osw["dataTimestamp"]
    try:
        version = metadata.version("stepfree")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        version = "unknown"
    header["pipelineVersion"] = {"name": "stepfree", "version": version}
    return header | {"type": "FeatureCollection", "features": features}


def graph_to_osw(graph: Graph) -> dict[str, dict[str, Any]]:
    """The graph as OpenSidewalks 0.2 files.

    Returns
    -------
    dict
        ``{"edges": ..., "nodes": ...}`` and ``"points"`` when the graph has bollards (OSW's
        Bollard point type), each an OSW FeatureCollection. Edge ``_id`` is the edge index,
        ``_u_id``/``_v_id`` and node ``_id`` are OSM node ids, and ``ext:osm_way_id`` keeps the
        OSM way; geometry runs from u to v.
    """
    node_ids = [str(value) for value in graph.node("osm_id").tolist()]
    u, v = graph.edge("u").tolist(), graph.edge("v").tolist()
    osm_way = graph.edge("osm_way_id").tolist()
    length = graph.edge("length_m").astype(np.float64).round(LENGTH_DECIMALS).tolist()
    edges = []
    for index, (row, line) in enumerate(
        zip(attribute_rows(graph, "edge", EDGE_ATTRIBUTES, False), edge_lines(graph), strict=True)
    ):
        properties = {"_id": str(index), "_u_id": node_ids[u[index]], "_v_id": node_ids[v[index]]}
        properties |= osw_edge(row)
        properties |= {"length": length[index], "ext:osm_way_id": str(osm_way[index])}
        edges.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": properties,
            }
        )
    nodes, points = [], []
    lon, lat = graph.node("lon").tolist(), graph.node("lat").tolist()
    for index, row in enumerate(attribute_rows(graph, "node", NODE_ATTRIBUTES, False)):
        geometry = {"type": "Point", "coordinates": [lon[index], lat[index]]}
        nodes.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"_id": node_ids[index]} | osw_node(row),
            }
        )
        if row["barrier"] == Barrier.BOLLARD:
            points.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"_id": node_ids[index], "barrier": "bollard"},
                }
            )
    files = {"edges": _collection(graph, edges), "nodes": _collection(graph, nodes)}
    if points:
        files["points"] = _collection(graph, points)
    return files


def osw_dataset_name(path: Path) -> str:
    """Dataset name inside the archive: ``campus.osw.zip`` and ``campus.zip`` give ``campus``."""
    name = Path(path).name
    for suffix in (".zip", ".osw"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or "graph"


def write_osw(graph: Graph, path: Path) -> Path:
    """Write :func:`graph_to_osw` as a zip of ``<name>.<kind>.OSW.geojson`` files, atomically.

    ``<name>`` is the archive name without ``.zip`` (and ``.osw``), as in the OSW pipeline's
    archives (``wa.microsoft.graph.edges.OSW.geojson``).

    Raises
    ------
    BadInput
        ``path`` does not end in ``.zip``, is a folder, or its folder does not exist.
    """
    path = Path(path)
    if not path.name.lower().endswith(".zip"):
        raise BadInput(f"OSW output {path} must be a .zip file (for example campus.osw.zip)")
    name = osw_dataset_name(path)
    files = graph_to_osw(graph)

    def write(temp: Path) -> None:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for kind, document in files.items():
                text = json.dumps(document, ensure_ascii=False, allow_nan=False)
                archive.writestr(f"{name}.{kind}.OSW.geojson", text)

    return atomic_write(path, ".zip", write)

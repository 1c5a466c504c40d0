"""A graph from an OpenSidewalks 0.2 dataset: the records of ``ingest.osw`` through the one
builder (``graph.build.graph_from_records``)."""

from __future__ import annotations

from pathlib import Path

from stepfree.graph.build import graph_from_records
from stepfree.graph.model import Graph
from stepfree.ingest.osw import records_from_osw


def graph_from_osw(path: Path) -> Graph:
    """Build a graph from an OpenSidewalks 0.2 zip, or a folder of its GeoJSON files (see
    `ingest.osw.records_from_osw` for what is read and what is said about the rest).

    Raises
    ------
    BadInput
        The path does not exist, or is neither a zip nor a folder.
    BadData
        No OSW edges file, invalid JSON, a malformed feature, or nothing walkable.
    """
    records = records_from_osw(path)
    return graph_from_records(records.ways, records.node_attrs, records.road_at_node, records.meta)

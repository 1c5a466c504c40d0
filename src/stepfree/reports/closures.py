"""Approved reports resolved onto the graph: the ``Overlay`` that routing reads.

A report's place becomes graph indices here, once per change of the report set (not per
request): a point snaps to the nearest edge within ``SNAP_EDGE_M``, and for barriers that sit
at a node (a raised kerb, a broken elevator) to that edge's nearer end when it lies within
``SNAP_NODE_M``; an OSM node id goes through the graph's id map, an OSM way id to the edges cut
from that way. Reports that land nowhere are listed in ``Overlay.extra["unresolved"]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np

from stepfree.costing.overlay import Closure, Overlay
from stepfree.geo import haversine_m
from stepfree.graph.model import Graph
from stepfree.graph.nearest import nearest_edge
from stepfree.reports.domain import Report, ReportStatus, ReportType

#: A reported point farther than this from every edge is not on the network (m). GPS in a
#: city street is good to 5-20 m; 50 m leaves room for a pin dropped on the wrong kerb side.
SNAP_EDGE_M = 50.0
#: A node-type barrier within this distance of an edge's end is at that node (m): about the
#: width of a crossing, so a kerb pin beside the crossing lands on the crossing node.
SNAP_NODE_M = 15.0
#: Report types that concern a point of passage (a node) rather than a stretch of way.
NODE_TYPES = frozenset({ReportType.kerb_raised, ReportType.elevator_out_of_service})

_NONE = np.zeros(0, dtype=np.int64)


def resolve(graph: Graph, report: Report) -> tuple[np.ndarray, np.ndarray] | None:
    """The (edges, nodes) int64 indices a report affects, or None when it is off the graph."""
    if report.osm_node_id is not None:
        node = graph.node_index(report.osm_node_id)
        return None if node is None else (_NONE, np.array([node], dtype=np.int64))
    if report.osm_way_id is not None:
        edges = graph.edges_of_way(report.osm_way_id).astype(np.int64)
        return None if edges.size == 0 else (edges, _NONE)
    if report.lat is None or report.lon is None:
        return None
    snap = nearest_edge(graph, report.lon, report.lat, max_distance_m=SNAP_EDGE_M)
    if snap is None:
        return None
    if report.type in NODE_TYPES:
        ends = np.array([graph.edge("u")[snap.edge], graph.edge("v")[snap.edge]], dtype=np.int64)
        distance = haversine_m(
            np.full(2, report.lon),
            np.full(2, report.lat),
            graph.node("lon")[ends].astype(np.float64),
            graph.node("lat")[ends].astype(np.float64),
        )
        nearest = int(np.argmin(distance))
        if distance[nearest] <= SNAP_NODE_M:
            return _NONE, ends[nearest : nearest + 1]
    return np.array([snap.edge], dtype=np.int64), _NONE


def overlay_from_reports(graph: Graph, reports: Iterable[Report], version: str) -> Overlay:
    """The overlay of the approved reports among ``reports`` (others are ignored).

    Parameters
    ----------
    graph
        The graph routing runs on.
    reports
        Typically ``ReportStore.live()``; reports not approved are left out.
    version
        The store's ``version()``, the router's cache key.

    Returns
    -------
    Overlay
        One ``Closure`` per resolved report, with its window as aware UTC datetimes;
        ``extra["unresolved"]`` lists the ids of reports that land on no edge or node.
    """
    closures: list[Closure] = []
    unresolved: list[int] = []
    for report in reports:
        if report.status != ReportStatus.approved:
            continue
        place = resolve(graph, report)
        if place is None:
            unresolved.append(report.id)
            continue
        edges, nodes = place
        closures.append(
            Closure(
                report_id=report.id,
                kind=report.type.value,
                edges=edges,
                nodes=nodes,
                valid_from=_utc(report.valid_from),
                valid_until=_utc(report.valid_until),
            )
        )
    return Overlay(closures=tuple(closures), version=version, extra={"unresolved": unresolved})


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

"""Reports onto the graph (overlay) and out of the store (GeoJSON, CSV for OSM notes)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from stepfree.errors import BadData
from stepfree.geo import haversine_m
from stepfree.graph.model import Graph
from stepfree.graph.nearest import nearest_edge
from stepfree.profiles.model import preset
from stepfree.reports import (
    Report,
    ReportStatus,
    ReportType,
    overlay_from_reports,
    reports_csv,
    reports_from_geojson,
    reports_geojson,
)
from stepfree.reports.closures import SNAP_EDGE_M, SNAP_NODE_M, resolve
from stepfree.routing.narration.answer import answer
from stepfree.routing.router import Router

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def _report(report_id: int, kind: str = "construction", **place: object) -> Report:
    fields: dict[str, object] = {
        "id": report_id,
        "type": kind,
        "lat": None,
        "lon": None,
        "osm_node_id": None,
        "osm_way_id": None,
        "description": "",
        "valid_from": NOW,
        "valid_until": NOW + timedelta(days=3),
        "status": "approved",
        "confirmations": 0,
        "source": "official",
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(place)
    return Report.model_validate(fields)


def _long_edge(graph: Graph) -> int:
    """A central edge of 80-200 m drawn as one straight segment."""
    lengths = graph.edge("length_m")
    indptr = graph.arrays["geom.indptr"]
    straight = (indptr[1:] - indptr[:-1]) == 2
    lon0, lat0 = graph.meta["origin"]
    mid_lon = (graph.node("lon")[graph.edge("u")] + graph.node("lon")[graph.edge("v")]) / 2
    mid_lat = (graph.node("lat")[graph.edge("u")] + graph.node("lat")[graph.edge("v")]) / 2
    distance = haversine_m(
        mid_lon, mid_lat, np.full_like(mid_lon, lon0), np.full_like(mid_lat, lat0)
    )
    candidates = np.flatnonzero(straight & (lengths > 80) & (lengths < 200))
    return int(candidates[np.argmin(distance[candidates])])


def _along(graph: Graph, edge: int, metres: float) -> tuple[float, float]:
    """The (lat, lon) this far from the edge's u along its (straight) line."""
    u, v = int(graph.edge("u")[edge]), int(graph.edge("v")[edge])
    share = metres / float(graph.edge("length_m")[edge])
    lat, lon = graph.node("lat"), graph.node("lon")
    return (
        float(lat[u] + share * (lat[v] - lat[u])),
        float(lon[u] + share * (lon[v] - lon[u])),
    )


def _midpoint(graph: Graph, edge: int) -> tuple[float, float]:
    coords = graph.edge_coords(edge)
    return float(coords[:, 1].mean()), float(coords[:, 0].mean())  # lat, lon


def test_points_nodes_and_ways_resolve(sample_graph: Graph) -> None:
    graph = sample_graph
    edge = _long_edge(graph)
    u = int(graph.edge("u")[edge])
    way = int(graph.edge("osm_way_id")[edge])
    lat, lon = _midpoint(graph, edge)
    near_u = _along(graph, edge, 4.0)
    reports = [
        _report(1, "construction", lat=lat, lon=lon),  # mid-edge: that edge
        _report(2, "kerb_raised", lat=near_u[0], lon=near_u[1]),  # 4 m from u: node u
        _report(3, "kerb_raised", lat=lat, lon=lon),  # node type but far from both ends: edge
        _report(4, "elevator_out_of_service", osm_node_id=int(graph.node("osm_id")[u])),
        _report(5, "steps", osm_way_id=way),
        _report(6, "flooding", lat=lat + 0.5, lon=lon),  # 55 km away: off the network
        _report(7, "obstacle", osm_node_id=1),  # not in this graph
        _report(8, "obstacle", osm_way_id=1),
        _report(9, "construction", lat=lat, lon=lon, status="pending"),  # not live: ignored
        _report(10, "construction", lat=lat, lon=lon, status="expired"),
    ]
    overlay = overlay_from_reports(graph, reports, "r7")
    assert overlay.version == "r7"
    assert overlay.extra["unresolved"] == [6, 7, 8]
    by_id = {c.report_id: c for c in overlay.closures}
    assert sorted(by_id) == [1, 2, 3, 4, 5]
    assert (by_id[1].edges.tolist(), by_id[1].nodes.size) == ([edge], 0)
    assert (by_id[2].nodes.tolist(), by_id[2].edges.size) == ([u], 0)
    assert (by_id[3].edges.tolist(), by_id[3].nodes.size) == ([edge], 0)
    assert by_id[4].nodes.tolist() == [u]
    assert sorted(by_id[5].edges.tolist()) == sorted(graph.edges_of_way(way).tolist())
    assert edge in by_id[5].edges
    for closure in overlay.closures:
        assert (closure.edges.dtype, closure.nodes.dtype) == (np.int64, np.int64)
        assert (closure.valid_from, closure.valid_from.tzinfo) == (NOW, UTC)
        assert closure.valid_until == NOW + timedelta(days=3)
        assert closure.kind == ReportType(closure.kind).value


def test_edge_snap_limit(sample_graph: Graph) -> None:
    graph = sample_graph
    lon, lat = graph.node("lon"), graph.node("lat")
    rng = np.random.default_rng(5)
    points = rng.uniform(
        (float(lat.min()), float(lon.min())), (float(lat.max()), float(lon.max())), (150, 2)
    )
    outcomes = set()
    for number, (point_lat, point_lon) in enumerate(points):
        snap = nearest_edge(graph, float(point_lon), float(point_lat))
        assert snap is not None
        place = resolve(graph, _report(number, lat=float(point_lat), lon=float(point_lon)))
        assert (place is not None) == (snap.distance_m <= SNAP_EDGE_M)
        if place is not None:
            assert place[0].tolist() == [snap.edge]
        outcomes.add(place is not None)
    assert outcomes == {True, False}  # the sample covers both sides of the limit


def test_node_snap_limit(sample_graph: Graph) -> None:
    graph = sample_graph
    edge = _long_edge(graph)
    # along the edge from u by a bit more than the node limit: the edge, not the node
    lat, lon = _along(graph, edge, SNAP_NODE_M + 5)
    overlay = overlay_from_reports(graph, [_report(1, "kerb_raised", lat=lat, lon=lon)], "v")
    assert overlay.closures[0].nodes.size == 0
    assert overlay.closures[0].edges.tolist() == [edge]


def test_an_approved_report_changes_a_route(sample_graph: Graph) -> None:
    graph = sample_graph
    edge = _long_edge(graph)
    ends = [int(graph.edge("u")[edge]), int(graph.edge("v")[edge])]
    origin, destination = ((float(graph.node("lat")[n]), float(graph.node("lon")[n])) for n in ends)
    router = Router(graph)
    before = answer(router, origin, destination, preset("pedestrian"), at=NOW)
    assert before["route"] is not None
    assert before["reports"] == []
    lat, lon = _midpoint(graph, edge)
    router.overlay = overlay_from_reports(graph, [_report(42, lat=lat, lon=lon)], "r1")
    during = answer(router, origin, destination, preset("pedestrian"), at=NOW + timedelta(hours=1))
    assert {"report_id": 42, "type": "construction", "effect": "forbid"} in during["reports"]
    assert during["summary"]["length_m"] > before["summary"]["length_m"]  # a detour
    after = answer(router, origin, destination, preset("pedestrian"), at=NOW + timedelta(days=4))
    assert after["summary"]["length_m"] == before["summary"]["length_m"]


TRICKY = "comma, \"quotes\", 'single'\nnew line\r\nCRLF; <b>html</b> =1+1 снег 🦽"


def test_geojson_is_valid_and_round_trips(sample_graph: Graph) -> None:
    graph = sample_graph
    edge = _long_edge(graph)
    u = int(graph.edge("u")[edge])
    way = int(graph.edge("osm_way_id")[edge])
    reports = [
        _report(1, lat=60.17, lon=24.94, description=TRICKY),
        _report(2, "kerb_raised", osm_node_id=int(graph.node("osm_id")[u])),
        _report(3, "steps", osm_way_id=way, status="pending"),
    ]
    document = json.loads(json.dumps(reports_geojson(reports, graph), allow_nan=False))
    assert document["type"] == "FeatureCollection"
    points, node, lines = document["features"]
    assert points["geometry"] == {"type": "Point", "coordinates": [24.94, 60.17]}
    assert (points["id"], points["properties"]["description"]) == (1, TRICKY)
    assert node["geometry"]["type"] == "Point"
    assert lines["geometry"]["type"] == "MultiLineString"
    assert all(len(line) >= 2 for line in lines["geometry"]["coordinates"])
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert {"type", "status", "valid_from", "valid_until"} <= set(feature["properties"])
    without_graph = reports_geojson(reports)
    assert [f["geometry"] for f in without_graph["features"][1:]] == [None, None]
    assert reports_from_geojson(document) == reports


def test_geojson_drawn_by_hand_reads_with_defaults() -> None:
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [24.94, 60.17]},
                "properties": {"type": "snow_ice"},
            },
            {"type": "Feature", "geometry": None, "properties": {"type": "steps", "osm_way_id": 5}},
        ],
    }
    first, second = reports_from_geojson(document)
    assert (first.id, first.status, first.lat, first.lon) == (
        -1,
        ReportStatus.approved,
        60.17,
        24.94,
    )
    assert (first.valid_from.year, first.valid_until.year) == (2000, 2200)  # always valid
    assert (second.id, second.osm_way_id) == (-2, 5)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": {}}, "list of features"),
        ({"type": "FeatureCollection", "features": [{"properties": {}}]}, "feature 1"),
        (
            {"type": "FeatureCollection", "features": [{"properties": {"type": "lava"}}]},
            "feature 1",
        ),
        ({"type": "FeatureCollection", "features": ["x"]}, "feature 1"),
    ],
)
def test_unreadable_geojson_names_the_feature(document: dict, words: str) -> None:
    with pytest.raises(BadData, match=words):
        reports_from_geojson(document)


def test_csv_for_osm_notes_round_trips_tricky_text(sample_graph: Graph) -> None:
    graph = sample_graph
    way = int(graph.edge("osm_way_id")[_long_edge(graph)])
    reports = [
        _report(1, "snow_ice", lat=60.17, lon=24.94, description=TRICKY),
        _report(2, "steps", osm_way_id=way),
        _report(3, "other", osm_node_id=1),  # not in the graph: no position, left out
    ]
    text = reports_csv(reports, graph)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["lat", "lon", "text", "status"]
    assert len(rows) == 3
    lat, lon, note, status = rows[1]
    assert status == "approved"
    assert (float(lat), float(lon)) == (60.17, 24.94)
    assert note == (
        f"stepfree report #1 (snow_ice): {TRICKY} [valid 2030-01-15T12:00Z..2030-01-18T12:00Z]"
    )
    assert rows[2][2] == "stepfree report #2 (steps) [valid 2030-01-15T12:00Z..2030-01-18T12:00Z]"
    assert -90 <= float(rows[2][0]) <= 90
    dicts = list(csv.DictReader(io.StringIO(text, newline="")))
    assert TRICKY in dicts[0]["text"]
    assert reports_csv([], graph) == "lat,lon,text,status\r\n"


def test_csv_carries_each_report_status(sample_graph: Graph) -> None:
    statuses = ["pending", "approved", "rejected", "resolved", "expired"]
    reports = [
        _report(n, "obstacle", lat=60.17, lon=24.94, status=status)
        for n, status in enumerate(statuses, 1)
    ]
    rows = list(csv.DictReader(io.StringIO(reports_csv(reports, sample_graph), newline="")))
    assert [row["status"] for row in rows] == statuses
    assert [row["text"].split(" ")[2] for row in rows] == [f"#{n}" for n in range(1, 6)]

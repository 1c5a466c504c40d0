"""OSW import of what is not an edge: barriers put on the network, the rest counted and said."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import stepfree
from stepfree.attributes import Barrier
from stepfree.graph.export_osw import write_osw
from stepfree.graph.from_osw import graph_from_osw
from stepfree.ingest.osw_points import import_summary, label, plural

from conftest import shared

LAT = 51.1280
EDGES = [  # n1 -> n2 with an inner vertex at 71.4462; n2 -> n3 straight
    {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [[71.4460, LAT], [71.4462, LAT], [71.4464, LAT]],
        },
        "properties": {"_id": "1", "_u_id": "11", "_v_id": "12", "highway": "footway"},
    },
    {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[71.4464, LAT], [71.4468, LAT]]},
        "properties": {"_id": "2", "_u_id": "12", "_v_id": "13", "highway": "footway"},
    },
]


def _feature(kind: str, coordinates: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": properties,
    }


POINTS = [
    _feature("Point", [71.4462, LAT], {"_id": "501", "barrier": "turnstile"}),  # a vertex
    _feature("Point", [71.4466, LAT], {"_id": "502", "barrier": "kissing_gate"}),  # a segment
    _feature("Point", [71.4466, LAT + 0.00006], {"_id": "503", "barrier": "bollard"}),  # 6.7 m off
    _feature("Point", [71.4461, LAT + 0.00002], {"_id": "504", "amenity": "bench"}),
    _feature("Point", [71.4464, LAT], {"_id": "12", "highway": "street_lamp"}),  # on a node
]
SQUARE = [[[71.4460, 51.1282], [71.4461, 51.1282], [71.4461, 51.1283], [71.4460, 51.1282]]]
LINES = [
    _feature(
        "LineString",
        [[71.4460, 51.1281], [71.4468, 51.1281]],
        {"_id": "601", "barrier": "fence", "length": 56.0},
    )
]
POLYGONS = [
    _feature("Polygon", SQUARE, {"_id": "701", "building": "yes"}),
    _feature("Polygon", SQUARE, {"_id": "702", "building": "commercial", "name": "A"}),
]
ZONES = [
    _feature(
        "Polygon",
        SQUARE,
        {"_id": "801", "highway": "pedestrian", "foot": "yes", "_w_id": ["11", "12"]},
    )
]
NOT_IMPORTED = {
    "bench": 1,
    "street lamp": 1,
    "bollard off the network": 1,
    "fence": 1,
    "building": 2,
    "pedestrian area": 1,
}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _dataset(folder: Path) -> Path:
    path = folder / "small.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for kind, features in (
            ("edges", EDGES),
            ("points", POINTS),
            ("lines", LINES),
            ("polygons", POLYGONS),
            ("zones", ZONES),
        ):
            archive.writestr(f"small.{kind}.OSW.geojson", json.dumps(_collection(features)))
    return path


def test_barriers_on_the_network_become_nodes(tmp_path: Path) -> None:
    graph = graph_from_osw(_dataset(tmp_path))
    turnstile, gate = graph.node_index(501), graph.node_index(502)
    assert turnstile is not None  # the points keep their OSM ids
    assert gate is not None
    assert graph.node("barrier")[turnstile] == Barrier.TURNSTILE
    assert graph.node("barrier")[gate] == Barrier.KISSING_GATE
    assert (graph.node("lon")[turnstile], graph.node("lat")[turnstile]) == (71.4462, LAT)
    assert graph.node("lon")[gate] == pytest.approx(71.4466, abs=1e-9)  # a vertex added
    assert graph.node_index(503) is None  # the bollard stands 6.7 m off every edge
    assert graph.n_edges == 4  # both edges cut at their barrier, their length unchanged
    assert float(graph.edge("length_m").sum()) == pytest.approx(8 * 0.0001 * 69_990, rel=0.01)
    assert graph.meta["osw"]["placed_by_position"] == {"kissing gate": 1, "turnstile": 1}
    assert graph.meta["osw"]["not_imported"] == NOT_IMPORTED


def test_a_barrier_put_on_the_network_is_seen_by_the_routing_rules(tmp_path: Path) -> None:
    """A manual wheelchair passes no turnstile and no kissing gate: the route is refused."""
    graph = graph_from_osw(_dataset(tmp_path))
    answer = stepfree.route((LAT, 71.4460), (LAT, 71.4468), "manual_wheelchair", graph=graph)
    assert answer["route"] is None
    assert {b["osm_id"] for b in answer["blocked_by"] if b["attribute"] == "barrier"} == {501, 502}
    walking = stepfree.route((LAT, 71.4460), (LAT, 71.4468), "pedestrian", graph=graph)
    assert {501, 502} <= set(walking["osm_node_ids"])


def test_what_is_not_imported_is_said(tmp_path: Path) -> None:
    graph = graph_from_osw(_dataset(tmp_path))
    assert import_summary(graph.meta) == [
        "put on the network by position: 1 kissing gate, 1 turnstile",
        "not imported: 1 bench, 1 street lamp, 1 bollard off the network, 1 fence, 2 buildings, "
        "1 pedestrian area",
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stepfree",
            "import-osw",
            str(_dataset(tmp_path)),
            "-o",
            str(tmp_path / "small.sfg"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == import_summary(graph.meta)


def test_barriers_put_by_position_survive_the_round_trip(tmp_path: Path) -> None:
    graph = graph_from_osw(_dataset(tmp_path))
    back = graph_from_osw(write_osw(graph, tmp_path / "again.zip"))
    assert np.array_equal(back.node("osm_id"), graph.node("osm_id"))
    assert np.array_equal(back.node("barrier"), graph.node("barrier"))
    assert back.n_edges == graph.n_edges
    assert back.meta["osw"]["placed_by_position"] == {}  # now at edge ends, by id
    assert back.meta["osw"]["not_imported"] == {}


def test_a_loose_point_needs_a_position(tmp_path: Path) -> None:
    broken = _feature(
        "LineString", [[71.4462, LAT], [71.4463, LAT]], {"_id": "9", "barrier": "gate"}
    )
    path = tmp_path / "broken.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("b.edges.OSW.geojson", json.dumps(_collection(EDGES)))
        archive.writestr("b.points.OSW.geojson", json.dumps(_collection([broken])))
    with pytest.raises(stepfree.BadData, match="points feature 0 is not a Point") as caught:
        graph_from_osw(path)
    assert "\n" not in str(caught.value)


def test_labels_and_plurals() -> None:
    assert label({"amenity": "waste_basket"}, "points") == "waste basket"
    assert label({"barrier": "yes"}, "points") == "barrier"
    assert label({"building": "yes", "amenity": "school"}, "polygons") == "building"
    assert label({"highway": "pedestrian"}, "zones") == "pedestrian area"
    assert label({"natural": "tree_row"}, "lines") == "tree row"
    assert label({"foo": "bar"}, "points") == "other point"
    assert [
        plural(w)
        for w in ("bench", "fence", "bollard off the network", "fire hydrant", "entry", "boss")
    ] == ["benches", "fences", "bollards off the network", "fire hydrants", "entries", "bosses"]


@pytest.mark.slow
def test_redmond_points_lines_polygons_and_zones() -> None:
    """The Redmond OSW dataset: 13 bollards (9 on an edge vertex), 118 benches, ..., 5 fences,
    84 buildings, 5 pedestrian areas (counted from its JSON in shared/data/README.md)."""
    path = shared("osw/redmond_microsoft_campus_osw_0.2.zip")
    graph = graph_from_osw(path)
    with zipfile.ZipFile(path) as archive:
        points = json.loads(archive.read("wa.microsoft.graph.points.OSW.geojson"))["features"]
    bollards = {
        int(p["properties"]["_id"]) for p in points if p["properties"].get("barrier") == "bollard"
    }
    assert len(bollards) == 13
    in_graph = {int(i) for i in graph.node("osm_id")[graph.node("barrier") == Barrier.BOLLARD]}
    assert len(in_graph) == 9
    assert in_graph <= bollards
    assert graph.meta["osw"]["placed_by_position"] == {"bollard": 9}
    assert graph.meta["osw"]["not_imported"] == {
        "bench": 118,
        "street lamp": 23,
        "manhole": 21,
        "waste basket": 2,
        "bollard off the network": 4,
        "fence": 5,
        "building": 84,
        "pedestrian area": 5,
    }

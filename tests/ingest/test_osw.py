"""OpenSidewalks (OSW 0.2) import: ids, OSW fields back to OSM tags, bad input, real data."""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import stepfree
from stepfree.attributes import (
    EDGE_ATTRIBUTES,
    NODE_ATTRIBUTES,
    Access,
    Barrier,
    Crossing,
    Footway,
    Highway,
    InclineDirection,
    Kerb,
    Source,
    Surface,
    Tri,
    Wheelchair,
)
from stepfree.errors import BadData, BadInput
from stepfree.graph.export_osw import graph_to_osw, write_osw
from stepfree.graph.from_osw import graph_from_osw
from stepfree.graph.model import Graph
from stepfree.ingest.osw import osm_tags_from_osw

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REDMOND_OSW = DATA / "osw" / "redmond_microsoft_campus_osw_0.2.zip"
REDMOND_PBF = DATA / "osm" / "redmond_microsoft_campus_2023-10.osm.pbf"
SCHEMA = "https://sidewalks.washington.edu/opensidewalks/0.2/schema.json"

# Positions of the small dataset's nodes (central Astana), by OSW id.
AT = {"n1": (71.4460, 51.1280), "2": (71.4462, 51.1280), "-1": (71.4462, 51.1282),
      "007": (71.4464, 51.1282)}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"$schema": SCHEMA, "type": "FeatureCollection", "features": features,
            "dataSource": {"name": "OpenStreetMap", "license": "ODbL"}}


def _edge(edge_id: str, u: str, v: str, properties: dict[str, Any],
          inner: list[list[float]] | None = None) -> dict[str, Any]:
    coords = [list(AT[u]), *(inner or []), list(AT[v])]
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {"_id": edge_id, "_u_id": u, "_v_id": v, **properties}}


def _point(node_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(AT[node_id])},
            "properties": {"_id": node_id, **properties}}


EDGES = [
    _edge("a", "n1", "2", {"highway": "footway", "footway": "sidewalk", "incline": 0.05,
                           "surface": "concrete", "width": 1.5, "foot": "yes"},
          inner=[[71.4461, 51.12801]]),
    _edge("7", "2", "-1", {"highway": "steps", "climb": "down", "incline": 0.1, "step_count": 5}),
    _edge("8", "-1", "007", {"highway": "footway", "footway": "crossing", "crossing": "marked",
                             "crossing:markings": "zebra", "ext:wheelchair": "yes",
                             "ext:surface": "sett"}),
    _edge("9", "007", "n1", {"highway": "service", "foot": "no"}),
]
NODES = [_point("n1", {}), _point("-1", {}),
         _point("2", {"barrier": "kerb", "kerb": "lowered", "tactile_paving": "yes"}),
         _point("007", {"barrier": "kerb", "kerb": "raised"})]
POINTS = [_point("-1", {"barrier": "bollard"})]


def _write(folder: Path, files: dict[str, Any], name: str = "small.zip") -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in files.items():
            text = content if isinstance(content, str) else json.dumps(content)
            archive.writestr(member, text)
    return path


def _small(folder: Path) -> Path:
    return _write(folder, {"small.edges.OSW.geojson": _collection(EDGES),
                           "small.nodes.OSW.geojson": _collection(NODES),
                           "small.points.OSW.geojson": _collection(POINTS)})


def _edge_of_way(graph: Graph, way_id: int) -> int:
    (index,) = graph.edges_of_way(way_id)
    return int(index)


# --------------------------------------------------------------------------- tags


def test_osw_fields_become_osm_tags() -> None:
    assert osm_tags_from_osw({"incline": -0.017}) == {"incline": "-1.7%"}
    assert osm_tags_from_osw({"incline": -0.0}) == {"incline": "0%"}
    assert osm_tags_from_osw({"climb": "up"}) == {"incline": "up"}
    assert osm_tags_from_osw({"climb": "up", "incline": 0.12}) == {"incline": "12%"}
    assert osm_tags_from_osw({"width": 1.0, "step_count": 7}) == {"width": "1", "step_count": "7"}
    assert osm_tags_from_osw({"_id": "1", "_u_id": "2", "_v_id": "3", "length": 6.2,
                              "ext:osm_way_id": "5"}) == {}
    # ext:<key> is the OSM tag <key>, unless <key> is there itself.
    assert osm_tags_from_osw({"ext:maxspeed": "40 mph"}) == {"maxspeed": "40 mph"}
    assert osm_tags_from_osw({"surface": "asphalt", "ext:surface": "sett"}) == {
        "surface": "asphalt"}


# --------------------------------------------------------------------------- import


def test_small_dataset(tmp_path: Path) -> None:
    path = _small(tmp_path)
    graph = graph_from_osw(path)
    assert graph.n_edges == 3  # the service road with foot=no is not walkable
    assert graph.meta["source"] == {"name": "small.zip", "format": "osw-0.2",
                                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    assert graph.meta["osw"]["dataSource"]["license"] == "ODbL"
    sidewalk = _edge_of_way(graph, int(graph.edge("osm_way_id").min()))  # "a": synthetic
    assert graph.edge_coords(sidewalk).shape == (3, 2)  # the inner point is kept
    assert graph.edge("footway")[sidewalk] == Footway.SIDEWALK
    assert graph.edge("surface")[sidewalk] == Surface.PAVED_SMOOTH
    assert graph.edge("incline_pct")[sidewalk] == pytest.approx(5.0)
    assert graph.edge("incline_source")[sidewalk] == Source.TAG
    assert graph.edge("width_m")[sidewalk] == pytest.approx(1.5)
    assert graph.edge("access")[sidewalk] == Access.YES
    steps = _edge_of_way(graph, 7)
    assert graph.edge("step_count")[steps] == 5
    assert graph.edge("incline_pct")[steps] == pytest.approx(10.0)
    assert graph.edge("incline_direction")[steps] == InclineDirection.DOWN  # climb is kept
    crossing = _edge_of_way(graph, 8)
    assert graph.edge("crossing")[crossing] == Crossing.MARKED
    assert graph.edge("wheelchair")[crossing] == Wheelchair.YES
    assert graph.edge("surface")[crossing] == Surface.SETT
    kerb = graph.node_index(2)
    assert kerb is not None
    assert graph.node("kerb")[kerb] == Kerb.LOWERED
    assert graph.node("tactile_paving")[kerb] == Tri.YES
    bollard = graph.node_index(-1)  # a point on a network node adds its tags
    assert bollard is not None
    assert graph.node("barrier")[bollard] == Barrier.BOLLARD


def test_cycleways_in_osw_are_shared_unless_foot_says_no(tmp_path: Path) -> None:
    shared = _edge("c1", "n1", "2", {"highway": "cycleway"})
    closed = _edge("c2", "2", "-1", {"highway": "cycleway", "foot": "no"})
    graph = graph_from_osw(_write(tmp_path, {"c.edges.OSW.geojson": _collection([shared,
                                                                                 closed])}))
    assert graph.n_edges == 1  # no nodes file is needed either
    assert graph.edge("highway")[0] == Highway.CYCLEWAY
    assert graph.edge("access")[0] == Access.UNKNOWN


def test_ids_numeric_kept_others_negative_unique_and_stable(tmp_path: Path) -> None:
    first = graph_from_osw(_small(tmp_path))
    second = graph_from_osw(_small(tmp_path))
    ids = first.node("osm_id")
    assert np.array_equal(ids, second.node("osm_id"))
    assert np.array_equal(first.edge("osm_way_id"), second.edge("osm_way_id"))
    assert {2, -1} <= set(ids.tolist())
    synthetic = sorted(set(ids.tolist()) - {2, -1})
    assert len(synthetic) == 2  # "n1" and "007" ("007" is not a canonical number)
    assert all(value < -1 for value in synthetic)
    assert sorted(first.edge("osm_way_id").tolist())[1:] == [7, 8]
    assert first.edge("osm_way_id").min() < 0  # edge "a"


def test_folder_reads_like_the_zip(tmp_path: Path) -> None:
    archive = _small(tmp_path)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    from_zip, from_folder = graph_from_osw(archive), graph_from_osw(folder)
    for name in ("edge.u", "edge.v", "edge.osm_way_id", "node.osm_id", "node.kerb"):
        assert np.array_equal(from_zip.arrays[name], from_folder.arrays[name])
    assert from_folder.meta["source"]["name"] == "unpacked"


def test_bad_input_one_clear_line(tmp_path: Path) -> None:
    cases: list[tuple[Path, type[Exception], str]] = []
    cases.append((tmp_path / "missing.zip", BadInput, "does not exist"))
    text = tmp_path / "notes.zip"
    text.write_text("not a zip", encoding="utf-8")
    cases.append((text, BadInput, "not a zip"))
    nodes_only = _write(tmp_path, {"x.nodes.OSW.geojson": _collection(NODES)}, "nodes.zip")
    cases.append((nodes_only, BadData, "no OSW edges file"))
    broken = _write(tmp_path, {"x.edges.OSW.geojson": '{"type": "FeatureCollection", '},
                    "broken.zip")
    cases.append((broken, BadData, "not valid JSON"))
    listed = _write(tmp_path, {"x.edges.OSW.geojson": []}, "list.zip")
    cases.append((listed, BadData, "not a GeoJSON FeatureCollection"))
    point = {**EDGES[0], "geometry": {"type": "Point", "coordinates": [71.4, 51.1]}}
    pointed = _write(tmp_path, {"x.edges.OSW.geojson": _collection([point])}, "point.zip")
    cases.append((pointed, BadData, "LineString"))
    no_u = json.loads(json.dumps(EDGES[0]))
    del no_u["properties"]["_u_id"]
    lacking = _write(tmp_path, {"x.edges.OSW.geojson": _collection([no_u])}, "no_u.zip")
    cases.append((lacking, BadData, "no usable id"))
    closed = _write(tmp_path, {"x.edges.OSW.geojson": _collection([EDGES[3]])}, "closed.zip")
    cases.append((closed, BadData, "no edge that people on foot may use"))
    twice = _write(tmp_path, {"x.edges.OSW.geojson": _collection(EDGES),
                              "y.edges.OSW.geojson": _collection(EDGES)}, "twice.zip")
    cases.append((twice, BadData, "several OSW edges files"))
    for path, error, words in cases:
        with pytest.raises(error, match=words) as caught:
            graph_from_osw(path)
        assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- real data


def _raw(kind: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(REDMOND_OSW) as archive:
        raw = archive.read(f"wa.microsoft.graph.{kind}.OSW.geojson")
    features: list[dict[str, Any]] = json.loads(raw)["features"]
    return features


def _joined(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exported edges with the consecutive pieces of one source edge joined back into one."""
    out: list[dict[str, Any]] = []
    for feature in features:
        way = feature["properties"]["ext:osm_way_id"]
        if out and out[-1]["properties"]["ext:osm_way_id"] == way:
            coords = out[-1]["geometry"]["coordinates"]
            assert coords[-1] == feature["geometry"]["coordinates"][0]
            coords += feature["geometry"]["coordinates"][1:]
        else:
            out.append(json.loads(json.dumps(feature)))
    return out


@pytest.fixture(scope="module")
def campus_osw() -> Graph:
    if not REDMOND_OSW.exists():
        pytest.skip(f"real data not found under {DATA} (the shared data folder is absent)")
    return graph_from_osw(REDMOND_OSW)


@pytest.mark.slow
def test_real_archive_figures_match_its_json(campus_osw: Graph) -> None:
    edges, nodes = _raw("edges"), _raw("nodes")
    footways = Counter(f["properties"].get("footway") for f in edges)
    kerbs = Counter(f["properties"].get("kerb") for f in nodes if "kerb" in f["properties"])
    # The figures of shared/data/README.md, from the raw JSON:
    assert (len(edges), footways["sidewalk"], footways["crossing"]) == (4368, 1287, 579)
    assert sum(kerbs.values()) == 757
    graph = campus_osw
    # Every OSW edge is walkable; 9 are cut at the bollard put on them (see test_osw_points).
    assert graph.n_edges == len(edges) + 9
    way = graph.edge("osm_way_id")
    first = np.concatenate(([True], way[1:] != way[:-1]))  # the first piece of each OSW edge
    last = np.concatenate((way[1:] != way[:-1], [True]))
    built = Counter(Footway(value).name.lower() for value in graph.edge("footway")[first].tolist())
    assert (built["sidewalk"], built["crossing"]) == (footways["sidewalk"], footways["crossing"])
    assert built["traffic_island"] == footways["traffic_island"]
    node_kerbs = Counter(Kerb(value).name.lower() for value in graph.node("kerb").tolist())
    assert {kind: node_kerbs[kind] for kind in kerbs} == dict(kerbs)
    tactile = Counter(f["properties"]["tactile_paving"] for f in nodes
                      if "tactile_paving" in f["properties"])
    assert Counter(Tri(v).name.lower() for v in graph.node("tactile_paving").tolist()
                   if v != Tri.UNKNOWN) == tactile
    # Edges keep their order, their _id (as way id) and their end nodes.
    assert way[first].tolist() == [int(f["properties"]["_id"]) for f in edges]
    osm_id = graph.node("osm_id")
    assert osm_id[graph.edge("u")[first]].tolist() == [int(f["properties"]["_u_id"]) for f in edges]
    assert osm_id[graph.edge("v")[last]].tolist() == [int(f["properties"]["_v_id"]) for f in edges]
    incline = np.array([f["properties"].get("incline", math.nan) for f in edges]) * 100.0
    assert np.isfinite(incline).sum() == 4004
    assert np.allclose(graph.edge("incline_pct")[first], incline, atol=1e-4, equal_nan=True)
    steps = [f["properties"].get("step_count", -1) for f in edges]
    assert graph.edge("step_count")[first].tolist() == steps
    highways = Counter(f["properties"]["highway"] for f in edges)
    built_highways = Counter(Highway(v).name.lower() for v in graph.edge("highway")[first].tolist())
    assert built_highways == highways
    assert graph.meta["osw"]["dataSource"]["license"].startswith("https://opendatacommons.org")


@pytest.mark.slow
def test_real_archive_osw_graph_osw_round_trip(campus_osw: Graph, tmp_path: Path) -> None:
    exported = graph_to_osw(campus_osw)
    raw = _raw("edges")
    again = _joined(exported["edges"]["features"])  # the pieces of an edge cut at a bollard
    assert [f["properties"].get("incline") for f in again] == [
        f["properties"].get("incline") for f in raw]
    for mine, theirs in zip(again, raw, strict=True):
        climb, incline = mine["properties"].get("climb"), theirs["properties"].get("incline")
        if "climb" in theirs["properties"]:
            assert climb == theirs["properties"]["climb"]
        elif climb is not None:  # steps without climb: the grade's sign gives the direction
            assert theirs["properties"]["highway"] == "steps"
            assert (climb == "up") == (incline > 0)
    assert [f["geometry"]["coordinates"] for f in again] == [f["geometry"]["coordinates"]
                                                             for f in raw]
    with zipfile.ZipFile(REDMOND_OSW) as archive:
        header = json.loads(archive.read("wa.microsoft.graph.edges.OSW.geojson"))
    assert exported["edges"]["dataSource"] == header["dataSource"]  # the ODbL attribution
    back = graph_from_osw(write_osw(campus_osw, tmp_path / "campus.zip"))
    for kind, schema in (("edge", EDGE_ATTRIBUTES), ("node", NODE_ATTRIBUTES)):
        for name in [*schema, *(("u", "v", "osm_way_id", "length_m") if kind == "edge" else
                                ("osm_id", "lon", "lat"))]:
            a, b = campus_osw.arrays[f"{kind}.{name}"], back.arrays[f"{kind}.{name}"]
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f"{kind}.{name}"


@pytest.mark.slow
def test_osm_and_osw_describe_the_same_campus(campus_osw: Graph) -> None:
    if not REDMOND_PBF.exists():
        pytest.skip(f"real data not found under {DATA} (the shared data folder is absent)")
    osm = stepfree.build_graph(REDMOND_PBF)  # OSM of 2023-10 vs the OSW pipeline's 2023-08

    def figures(graph: Graph) -> dict[str, float]:
        footway, length = graph.edge("footway"), graph.edge("length_m").astype(np.float64)
        return {
            "total_m": length.sum(),
            "sidewalk_m": length[footway == Footway.SIDEWALK].sum(),
            "crossings": float((footway == Footway.CROSSING).sum()),
            "steps": float((graph.edge("highway") == Highway.STEPS).sum()),
            "kerbs": float((graph.node("kerb") != Kerb.UNKNOWN).sum()),
            "lowered": float((graph.node("kerb") == Kerb.LOWERED).sum()),
        }

    a, b = figures(osm), figures(campus_osw)
    for name in a:
        assert b[name] == pytest.approx(a[name], rel=0.25), name
    # Closer than the loose bound: the campus changed little between the two snapshots.
    assert b["sidewalk_m"] == pytest.approx(a["sidewalk_m"], rel=0.02)
    assert b["kerbs"] == pytest.approx(a["kerbs"], rel=0.02)

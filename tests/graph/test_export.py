"""GeoJSON and OpenSidewalks (OSW 0.2) export, and the OSM -> OSW -> graph round trip."""

from __future__ import annotations

import json
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
    STRING_ATTRIBUTES,
    Barrier,
    Footway,
    Highway,
    InclineDirection,
    Kerb,
    Sidewalk,
    Source,
    Surface,
    Tri,
)
from stepfree.errors import BadInput
from stepfree.graph.export import graph_to_geojson, write_geojson
from stepfree.graph.export_osw import OSW_SCHEMA, graph_to_osw, osw_dataset_name, write_osw
from stepfree.graph.from_osw import graph_from_osw
from stepfree.graph.model import Graph

from worlds import World

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REDMOND_PBF = DATA / "osm" / "redmond_microsoft_campus_2023-10.osm.pbf"

#: OSW 0.2 fields (schema ``jsonschema/src``) that edges and nodes may carry besides ``ext:*``.
OSW_EDGE_FIELDS = {"_id", "_u_id", "_v_id", "highway", "footway", "crossing:markings", "foot",
                   "surface", "width", "incline", "climb", "step_count", "name", "length",
                   "description"}
OSW_HIGHWAYS = {"footway", "steps", "pedestrian", "living_street", "primary", "secondary",
                "tertiary", "residential", "service", "trunk", "unclassified"}
OSW_NODE_FIELDS = {"_id", "barrier", "kerb", "tactile_paving"}
OSW_SURFACES = {"asphalt", "concrete", "gravel", "grass", "paved", "paving_stones", "unpaved",
                "dirt", "grass_paver"}

WORLD = World(
    """
    a---b---c---d
            |
            e---f---g
    """,
    ways={
        "abc": {"highway": "footway", "footway": "sidewalk", "surface": "asphalt", "width": "1.8",
                "incline": "5%", "lit": "yes", "wheelchair": "limited", "tactile_paving": "yes",
                "name": "Абай даңғылы", "name:ru": "проспект Абая"},
        "cd": {"highway": "steps", "step_count": "7", "incline": "up", "handrail": "yes",
               "ramp:wheelchair": "no"},
        "ce": {"highway": "residential", "sidewalk": "left", "sidewalk:left:surface": "sett",
               "sidewalk:left:width": "2", "lanes": "2"},
        "ef": {"highway": "footway", "footway": "crossing", "crossing": "traffic_signals"},
        "fg": {"highway": "path", "surface": "compacted", "smoothness": "bad", "incline": "-12%",
               "bridge": "yes", "level": "1", "winter_service": "yes"},
    },
    nodes={
        "b": {"barrier": "kerb", "kerb": "raised", "tactile_paving": "no", "kerb:height": "0.12"},
        "e": {"highway": "crossing", "crossing": "marked", "crossing:island": "no"},
        "f": {"kerb": "lowered"},
        "g": {"barrier": "bollard"},
        "d": {"entrance": "main", "wheelchair": "yes", "opening_hours": "Mo-Fr 09:00-18:00"},
    },
)


@pytest.fixture(scope="module")
def world_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return WORLD.graph(tmp_path_factory.mktemp("world"))


def _strings(graph: Graph, kind: str, name: str) -> list[str | None]:
    return [graph.string(index) for index in graph.arrays[f"{kind}.{name}"].tolist()]


def _differences(a: Graph, b: Graph, kind: str, schema: dict[str, object]) -> set[str]:
    """Names of the attributes whose arrays differ between two graphs."""
    out = set()
    for name in schema:
        if name in STRING_ATTRIBUTES:
            same = _strings(a, kind, name) == _strings(b, kind, name)
        else:
            x, y = a.arrays[f"{kind}.{name}"], b.arrays[f"{kind}.{name}"]
            same = np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        if not same:
            out.add(name)
    return out


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_has_one_line_per_edge_with_every_attribute(world_graph: Graph) -> None:
    document = graph_to_geojson(world_graph)
    json.dumps(document, allow_nan=False)  # NaN would make invalid JSON
    assert document["type"] == "FeatureCollection"
    assert "OpenStreetMap contributors" in document["attribution"]
    edges = [f for f in document["features"] if f["geometry"]["type"] == "LineString"]
    assert len(edges) == world_graph.n_edges == 6
    for index, feature in enumerate(edges):
        properties = feature["properties"]
        assert properties["edge"] == index
        assert set(EDGE_ATTRIBUTES) | {"osm_way_id", "u", "v", "length_m"} <= set(properties)
        coords = np.array(feature["geometry"]["coordinates"])
        assert np.array_equal(coords, world_graph.edge_coords(index))
        u = properties["u"]
        assert coords[0].tolist() == [world_graph.node("lon")[u], world_graph.node("lat")[u]]


def test_geojson_writes_enum_names_nulls_and_strings(world_graph: Graph) -> None:
    document = graph_to_geojson(world_graph)
    by_edge = {f["properties"]["edge"]: f["properties"] for f in document["features"]
               if f["properties"]["kind"] == "edge"}
    sidewalk = by_edge[WORLD.edge(world_graph, "a", "b")]
    assert sidewalk["footway"] == "sidewalk"
    assert sidewalk["surface"] == "paved_smooth"
    assert sidewalk["incline_pct"] == 5.0
    assert sidewalk["width_m"] == 1.8  # float32 written as its shortest decimal
    assert sidewalk["name"] == "Абай даңғылы"
    assert sidewalk["name_en"] is None
    assert sidewalk["smoothness"] == "unknown"
    assert sidewalk["step_count"] is None  # -1 (unknown count) is null
    path = by_edge[WORLD.edge(world_graph, "f", "g")]
    assert path["width_m"] is None  # NaN is null
    assert path["level"] == "1"
    steps = by_edge[WORLD.edge(world_graph, "c", "d")]
    assert steps["step_count"] == 7
    assert steps["incline_direction"] == "up"
    assert steps["incline_pct"] is None


def test_geojson_nodes_are_those_that_carry_something(world_graph: Graph) -> None:
    nodes = {f["properties"]["osm_node_id"]: f["properties"]
             for f in graph_to_geojson(world_graph)["features"]
             if f["properties"]["kind"] == "node"}
    assert set(nodes) == {WORLD.osm_id(letter) for letter in "bdefg"}
    kerb = nodes[WORLD.osm_id("b")]
    assert kerb["kerb"] == "raised"
    assert kerb["barrier"] == "kerb"
    assert kerb["kerb_height_m"] == pytest.approx(0.12)
    assert kerb["tactile_paving"] == "no"
    assert kerb["crossing"] == "not_a_crossing"
    assert set(NODE_ATTRIBUTES) <= set(kerb)
    assert nodes[WORLD.osm_id("e")]["crossed_road_class"] == "residential"
    assert nodes[WORLD.osm_id("d")]["opening_hours"] == "Mo-Fr 09:00-18:00"


def test_write_geojson_is_atomic_and_refuses_a_missing_folder(world_graph: Graph,
                                                             tmp_path: Path) -> None:
    target = tmp_path / "world.geojson"
    assert write_geojson(world_graph, target) == target
    assert json.loads(target.read_text(encoding="utf-8")) == graph_to_geojson(world_graph)
    assert [p.name for p in tmp_path.iterdir()] == ["world.geojson"]  # no temp file left
    with pytest.raises(BadInput, match="does not exist"):
        write_geojson(world_graph, tmp_path / "missing" / "world.geojson")


# --------------------------------------------------------------------------- OSW


def _check_osw(files: dict[str, dict[str, Any]], graph: Graph) -> None:
    """The rules of the OSW 0.2 schema that our files can break."""
    for document in files.values():
        assert document["$schema"] == OSW_SCHEMA
        assert document["type"] == "FeatureCollection"
        assert document["dataSource"]["license"].startswith("https://opendatacommons.org/licenses/odbl")
        json.dumps(document, allow_nan=False)
    nodes = {f["properties"]["_id"]: f for f in files["nodes"]["features"]}
    assert len(nodes) == graph.n_nodes
    edges = files["edges"]["features"]
    assert len(edges) == graph.n_edges
    assert len({f["properties"]["_id"] for f in edges}) == len(edges)
    for feature in edges:
        properties = feature["properties"]
        assert {key for key in properties if not key.startswith("ext:")} <= OSW_EDGE_FIELDS
        assert properties["highway"] in OSW_HIGHWAYS  # an edge type of the schema
        if "footway" in properties:
            assert properties["highway"] == "footway"
            assert properties["footway"] in {"sidewalk", "crossing", "traffic_island"}
        if "climb" in properties or "step_count" in properties:
            assert properties["highway"] == "steps"
        if "crossing:markings" in properties:
            assert properties["footway"] == "crossing"
        assert properties.get("surface", "paved") in OSW_SURFACES
        assert -1.0 <= properties.get("incline", 0.0) <= 1.0
        coords = feature["geometry"]["coordinates"]  # drawn from u to v
        assert coords[0] == nodes[properties["_u_id"]]["geometry"]["coordinates"]
        assert coords[-1] == nodes[properties["_v_id"]]["geometry"]["coordinates"]
    for feature in nodes.values():
        properties = feature["properties"]
        assert {key for key in properties if not key.startswith("ext:")} <= OSW_NODE_FIELDS
        if "kerb" in properties:
            assert properties["barrier"] == "kerb"
            assert properties["kerb"] in {"raised", "lowered", "flush", "rolled"}


def test_osw_files_follow_the_schema(world_graph: Graph) -> None:
    files = graph_to_osw(world_graph)
    assert set(files) == {"edges", "nodes", "points"}
    _check_osw(files, world_graph)


def test_osw_values_are_osm_tag_values(world_graph: Graph) -> None:
    files = graph_to_osw(world_graph)
    edges = {int(f["properties"]["_id"]): f["properties"] for f in files["edges"]["features"]}
    sidewalk = edges[WORLD.edge(world_graph, "a", "b")]
    assert sidewalk["incline"] == 0.05  # a fraction, as in OSW data
    assert (sidewalk["highway"], sidewalk["footway"], sidewalk["surface"]) == (
        "footway", "sidewalk", "asphalt")  # OSW 0.2 has asphalt: not its group "paved"
    assert sidewalk["width"] == 1.8
    assert sidewalk["ext:wheelchair"] == "limited"
    assert sidewalk["ext:osm_way_id"] == str(WORLD.way_id("abc"))
    steps = edges[WORLD.edge(world_graph, "c", "d")]
    assert (steps["climb"], steps["step_count"], steps["ext:handrail"]) == ("up", 7, "yes")
    assert "incline" not in steps
    road = edges[WORLD.edge(world_graph, "c", "e")]
    assert road["ext:sidewalk"] == "left"
    assert road["ext:sidewalk:surface"] == "sett"  # the sidewalk's surface, not the road's
    assert "surface" not in road
    assert road["ext:sidewalk:width"] == 2.0
    crossing = edges[WORLD.edge(world_graph, "e", "f")]
    assert crossing["ext:crossing"] == "traffic_signals"
    path = edges[WORLD.edge(world_graph, "f", "g")]
    assert (path["highway"], path["ext:highway"]) == ("footway", "path")  # no OSW path type
    assert (path["incline"], path["ext:surface"], path["ext:bridge"]) == (-0.12, "compacted", "yes")
    nodes = {int(f["properties"]["_id"]): f["properties"] for f in files["nodes"]["features"]}
    assert nodes[WORLD.osm_id("b")] == {"_id": str(WORLD.osm_id("b")), "barrier": "kerb",
                                        "kerb": "raised", "ext:kerb:height": "0.12",
                                        "tactile_paving": "no"}
    assert nodes[WORLD.osm_id("f")]["kerb"] == "lowered"
    assert nodes[WORLD.osm_id("g")]["ext:barrier"] == "bollard"
    assert nodes[WORLD.osm_id("e")]["ext:crossed_highway"] == "residential"
    points = files["points"]["features"]
    assert [p["properties"] for p in points] == [{"_id": str(WORLD.osm_id("g")),
                                                  "barrier": "bollard"}]


def test_osw_round_trip_keeps_every_attribute(world_graph: Graph, tmp_path: Path) -> None:
    archive = write_osw(world_graph, tmp_path / "world.osw.zip")
    with zipfile.ZipFile(archive) as opened:
        assert sorted(opened.namelist()) == ["world.edges.OSW.geojson", "world.nodes.OSW.geojson",
                                             "world.points.OSW.geojson"]
    back = graph_from_osw(archive)
    assert back.n_edges == world_graph.n_edges
    for name in ("u", "v", "osm_way_id", "length_m"):
        assert np.array_equal(back.edge(name), world_graph.edge(name))
    assert np.array_equal(back.node("osm_id"), world_graph.node("osm_id"))
    assert _differences(world_graph, back, "edge", EDGE_ATTRIBUTES) == set()
    # A kerb tagged without barrier=kerb is written as an OSW curb (barrier=kerb).
    assert _differences(world_graph, back, "node", NODE_ATTRIBUTES) == {"barrier"}
    f = WORLD.node(world_graph, "f")
    assert (world_graph.node("barrier")[f], back.node("barrier")[f]) == (Barrier.NONE, Barrier.KERB)
    assert back.meta["osw"]["dataSource"]["name"] == "OpenStreetMap"


def test_osw_keeps_dem_grades_apart_from_tags(world_graph: Graph, tmp_path: Path) -> None:
    arrays = {name: np.array(values) for name, values in world_graph.arrays.items()}
    road, path = WORLD.edge(world_graph, "c", "e"), WORLD.edge(world_graph, "f", "g")
    # As graph_with_dem_inclines leaves them: a sampled grade, and one whose tag said "up".
    arrays["edge.incline_pct"][[road, path]] = [0.049985193, 3.3]
    arrays["edge.incline_source"][[road, path]] = Source.DEM
    arrays["edge.incline_direction"][[road, path]] = [InclineDirection.UNKNOWN,
                                                       InclineDirection.UP]
    graph = Graph(arrays=arrays, meta=world_graph.meta, strings=world_graph.strings)
    edges = graph_to_osw(graph)["edges"]["features"]
    assert edges[path]["properties"]["incline"] == 0.033
    assert edges[path]["properties"]["ext:incline"] == "up"
    assert edges[path]["properties"]["ext:incline:source"] == "dem"
    back = graph_from_osw(write_osw(graph, tmp_path / "dem.zip"))
    for name in ("incline_pct", "incline_source", "incline_direction"):
        assert np.array_equal(back.edge(name), graph.edge(name), equal_nan=True), name


def test_write_osw_refuses_other_names(world_graph: Graph, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"\.zip"):
        write_osw(world_graph, tmp_path / "world.geojson")
    assert osw_dataset_name(Path("wa.microsoft.graph.zip")) == "wa.microsoft.graph"
    assert osw_dataset_name(Path("campus.OSW.zip")) == "campus"


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def redmond() -> Graph:
    if not REDMOND_PBF.exists():
        pytest.skip(f"real data not found under {DATA} (the shared data folder is absent)")
    return stepfree.build_graph(REDMOND_PBF)


def _counts(values: np.ndarray, enum: type) -> Counter[str]:
    return Counter(enum(value).name for value in values.tolist())


@pytest.mark.slow
def test_redmond_osm_to_osw_and_back(redmond: Graph, tmp_path: Path) -> None:
    _check_osw(graph_to_osw(redmond), redmond)
    back = graph_from_osw(write_osw(redmond, tmp_path / "redmond.osw.zip"))
    assert back.n_edges == redmond.n_edges == 4537
    total, total_back = float(redmond.edge("length_m").sum()), float(back.edge("length_m").sum())
    assert total_back == pytest.approx(total, rel=1e-3)
    assert _counts(back.node("kerb"), Kerb) == _counts(redmond.node("kerb"), Kerb)
    assert _counts(redmond.node("kerb"), Kerb)["LOWERED"] == 646
    assert _counts(back.edge("surface"), Surface) == _counts(redmond.edge("surface"), Surface)
    assert _counts(back.edge("footway"), Footway) == _counts(redmond.edge("footway"), Footway)
    # Redmond's OSM inclines are all up/down (no grades): the directions survive.
    assert np.array_equal(back.edge("incline_pct"), redmond.edge("incline_pct"), equal_nan=True)
    directions = _counts(back.edge("incline_direction"), InclineDirection)
    assert directions == _counts(redmond.edge("incline_direction"), InclineDirection)
    assert directions["UP"] + directions["DOWN"] > 600
    assert _differences(redmond, back, "edge", EDGE_ATTRIBUTES) == set()
    changed = np.flatnonzero(back.node("barrier") != redmond.node("barrier"))
    assert (redmond.node("barrier")[changed] == Barrier.NONE).all()  # kerbs without barrier=kerb
    assert (redmond.node("kerb")[changed] != Kerb.UNKNOWN).all()
    assert _differences(redmond, back, "node", NODE_ATTRIBUTES) <= {"barrier"}


@pytest.mark.slow
def test_redmond_geojson(redmond: Graph, tmp_path: Path) -> None:
    path = write_geojson(redmond, tmp_path / "redmond.geojson")
    document = json.loads(path.read_text(encoding="utf-8"))
    kinds = Counter(feature["properties"]["kind"] for feature in document["features"])
    assert kinds["edge"] == redmond.n_edges
    kerbs = Counter(feature["properties"]["kerb"] for feature in document["features"]
                    if feature["properties"]["kind"] == "node")
    assert kerbs["lowered"] == 646
    assert kerbs["raised"] == 91


def test_sample_city_osw_round_trip(sample_graph: Graph, tmp_path: Path) -> None:
    """Helsinki has what Redmond lacks: cycleway crossings, signals with sound, paths."""
    _check_osw(graph_to_osw(sample_graph), sample_graph)
    back = graph_from_osw(write_osw(sample_graph, tmp_path / "helsinki.osw.zip"))
    assert np.array_equal(back.edge("u"), sample_graph.edge("u"))
    assert np.array_equal(back.edge("osm_way_id"), sample_graph.edge("osm_way_id"))
    assert _differences(sample_graph, back, "edge", EDGE_ATTRIBUTES) == set()
    assert _differences(sample_graph, back, "node", NODE_ATTRIBUTES) <= {"barrier"}
    assert (back.edge("highway") == Highway.CYCLEWAY).any()
    assert (back.node("signals_sound") == Tri.YES).sum() > 0


def test_osw_keeps_kerbs_not_read(tmp_path: Path) -> None:
    """A kerb known only in part stays so through OSW: OSW tools are not told a one-sided
    lowered crossing is lowered, a raised side still shows, and the reader restores it all."""
    world = World(
        "a---b---c---d---e",
        ways={"abcde": {"highway": "footway"}},
        nodes={
            "b": {"barrier": "kerb", "kerb": "lowered", "kerb:height": "12"},
            "c": {"highway": "crossing", "kerb:left": "lowered"},
            "d": {"highway": "crossing", "kerb:left": "raised"},
            "e": {"barrier": "kerb", "kerb:height": "0.6"},
        },
    )
    graph = world.graph(tmp_path)
    nodes = {int(f["properties"]["_id"]): f["properties"]
             for f in graph_to_osw(graph)["nodes"]["features"]}
    b, c, d, e = (nodes[world.osm_id(letter)] for letter in "bcde")
    assert (b.get("kerb"), b["ext:kerb"], b["ext:kerb:problem"]) == (None, "lowered",
                                                                     "kerb:height=12")
    assert (c.get("kerb"), c["ext:kerb"], c["ext:kerb:problem"]) == (None, "lowered", "kerb:right")
    assert (d["kerb"], d["ext:kerb:problem"]) == ("raised", "kerb:right")
    assert (e["ext:kerb:height"], "ext:kerb:problem" in e) == ("0.6", False)
    back = graph_from_osw(write_osw(graph, tmp_path / "kerbs.zip"))
    assert _differences(graph, back, "node", NODE_ATTRIBUTES) <= {"barrier"}
    problems = {letter: back.string(int(back.node("kerb_problem")[world.node(back, letter)]))
                for letter in "abcde"}
    assert problems == {"a": None, "b": "kerb:height=12", "c": "kerb:right", "d": "kerb:right",
                        "e": None}
    assert back.node("kerb_height_m")[world.node(back, "e")] == pytest.approx(0.6)


def test_osw_keeps_sidewalk_yes_apart_from_both(tmp_path: Path) -> None:
    """sidewalk=yes (a sidewalk on one side at least) is written as such, its surface as the
    sidewalk's, and read back as yes, not both."""
    world = World(
        "a---b---c",
        ways={
            "ab": {"highway": "residential", "sidewalk": "yes", "surface": "asphalt",
                   "sidewalk:surface": "paving_stones"},
            "bc": {"highway": "residential", "sidewalk": "both"},
        },
    )
    graph = world.graph(tmp_path)
    edges = graph_to_osw(graph)["edges"]["features"]
    road = edges[world.edge(graph, "a", "b")]["properties"]
    assert (road["ext:sidewalk"], road["ext:sidewalk:surface"]) == ("yes", "paving_stones")
    assert "surface" not in road  # the carriageway's asphalt is not the walk's surface
    back = graph_from_osw(write_osw(graph, tmp_path / "sidewalks.zip"))
    assert _differences(graph, back, "edge", EDGE_ATTRIBUTES) == set()
    assert [Sidewalk(v) for v in back.edge("sidewalk").tolist()] == [Sidewalk.YES, Sidewalk.BOTH]


def test_osm_osw_round_trip_keeps_surfaces_markings_and_barriers(tmp_path: Path) -> None:
    """OSM -> graph -> OSW -> graph: surface values (not only their groups), crossing markings
    and barriers survive; OSW fields carry the values OSW 0.2 lists, ext: fields the others."""
    world = World(
        """
        a---b---c---d---e---f---g
        """,
        ways={
            "ab": {"highway": "footway", "surface": "concrete"},
            "bc": {"highway": "footway", "footway": "crossing", "crossing:markings": "zebra",
                   "surface": "asphalt"},
            "cd": {"highway": "footway", "footway": "crossing", "crossing": "unmarked",
                   "surface": "wood"},
            "de": {"highway": "footway", "footway": "crossing", "crossing:markings": "lines",
                   "crossing:signals": "no", "surface": "sett"},
            "ef": {"highway": "path", "footway": "crossing", "crossing:markings": "painted_dots"},
            "fg": {"highway": "footway", "surface": "grass_paver"},
        },
        nodes={"b": {"barrier": "bollard"}, "c": {"barrier": "kissing_gate"},
               "f": {"barrier": "lift_gate"}},
    )
    graph = world.graph(tmp_path)
    edges = graph_to_osw(graph)["edges"]["features"]

    def fields(a: str, b: str) -> dict[str, Any]:
        properties: dict[str, Any] = edges[world.edge(graph, a, b)]["properties"]
        return properties

    assert fields("a", "b")["surface"] == "concrete"
    assert (fields("b", "c")["surface"], fields("b", "c")["crossing:markings"]) == ("asphalt",
                                                                                   "zebra")
    assert (fields("c", "d")["ext:surface"], fields("c", "d")["crossing:markings"]) == ("wood",
                                                                                       "no")
    assert "surface" not in fields("c", "d")  # wood is no OSW 0.2 surface value
    assert (fields("d", "e")["ext:surface"], fields("d", "e")["crossing:markings"]) == ("sett",
                                                                                       "lines")
    assert fields("e", "f")["ext:crossing:markings"] == "painted_dots"  # not an OSW value
    assert fields("f", "g")["surface"] == "grass_paver"
    back = graph_from_osw(write_osw(graph, tmp_path / "values.zip"))
    assert _differences(graph, back, "edge", EDGE_ATTRIBUTES) == set()
    assert _differences(graph, back, "node", NODE_ATTRIBUTES) == set()
    assert _strings(back, "edge", "surface_value") == _strings(graph, "edge", "surface_value")
    assert _strings(back, "edge", "surface_value")[world.edge(back, "a", "b")] == "concrete"
    barriers = {letter: Barrier(back.node("barrier")[world.node(back, letter)]) for letter in "bcf"}
    assert barriers == {"b": Barrier.BOLLARD, "c": Barrier.KISSING_GATE, "f": Barrier.LIFT_GATE}

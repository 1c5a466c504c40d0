"""`stepfree inspect` figures against hand counts made straight from the OSM files.

The hand counts use pyosmium directly and plain tag rules written out here, not stepfree's
tag tables, on these attributes:

- steps: ways with ``highway=steps`` (not ``foot=no``/``access=no``), and how many have
  ``step_count``;
- crossings: nodes with ``highway=crossing``, ``railway=crossing`` or a ``crossing`` key on a
  walkable way, and how many have ``tactile_paving``;
- kerbs: nodes on a walkable way with ``kerb=raised``, ``kerb=lowered`` and ``kerb=flush|no``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import osmium
import pytest

import stepfree
from stepfree.graph.coverage import coverage_report, format_report, problems_geojson

from conftest import shared

EXTRACTS = [
    "redmond_microsoft_campus_2023-10",
    "monaco_2023-12-26",
    "moscow_center_2020-07",
    "helsinki_2019-04",
]
PEDESTRIAN = {
    "footway",
    "path",
    "pedestrian",
    "steps",
    "corridor",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "track",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "trunk",
    "trunk_link",
    "road",
    "bridleway",
    "elevator",
    "platform",
}


def _walkable(tags: osmium.osm.TagList) -> bool:
    if tags.get("foot") in {"no", "use_sidepath"}:
        return False
    if tags.get("access") in {"no", "agricultural", "forestry"} and "foot" not in tags:
        return False
    if tags.get("sidewalk") == "separate" or tags.get("sidewalk:both") == "separate":
        return tags.get("highway") in {"footway", "path", "pedestrian", "steps"}
    if tags.get("area") == "yes" and tags.get("highway") != "pedestrian":
        return False
    highway = tags.get("highway")
    if highway == "cycleway":
        return tags.get("foot") in {"yes", "designated", "permissive"} or "segregated" in tags
    return highway in PEDESTRIAN


def hand_count(path: Path) -> dict[str, object]:
    """Count by hand: which nodes are on walkable ways, and what their tags say."""
    locations: dict[int, bool] = {}
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        locations[node.id] = True
    steps, steps_with_count, on_walkable = 0, 0, set()
    for way in osmium.FileProcessor(str(path), osmium.osm.WAY):
        if not _walkable(way.tags):
            continue
        present = [n.ref for n in way.nodes if n.ref in locations]
        if len(present) < 2:
            continue
        on_walkable.update(present)
        if way.tags.get("highway") == "steps":
            steps += 1
            steps_with_count += "step_count" in way.tags and way.tags["step_count"].isdigit()
    crossings, crossings_tactile, kerbs = 0, 0, Counter()
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if node.id not in on_walkable:
            continue
        tags = node.tags
        if (
            tags.get("highway") == "crossing"
            or tags.get("railway") == "crossing"
            or ("crossing" in tags)
        ):
            crossings += 1
            crossings_tactile += "tactile_paving" in node.tags
        kerb = node.tags.get("kerb")
        if kerb in {"raised", "lowered"}:
            kerbs[kerb] += 1
        elif kerb in {"flush", "no"}:
            kerbs["flush"] += 1
    return {
        "steps": steps,
        "steps_with_count": steps_with_count,
        "crossings": crossings,
        "crossings_tactile": crossings_tactile,
        "kerbs": kerbs,
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", EXTRACTS)
def test_inspect_matches_hand_count(name: str, tmp_path: Path) -> None:
    source = shared(f"osm/{name}.osm.pbf")
    graph = stepfree.build_graph(source, tmp_path / "g.sfg")
    report = coverage_report(graph)
    hand = hand_count(source)
    counts = report["counts"]
    assert counts["steps_ways"] == hand["steps"]
    assert counts["steps_ways_with_step_count"] == hand["steps_with_count"]
    assert counts["crossing_nodes"] == hand["crossings"]
    assert counts["crossing_nodes_with_tactile_paving"] == hand["crossings_tactile"]
    for kind in ("raised", "lowered", "flush"):
        assert counts["kerb_nodes"][kind] == hand["kerbs"][kind], kind
    text = format_report(report)
    assert f"steps ({hand['steps']:,} ways)" in text


def test_problems_point_at_osm_objects(sample_graph: stepfree.Graph) -> None:
    problems = problems_geojson(sample_graph)
    kinds = Counter(f["properties"]["problem"] for f in problems["features"])
    report = coverage_report(sample_graph)["problems"]
    assert kinds["crossing_without_kerb"] == report["crossings_without_kerb"]
    assert kinds["disconnected_island"] == report["islands"]
    assert kinds["steps_without_direction"] == report["steps_without_direction"]
    for feature in problems["features"]:
        props = feature["properties"]
        assert "osm_node_id" in props or "osm_way_id" in props
        assert props["fix"]


def test_coverage_on_a_tiny_world(tmp_path: Path) -> None:
    from worlds import World

    world = World(
        """
        a-----b-----c
              |
              k
              |
              x
              |
              d
        """,
        ways={
            "abc": {"highway": "footway", "footway": "sidewalk", "surface": "asphalt"},
            "bkxd": {"highway": "footway", "footway": "crossing", "crossing": "marked"},
        },
        nodes={
            "k": {"barrier": "kerb", "kerb": "lowered"},
            "x": {"highway": "crossing", "crossing": "marked", "tactile_paving": "yes"},
        },
    )
    report = coverage_report(world.graph(tmp_path))
    assert report["coverage"]["sidewalks"]["surface"] == 1.0
    assert report["coverage"]["sidewalks"]["width"] == 0.0
    assert report["coverage"]["crossings"]["count"] == 1
    assert report["coverage"]["crossings"]["kerb_ends_known"] == 0.5  # one of two ends
    assert report["coverage"]["crossings"]["tactile_paving"] == 1.0
    assert report["coverage"]["steps"]["ways"] == 0
    assert report["coverage"]["steps"]["step_count"] is None


def test_kerbs_not_read_and_sidewalk_sides_unknown_are_reported(tmp_path: Path) -> None:
    """A kerb:height that cannot be metres, a crossing with one side mapped, and a road with
    sidewalk=yes: each is said in the report, the text and the problems file."""
    from worlds import World

    world = World(
        """
        a-----b-----c-----d
                          |
                          e
        """,
        ways={
            "abcd": {"highway": "footway", "footway": "sidewalk"},
            "de": {"highway": "residential", "sidewalk": "yes"},
        },
        nodes={
            "b": {"barrier": "kerb", "kerb:height": "12"},
            "c": {"highway": "crossing", "kerb:left": "lowered"},
        },
        grid_m=20.0,
    )
    graph = world.graph(tmp_path)
    report = coverage_report(graph)
    assert report["problems"]["kerbs_not_read"] == 2
    road_km = float(graph.edge("length_m")[world.edge(graph, "d", "e")]) / 1000
    assert report["coverage"]["sidewalks"]["side_unknown_km"] == pytest.approx(road_km, abs=1e-3)
    assert report["network_km"]["sidewalk"] > report["coverage"]["sidewalks"]["side_unknown_km"]
    text = format_report(report)
    assert "kerb tags not read" in text
    assert f"{road_km:.2f} km  of road with sidewalk=yes" in text
    problems = [
        f["properties"]
        for f in problems_geojson(graph)["features"]
        if f["properties"]["problem"] == "kerb_not_read"
    ]
    assert sorted((p["osm_node_id"], p["tags"]) for p in problems) == [
        (world.osm_id("b"), "kerb:height=12"),
        (world.osm_id("c"), "kerb:right"),
    ]
    assert all("kerb:height=3 cm" in p["fix"] for p in problems)

"""Stream an OSM file (``.osm.pbf``, ``.osm``, ``.osm.bz2``) into plain records, clipping early.

Two streaming passes through pyosmium, each filtered in C++ so that Python only sees what
matters:

1. ways with a ``highway`` (or platform) key, with node locations from libosmium's cache: keep
   the walkable ones, clipped to the area (a way leaving the area is cut into the runs of nodes
   inside it), and remember the node ids of every road, walkable or not, to learn what a
   crossing crosses (a trunk, or a road whose sidewalks are mapped separately);
2. nodes with a key that matters, among those referenced by the kept ways: kerbs, crossings,
   barriers...

Ways that share a tag set are read once. Memory is bounded by the area kept plus libosmium's
location cache (16 bytes per node of the file, in C++), not by Python objects for the file.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import osmium

from stepfree.attributes import ROADS
from stepfree.errors import BadData, BadInput
from stepfree.ingest import tags as tagmod
from stepfree.ingest.area import EVERYTHING, Area
from stepfree.ingest.ways import WayTable, WayTableBuilder

#: libosmium's node location store: 16 bytes per node of the file, sorted in memory. The default
#: "flex_mem" switches to a dense array indexed by node id, which for real extracts (ids near
#: 10^10) touched hundreds of MB for a 25,000-node city; measured 657 MB against 90 MB here.
LOCATION_INDEX = "sparse_mem_array"
SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml")
Progress = Callable[[str, int], None]


@dataclass
class Roads:
    """Node ids of every road (flat), with each road's class, lanes and names."""

    node_ids: array[int] = field(default_factory=lambda: array("q"))
    lengths: array[int] = field(default_factory=lambda: array("q"))
    classes: array[int] = field(default_factory=lambda: array("b"))
    lanes: array[int] = field(default_factory=lambda: array("b"))
    names: list[dict[str, str]] = field(default_factory=list)

    def add(self, node_ids: list[int], highway: int, lanes: int, names: dict[str, str]) -> None:
        self.node_ids.extend(node_ids)
        self.lengths.append(len(node_ids))
        self.classes.append(highway)
        self.lanes.append(lanes)
        self.names.append(names)


@dataclass
class Extract:
    """What the reader found: walkable ways, tagged nodes, and what crossings cross."""

    ways: WayTable = field(default_factory=lambda: WayTableBuilder().build())
    node_attrs: dict[int, dict[str, Any]] = field(default_factory=dict)
    road_at_node: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: every road way met in pass 1, walkable or not: its node ids, class, lanes and names
    roads: Roads = field(default_factory=lambda: Roads())
    source_sha256: str = ""
    source_name: str = ""


def _quiet(_phase: str, _count: int) -> None:
    return None


def check_input(path: Path) -> None:
    """Fail early and clearly on a missing, empty or oddly named input file."""
    if not path.exists():
        raise BadInput(
            f"input file {path} does not exist; check the path, or run "
            "'stepfree download REGION' to fetch an extract"
        )
    if not path.is_file():
        raise BadInput(f"input {path} is not a file; give an .osm.pbf, .osm or .osm.bz2 file")
    if not path.name.lower().endswith(SUFFIXES):
        raise BadInput(
            f"input {path} has an unknown suffix; stepfree reads .osm.pbf, .osm "
            "and .osm.bz2 (rename the file if its content is one of these)"
        )
    if path.stat().st_size == 0:
        raise BadData(f"input file {path} is empty (0 bytes); download it again")


def file_sha256(path: Path) -> str:
    """Checksum of the source file, recorded in the graph file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _runs(inside: np.ndarray) -> Iterator[tuple[int, int]]:
    """Start/stop of each run of True of length >= 2."""
    padded = np.concatenate(([False], inside, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start >= 2:
            yield int(start), int(stop)


def _way_nodes(refs: osmium.osm.WayNodeList) -> tuple[list[int], list[float], list[float], bool]:
    """Node ids, lon and lat of a way's nodes (NaN where a node is missing), and whether all
    are present."""
    try:  # the common case: every node of the way is in the file
        rows = [(ref.ref, ref.location.lon, ref.location.lat) for ref in refs]
        ids, lon, lat = (list(column) for column in zip(*rows, strict=True))
        return ids, lon, lat, True
    except osmium.InvalidLocationError:  # a node outside the extract: cut the way there
        ids = [ref.ref for ref in refs]
        lon = [ref.location.lon if ref.location.valid() else np.nan for ref in refs]
        lat = [ref.location.lat if ref.location.valid() else np.nan for ref in refs]
        return ids, lon, lat, False


def _read_ways(path: Path, area: Area, extract: Extract, progress: Progress) -> None:
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations(LOCATION_INDEX)  # FileProcessor builds osmium.index.create_map(it)
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway", "railway", "public_transport"))
    )
    seen = 0
    ways = WayTableBuilder()
    attrs_of: dict[frozenset[tuple[str, str]], dict[str, Any] | None] = {}
    for entity in processor:
        way = cast(osmium.osm.Way, entity)  # the EntityFilter above passes ways only
        seen += 1
        if seen % 20_000 == 0:
            progress("reading ways", seen)
        tags = dict(way.tags)
        key = frozenset(tags.items())
        if key in attrs_of:  # many ways share a tag set: read it once, share the result
            attrs = attrs_of[key]
        else:
            attrs = attrs_of[key] = tagmod.way_attributes(tags)
        highway, lanes = tagmod.road_class(tags)
        if attrs is None:
            if highway in ROADS:  # not walked, but its crossings are crossed
                extract.roads.add([ref.ref for ref in way.nodes], highway, lanes, _names(tags))
            continue
        ids, lon, lat, complete = _way_nodes(way.nodes)
        if highway in ROADS:
            extract.roads.add(ids, highway, lanes, _names(tags))
        if complete and area is EVERYTHING:
            ways.append(way.id, attrs, ids, lon, lat)
            continue
        lon_a, lat_a = np.array(lon), np.array(lat)
        inside = ~np.isnan(lon_a) & area.contains(lon_a, lat_a)  # NaN compares False
        for start, stop in _runs(inside):
            ways.append(way.id, attrs, ids[start:stop], lon[start:stop], lat[start:stop])
    progress("reading ways", seen)
    extract.ways = ways.build()


#: Keys a node must have to matter (see tags.node_attributes); filtered in C++.
NODE_KEYS = (
    "barrier",
    "kerb",
    "kerb:height",
    "kerb:left",  # the two kerbs of a crossing node (Key:kerb), with their heights
    "kerb:right",
    "kerb:both",
    "kerb:left:height",
    "kerb:right:height",
    "kerb:both:height",
    "highway",
    "railway",
    "crossing",
    "traffic_signals:sound",
    "traffic_signals:vibration",
    "button_operated",
    "tactile_paving",
    "entrance",
    "wheelchair",
    "level",
    "opening_hours",
)


def _read_nodes(path: Path, wanted: np.ndarray, extract: Extract, progress: Progress) -> None:
    # Membership is checked against the sorted id array, not with libosmium's IdFilter: its
    # dense id set allocates by id range, ~650 MB for a 25,000-node city with ids near 10^10.
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(
        osmium.filter.KeyFilter(*NODE_KEYS)
    )
    last = wanted.shape[0] - 1
    for node in processor:
        position = int(np.searchsorted(wanted, node.id))
        if position > last or wanted[position] != node.id:
            continue
        attrs = tagmod.node_attributes(dict(node.tags))
        if attrs:
            extract.node_attrs[node.id] = attrs
    progress("reading nodes", len(extract.node_attrs))


CROSSED_NAMES = (
    ("name", "crossed_name"),
    ("name:kk", "crossed_name_kk"),
    ("name:ru", "crossed_name_ru"),
    ("name:en", "crossed_name_en"),
)


def _names(tags: dict[str, str]) -> dict[str, str]:
    return {attr: tags[key] for key, attr in CROSSED_NAMES if key in tags}


def _crossed_roads(extract: Extract) -> None:
    """What each crossing node crosses: the biggest road through it, its lanes and names.

    Vectorised over every road node reference gathered in the first pass, so no third pass
    through the file is needed.
    """
    crossing_ids = np.array(
        sorted(i for i, a in extract.node_attrs.items() if "crossing" in a), dtype=np.int64
    )
    roads = extract.roads
    if crossing_ids.size == 0 or not roads.names:
        return
    refs = np.frombuffer(roads.node_ids, dtype=np.int64)
    road = np.repeat(np.arange(len(roads.names)), np.frombuffer(roads.lengths, dtype=np.int64))
    hit = np.isin(refs, crossing_ids)
    refs, road = refs[hit], road[hit]
    if refs.size == 0:  # no crossing node lies on a road (crossings of footways only)
        return
    classes = np.frombuffer(roads.classes, dtype=np.int8)[road]
    lanes = np.frombuffer(roads.lanes, dtype=np.int8)[road]
    named = np.array([bool(names) for names in roads.names])[road]
    # by node, then class, then named: the last of a node is its biggest road, named if any is
    order = np.lexsort((named, classes, refs))
    refs, road, classes, lanes = refs[order], road[order], classes[order], lanes[order]
    last = np.flatnonzero(np.append(refs[1:] != refs[:-1], True))
    first = np.concatenate(([0], last[:-1] + 1))
    most_lanes = np.maximum.reduceat(lanes, first)
    for index, node in enumerate(refs[last].tolist()):
        extract.road_at_node[node] = (int(classes[last[index]]), int(most_lanes[index]))
        extract.node_attrs[node].update(roads.names[road[last[index]]])


def read_osm(path: Path, area: Area = EVERYTHING, progress: Progress = _quiet) -> Extract:
    """Read the walkable network of an OSM file inside ``area``.

    Raises
    ------
    BadInput
        The file is missing or not an OSM file name.
    BadData
        The file is corrupt or truncated, or holds nothing walkable inside the area.
    """
    check_input(path)
    extract = Extract(source_sha256=file_sha256(path), source_name=path.name)
    try:
        _read_ways(path, area, extract, progress)
        if len(extract.ways) == 0:
            where = "" if area is EVERYTHING else f" inside {area.label}"
            raise BadData(
                f"no walkable ways found in {path.name}{where}; check that the file covers "
                "the area you want (a bbox is W,S,E,N) and that it is not an empty extract"
            )
        wanted = np.unique(extract.ways.node_ids)
        _read_nodes(path, wanted, extract, progress)
        _crossed_roads(extract)
        extract.roads = Roads()
    except RuntimeError as error:  # libosmium's errors for corrupt or truncated input
        raise BadData(
            f"cannot read {path.name}: {error}. The file is corrupt or truncated; "
            "download it again (stepfree download resumes and checks it)"
        ) from None
    return extract

"""Stream an OSM file (``.osm.pbf``, ``.osm``, ``.osm.bz2``) into plain records, clipping early.

Three streaming passes through pyosmium, each filtered in C++ so that Python only sees what
matters:

1. ways with a ``highway`` (or platform) key, with node locations from libosmium's cache: keep
   the walkable ones, clipped to the area (a way leaving the area is cut into the runs of nodes
   inside it);
2. tagged nodes among those referenced by the kept ways: kerbs, crossings, barriers...;
3. road ways again, to learn what a crossing node crosses (class and lanes), even when the road
   itself is not walkable (a trunk, or a road whose sidewalks are mapped separately).

Memory is bounded by the area kept plus libosmium's location cache (16 bytes per node of the
file, in C++), not by Python objects for the whole file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium

from stepfree.errors import BadData, BadInput
from stepfree.ingest import tags as tagmod
from stepfree.ingest.area import EVERYTHING, Area
from stepfree.ingest.attributes import ROADS, Highway

#: libosmium's node location store: 16 bytes per node of the file, sorted in memory. The default
#: "flex_mem" switches to a dense array indexed by node id, which for real extracts (ids near
#: 10^10) touched hundreds of MB for a 25,000-node city; measured 657 MB against 90 MB here.
LOCATION_INDEX = "sparse_mem_array"
SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml")
Progress = Callable[[str, int], None]


@dataclass
class WayRecord:
    """A walkable way (or the part of one inside the area)."""

    osm_id: int
    attrs: dict[str, Any]
    node_ids: np.ndarray  # int64, OSM node ids in drawing order
    lon: np.ndarray  # float64 degrees
    lat: np.ndarray


@dataclass
class Extract:
    """What the reader found: walkable ways, tagged nodes, and what crossings cross."""

    ways: list[WayRecord] = field(default_factory=list)
    node_attrs: dict[int, dict[str, Any]] = field(default_factory=dict)
    road_at_node: dict[int, tuple[int, int]] = field(default_factory=dict)
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


def _way_nodes(refs: osmium.osm.WayNodeList) -> tuple[np.ndarray, ...]:
    """Node ids, lon, lat and validity of a way's nodes (NaN where a node is missing)."""
    try:  # the common case: every node of the way is in the file
        rows = [(ref.ref, ref.location.lon, ref.location.lat) for ref in refs]
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        coords = np.array([row[1:] for row in rows], dtype=np.float64).reshape(-1, 2)
        return ids, coords[:, 0], coords[:, 1], np.ones(ids.shape[0], dtype=bool)
    except osmium.InvalidLocationError:  # a node outside the extract: cut the way there
        ids = np.array([ref.ref for ref in refs], dtype=np.int64)
        valid = np.array([ref.location.valid() for ref in refs], dtype=bool)
        lon = np.array([ref.location.lon if ref.location.valid() else np.nan for ref in refs])
        lat = np.array([ref.location.lat if ref.location.valid() else np.nan for ref in refs])
        return ids, lon, lat, valid


def _read_ways(path: Path, area: Area, extract: Extract, progress: Progress) -> None:
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations(osmium.index.create_map(LOCATION_INDEX))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway", "railway", "public_transport"))
    )
    seen = 0
    for way in processor:
        seen += 1
        if seen % 20_000 == 0:
            progress("reading ways", seen)
        attrs = tagmod.way_attributes(dict(way.tags))
        if attrs is None:
            continue
        refs = way.nodes
        count = len(refs)
        ids = np.empty(count, dtype=np.int64)
        lon = np.empty(count, dtype=np.float64)
        lat = np.empty(count, dtype=np.float64)
        valid = np.ones(count, dtype=bool)
        for i, ref in enumerate(refs):
            ids[i] = ref.ref
            location = ref.location
            if location.valid():
                lon[i], lat[i] = location.lon, location.lat
            else:  # node missing from the extract: the way is cut there
                valid[i] = False
                lon[i] = lat[i] = np.nan
        inside = valid & area.contains(np.nan_to_num(lon), np.nan_to_num(lat))
        for start, stop in _runs(inside):
            extract.ways.append(
                WayRecord(way.id, attrs, ids[start:stop], lon[start:stop], lat[start:stop])
            )
    progress("reading ways", seen)


#: Keys a node must have to matter (see tags.node_attributes); filtered in C++.
NODE_KEYS = (
    "barrier",
    "kerb",
    "kerb:height",
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


def _read_roads(path: Path, extract: Extract) -> None:
    crossing_ids = {i for i, a in extract.node_attrs.items() if "crossing" in a}
    if not crossing_ids:
        return
    processor = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    for way in processor:
        highway, lanes = tagmod.road_class(way.tags)
        if highway not in ROADS:
            continue
        for ref in way.nodes:
            if ref.ref in crossing_ids:
                old_class, old_lanes = extract.road_at_node.get(ref.ref, (Highway.UNKNOWN, -1))
                extract.road_at_node[ref.ref] = (max(old_class, highway), max(old_lanes, lanes))
                if highway >= old_class:  # name the biggest road crossed here, for guidance
                    attrs = extract.node_attrs[ref.ref]
                    for key, attr in CROSSED_NAMES:
                        if key in way.tags:
                            attrs[attr] = way.tags[key]


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
        if not extract.ways:
            where = "" if area is EVERYTHING else f" inside {area.label}"
            raise BadData(
                f"no walkable ways found in {path.name}{where}; check that the file covers "
                "the area you want (a bbox is W,S,E,N) and that it is not an empty extract"
            )
        wanted = np.unique(np.concatenate([w.node_ids for w in extract.ways]))
        _read_nodes(path, wanted, extract, progress)
        _read_roads(path, extract)
    except RuntimeError as error:  # libosmium's errors for corrupt or truncated input
        raise BadData(
            f"cannot read {path.name}: {error}. The file is corrupt or truncated; "
            "download it again (stepfree download resumes and checks it)"
        ) from None
    return extract

"""Read an OpenSidewalks (OSW) 0.2 dataset into a graph.

An OSW dataset is a zip (or a folder) of GeoJSON files named ``<name>.edges.OSW.geojson``,
``<name>.nodes.OSW.geojson`` and optionally ``points``, ``lines``, ``polygons``, ``zones``. Edges
are already cut at every junction and name their end nodes by ``_u_id``/``_v_id``; their
properties are OSM tags with a few OSW spellings, which are turned back into OSM tags here and
then read by the same tag tables as OSM files (``ingest.tags``), so OSW and OSM data mean the
same thing in the graph:

- ``incline`` is a fraction (0.05 = 5 %), written back as ``incline=5%``;
- ``climb`` (steps) is the direction of ``incline=up|down``; it also sets the grade-less
  direction when a numeric incline is present (the OSW pipeline takes grades from a DEM, while
  ``climb`` is the mapper's word);
- ``ext:<key>`` is an additional field (the schema's rule) and is read as the OSM tag ``<key>``
  unless ``<key>`` itself is present (``ext:maxspeed``, or the ``ext:`` fields stepfree writes);
  with ``ext:incline:source=dem`` (written by stepfree) the grade is kept as sampled from a DEM;
- ``ext:kerb:problem`` (written by stepfree) names the kerb tags of the source it could not read
  safely: the kerb's height stays unknown;
- ``ext:highway`` replaces ``highway``: stepfree writes classes that OSW has no edge type for
  (path, cycleway, corridor...) as the nearest OSW type with the true class there;
- a cycleway without ``foot`` is walkable (OSW edges are the pedestrian network; OSM says so
  with ``segregated``, which OSW drops), its access unknown;
- a point (or node) that is no edge's end but says something a person meets (a bollard, a
  kerb) is put on the network by position (``ingest.osw_points``); what is not imported
  (benches, points off the network, fences, buildings, pedestrian areas) is counted in the
  graph meta, ``meta["osw"]["not_imported"]``, which ``stepfree import-osw`` prints.

Ids in OSW are strings. Numeric ones (canonical integers such as ``"2298864238"``) keep their
value as OSM ids; the others get negative synthetic ids, given in sorted order below every
numeric id, so they are stable for a file and never collide. Interior points of an edge get
synthetic ids too: OSW joins edges only at ``_u_id``/``_v_id``; one that a point is put at
takes the point's id.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stepfree.attributes import ROADS, Access, Highway, InclineDirection, Source
from stepfree.errors import BadData, BadInput
from stepfree.ingest import tags as tagmod
from stepfree.ingest.osm import file_sha256
from stepfree.ingest.osw_files import (
    dataset_files,
    edges_file,
    feature_collection,
    feature_properties,
)
from stepfree.ingest.osw_points import OFF_NETWORK, Loose, label, ordered, place, point_lonlat
from stepfree.ingest.ways import WayRecord

#: Header fields of an OSW collection kept in the graph meta (``region`` is left out: bulky).
KEPT_HEADER = ("$schema", "dataSource", "dataTimestamp", "pipelineVersion")
#: OSW fields that are graph structure, not tags.
STRUCTURE = frozenset({"_id", "_u_id", "_v_id", "_w_id", "length", "ext:osm_way_id"})
#: Numeric ids beyond this are read as names: synthetic ids below them must stay in int64.
NUMERIC_ID_LIMIT = 2**62


def _numeric_id(text: str) -> int | None:
    """The integer of a canonical integer string (``"12"``, ``"-3"``; not ``"012"``), or None."""
    if not re.fullmatch(r"-?[1-9]\d*|0", text):
        return None
    value = int(text)
    return value if abs(value) < NUMERIC_ID_LIMIT else None


def _id_text(value: Any, what: str) -> str:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadData(f"{what} has no usable id ({value!r}); OSW ids are non-empty strings")


class IdMap:
    """OSW string ids to int64 ids: numeric ones keep their value, others go negative."""

    def __init__(self, texts: Iterable[str]) -> None:
        unique = set(texts)
        numbers = {text: _numeric_id(text) for text in unique}
        known = [value for value in numbers.values() if value is not None]
        self._next = min([0, *known]) - 1
        self._ids: dict[str, int] = {t: n for t, n in numbers.items() if n is not None}
        for text in sorted(t for t, n in numbers.items() if n is None):
            self._ids[text] = self.fresh()

    def fresh(self) -> int:
        """A new synthetic id, below every id given so far."""
        value = self._next
        self._next -= 1
        return value

    def __getitem__(self, text: str) -> int:
        return self._ids[text]


# --------------------------------------------------------------------------- tags


def _decimal(value: float) -> str:
    """A float as plain decimal text: 12 significant digits (drops float noise such as
    ``-1.7000000000000002``), no exponent (OSM values never use one)."""
    text = np.format_float_positional(float(f"{value:.12g}"), trim="-")
    return "0" if text == "-0" else text


def _tag_value(value: Any) -> str | None:
    """An OSW field value as an OSM tag value (numbers as text; objects are not tags)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return None if math.isnan(value) else _decimal(value)
    return value if isinstance(value, str) else None


def _grade(value: Any) -> float | None:
    """An OSW ``incline`` (a number) as a grade in percent."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value) * 100.0
    return None


def osm_tags_from_osw(properties: Mapping[str, Any]) -> dict[str, str]:
    """OSM tags of an OSW edge or node (OSW spellings undone, ``ext:`` prefixes dropped)."""
    tags: dict[str, str] = {}
    for key, value in properties.items():
        if key in STRUCTURE or key.startswith("ext:") or key == "climb":
            continue
        if key == "incline" and (grade := _grade(value)) is not None:
            tags["incline"] = f"{_decimal(grade)}%"
            continue
        text = _tag_value(value)
        if text is not None:
            tags[key] = text
    climb = properties.get("climb")
    if climb in ("up", "down") and "incline" not in tags:
        tags["incline"] = climb
    for key, value in properties.items():
        text = _tag_value(value)
        if key.startswith("ext:") and key not in STRUCTURE and text is not None:
            if key == "ext:highway":  # the true class of an edge written as an OSW type
                tags["highway"] = text
            tags.setdefault(key[4:], text)
    return tags


# --------------------------------------------------------------------------- graph


def _edge_way(feature: Any, index: int, ids: IdMap, way_ids: IdMap) -> WayRecord | None:
    what = f"edge feature {index}"
    properties = feature_properties(feature, what)
    geometry = feature.get("geometry") or {}
    if geometry.get("type") != "LineString":
        raise BadData(f"{what} has geometry {geometry.get('type')!r}, OSW edges are LineStrings")
    try:
        coords = np.asarray(geometry.get("coordinates"), dtype=np.float64)
    except (TypeError, ValueError):
        coords = np.empty((0, 0))
    if coords.ndim != 2 or coords.shape[0] < 2 or coords.shape[1] < 2:
        raise BadData(f"{what} needs at least two [lon, lat] positions; fix or re-export it")
    if not np.isfinite(coords[:, :2]).all():
        raise BadData(f"{what} has a non-finite coordinate; fix or re-export it")
    tags = osm_tags_from_osw(properties)
    dem_grade = None
    if properties.get("ext:incline:source") == "dem":  # a sampled grade, not the mapper's tag
        dem_grade = _grade(properties.get("incline"))
        tags.pop("incline", None)
        word = properties.get("ext:incline", properties.get("climb"))
        if word in ("up", "down"):
            tags["incline"] = word
    attrs = tagmod.way_attributes(tags)
    if attrs is None and tags.get("highway") == "cycleway" and "foot" not in tags:
        # OSM makes a cycleway walkable by foot=* or segregated=*; OSW keeps neither, but its
        # edges are the pedestrian network, so a cycleway there is shared (access unknown).
        attrs = tagmod.way_attributes({**tags, "foot": "yes"})
        if attrs is not None:
            attrs["access"] = Access.UNKNOWN
    if attrs is None:
        return None  # not walkable (foot=no, a motorway...)
    climb = properties.get("climb")
    if climb in ("up", "down"):
        attrs["incline_direction"] = InclineDirection[climb.upper()]
    if dem_grade is not None:
        attrs["incline_pct"], attrs["incline_source"] = dem_grade, Source.DEM
    u = ids[_id_text(properties.get("_u_id"), what)]
    v = ids[_id_text(properties.get("_v_id"), what)]
    inner = [ids.fresh() for _ in range(coords.shape[0] - 2)]
    node_ids = np.array([u, *inner, v], dtype=np.int64)
    way_text = properties.get("ext:osm_way_id", properties.get("_id"))
    way_id = _numeric_id(way_text) if isinstance(way_text, str) else None
    if way_id is None:
        way_id = way_ids[_id_text(properties.get("_id"), what)]
    return WayRecord(way_id, attrs, node_ids, coords[:, 0].copy(), coords[:, 1].copy())


CROSSED_NAME_ATTRS = ("crossed_name", "crossed_name_kk", "crossed_name_ru", "crossed_name_en")


def _road_at_node(
    ways: list[WayRecord], tags_of: dict[int, dict[str, str]], crossings: set[int]
) -> dict[int, tuple[int, int]]:
    """What each crossing node crosses: written by stepfree, else the roads ending there."""
    out: dict[int, tuple[int, int]] = {}
    for way in ways:
        highway = way.attrs.get("highway", Highway.UNKNOWN)
        if highway not in ROADS:
            continue
        lanes = int(way.attrs.get("lanes", -1))
        for node in (int(way.node_ids[0]), int(way.node_ids[-1])):
            if node in crossings:
                old_class, old_lanes = out.get(node, (Highway.UNKNOWN, -1))
                out[node] = (max(old_class, highway), max(old_lanes, lanes))
    for node in crossings:
        tags = tags_of.get(node, {})
        if "crossed_highway" in tags:
            out[node] = tagmod.road_class(
                {"highway": tags["crossed_highway"], "lanes": tags.get("crossed_lanes", "")}
            )
    return out


def _point_tags(
    collections: dict[str, dict[str, Any]], ends: set[str]
) -> tuple[dict[str, dict[str, str]], dict[str, Loose], list[Counter[str]]]:
    """Tags of the edges' end nodes by id (nodes and points files; node tags win), the points
    and nodes that matter but are no edge's end (to place by position), and counts of what is
    not imported: points that say nothing a person meets (benches...), points off the network
    (filled in by the caller), lines, polygons, zones."""
    node_tags: dict[str, dict[str, str]] = {}
    loose: dict[str, Loose] = {}
    skipped: list[Counter[str]] = [Counter() for _ in range(5)]
    for kind in ("points", "nodes"):  # node tags win
        for index, feature in enumerate(collections.get(kind, {}).get("features", [])):
            what = f"{kind} feature {index}"
            properties = feature_properties(feature, what)
            text = _id_text(properties.get("_id"), what)
            tags = osm_tags_from_osw(properties)
            matters = bool(tagmod.node_attributes(tags))
            if kind == "points" and not matters:  # a bench, a street lamp, even on a node
                skipped[0][label(tags, kind)] += 1
            if text in ends:
                node_tags[text] = node_tags.get(text, {}) | tags
            elif text in loose:  # a point and a node of one id
                loose[text].tags |= tags
            elif matters:
                loose[text] = Loose(text, tags, *point_lonlat(feature, what), label(tags, kind))
    for slot, kind in enumerate(("lines", "polygons", "zones"), start=2):
        for index, feature in enumerate(collections.get(kind, {}).get("features", [])):
            properties = feature_properties(feature, f"{kind} feature {index}")
            skipped[slot][label(osm_tags_from_osw(properties), kind)] += 1
    return node_tags, loose, skipped


@dataclass(frozen=True)
class OswRecords:
    """What an OSW dataset holds for the graph builder (``graph_from_records``'s arguments)."""

    ways: list[WayRecord]
    node_attrs: dict[int, dict[str, Any]]
    road_at_node: dict[int, tuple[int, int]]
    meta: dict[str, Any]


def records_from_osw(path: Path) -> OswRecords:
    """Read an OpenSidewalks 0.2 zip, or a folder of its GeoJSON files, into records for the
    graph builder (`graph.from_osw.graph_from_osw` builds the graph).

    Parameters
    ----------
    path
        ``<name>.zip`` holding ``<name>.edges.OSW.geojson`` (required), ``nodes``, ``points``,
        ``lines``, ``polygons`` and ``zones`` files (optional), or a folder holding them.

    Returns
    -------
    OswRecords
        Ways, tagged nodes, what crossings cross, and ``meta``: with
        ``meta["osw"]["placed_by_position"]`` (points put on an edge by position, by
        kind: ``{"bollard": 9}``) and ``meta["osw"]["not_imported"]`` (what the graph lacks,
        by kind: ``{"bench": 118, "bollard off the network": 4, "fence": 5}``).

    Raises
    ------
    BadInput
        The path does not exist, or is neither a zip nor a folder.
    BadData
        No OSW edges file, invalid JSON, a malformed feature, or nothing walkable.
    """
    path = Path(path)
    if not path.exists():
        raise BadInput(
            f"OSW dataset {path} does not exist; give an OSW .zip or a folder "
            "holding <name>.edges.OSW.geojson"
        )
    if path.is_file() and not zipfile.is_zipfile(path):
        raise BadInput(
            f"{path} is not a zip archive; give an OSW .zip or a folder holding "
            "<name>.edges.OSW.geojson"
        )
    files = dataset_files(path)
    collections = {kind: feature_collection(raw, kind) for kind, raw in files.items()}
    edges = collections["edges"]["features"]
    texts: list[str] = []
    for index, feature in enumerate(edges):
        properties = feature_properties(feature, f"edge feature {index}")
        what = f"edge feature {index}"
        texts += [_id_text(properties.get(key), what) for key in ("_u_id", "_v_id")]
    node_tags, loose, skipped = _point_tags(collections, set(texts))
    ids = IdMap([*texts, *node_tags, *loose])
    way_ids = IdMap(
        _id_text(feature_properties(f, "edge").get("_id"), f"edge feature {i}")
        for i, f in enumerate(edges)
    )
    ways = [
        way
        for index, feature in enumerate(edges)
        if (way := _edge_way(feature, index, ids, way_ids)) is not None
    ]
    if not ways:
        raise BadData(
            f"{path.name} has no edge that people on foot may use; "
            "check the dataset's highway and foot fields"
        )
    tags_of = {ids[text]: tags for text, tags in node_tags.items()}
    placed: Counter[str] = Counter()
    for point, nodes in zip(
        loose.values(), place(ways, list(loose.values()), ids.__getitem__, ids.fresh), strict=True
    ):
        if nodes:
            placed[point.label] += 1
        else:
            skipped[1][point.label + OFF_NETWORK] += 1
        for node in nodes:  # the tags of a node of the network win
            tags_of[node] = point.tags | tags_of.get(node, {})
    node_attrs = {
        node: attrs for node, tags in tags_of.items() if (attrs := tagmod.node_attributes(tags))
    }
    for node, tags in tags_of.items():  # what stepfree found unreadable in the source's kerbs
        if "kerb:problem" in tags and node in node_attrs:
            node_attrs[node]["kerb_problem"] = tags["kerb:problem"]
    crossings = {node for node, attrs in node_attrs.items() if "crossing" in attrs}
    for node in crossings:  # names of the crossed road, as stepfree exports them
        for attr in CROSSED_NAME_ATTRS:
            if attr in tags_of[node]:
                node_attrs[node][attr] = tags_of[node][attr]
    source_file = path if path.is_file() else edges_file(path)
    header = collections["edges"]
    meta = {
        "source": {"name": path.name, "sha256": file_sha256(source_file), "format": "osw-0.2"},
        "settings": {},
        "osw": {key: header[key] for key in KEPT_HEADER if key in header}
        | {"placed_by_position": ordered([placed]), "not_imported": ordered(skipped)},
    }
    return OswRecords(ways, node_attrs, _road_at_node(ways, tags_of, crossings), meta)

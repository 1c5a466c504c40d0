"""What an OSW dataset holds besides its edges: points put on the network, the rest counted.

OSW 0.2 keeps what is not the walking network in other files: ``points`` (benches, bollards,
street lamps, manholes, curb points...), ``lines`` (fences), ``polygons`` (buildings) and
``zones`` (pedestrian areas). A point (or a node) that says something a person meets on the way,
anything ``tags.node_attributes`` reads (a barrier, a kerb, tactile paving...), is put on the
network when it stands on it: at an edge's end by its id (the caller's part), else by position
at a vertex of an edge or on an edge, within `ON_EDGE_M`, where a vertex is added, so the
routing rules see it as a node. Everything else is not imported, and said: counts by kind
(``bench``, ``bollard off the network``, ``fence``...), which `import_summary` writes out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from stepfree.errors import BadData
from stepfree.geo import to_local_m
from stepfree.ingest.ways import WayRecord

#: A point this close to an edge (m) stands on it. OSW copies OSM node positions (7 decimals,
#: about 1 cm), so a barrier drawn on a way lies on its edge; one further off stands beside
#: the way (Redmond's bollards off the network are 2.5 to 13.6 m from any edge).
ON_EDGE_M = 0.5
#: Keys that name what a feature is, in the order they are asked (``barrier=bollard``...).
LABEL_KEYS = (
    "barrier",
    "amenity",
    "highway",
    "man_made",
    "emergency",
    "power",
    "natural",
    "leisure",
    "railway",
    "public_transport",
    "kerb",
)
OFF_NETWORK = " off the network"
_SINGULAR = {"points": "point", "nodes": "node", "lines": "line", "polygons": "polygon"}


@dataclass
class Loose:
    """A point or node that matters on the network but is no edge's end: placed by position."""

    text: str  # its OSW id
    tags: dict[str, str]
    lon: float
    lat: float
    label: str


def label(tags: Mapping[str, str], kind: str) -> str:
    """What a feature is, as a singular noun: ``bench``, ``fence``, ``pedestrian area``."""
    if kind == "zones":
        return f"{tags['highway'].replace('_', ' ')} area" if "highway" in tags else "zone"
    if "building" in tags:
        return "building"
    for key in LABEL_KEYS:
        value = tags.get(key, "").strip().lower()
        if value:
            return key.replace("_", " ") if value == "yes" else value.replace("_", " ")
    return f"other {_SINGULAR.get(kind, 'feature')}"


def plural(noun: str) -> str:
    """``bench`` -> ``benches``, ``bollard off the network`` -> ``bollards off the network``."""
    head, suffix = (
        (noun[: -len(OFF_NETWORK)], OFF_NETWORK)
        if noun.endswith(OFF_NETWORK)
        else (
            noun,
            "",
        )
    )
    if head.endswith(("s", "x", "z", "ch", "sh")):
        head += "es"
    elif head.endswith("y") and not head.endswith(("ay", "ey", "oy", "uy")):
        head = head[:-1] + "ies"
    else:
        head += "s"
    return head + suffix


def counted(counts: Mapping[str, int]) -> str:
    """``118 benches, 1 fence`` (in the order given)."""
    return ", ".join(f"{n:,} {noun if n == 1 else plural(noun)}" for noun, n in counts.items())


def ordered(counts: Iterable[Counter[str]]) -> dict[str, int]:
    """Counts of several kinds in one dict: kind by kind, the most common first."""
    out: dict[str, int] = {}
    for kind in counts:
        for noun, n in sorted(kind.items(), key=lambda item: (-item[1], item[0])):
            out[noun] = out.get(noun, 0) + n
    return out


def import_summary(meta: Mapping[str, Any]) -> list[str]:
    """Lines that say what an OSW import put on the network by position and what it left out."""
    osw = meta.get("osw", {})
    lines = []
    if osw.get("placed_by_position"):
        lines.append("put on the network by position: " + counted(osw["placed_by_position"]))
    if osw.get("not_imported"):
        lines.append("not imported: " + counted(osw["not_imported"]))
    return lines


def point_lonlat(feature: Mapping[str, Any], what: str) -> tuple[float, float]:
    """The position of a Point feature."""
    geometry = feature.get("geometry") or {}
    coords = geometry.get("coordinates")
    if geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
        lon, lat = coords[0], coords[1]
        numbers = all(isinstance(c, int | float) and not isinstance(c, bool) for c in (lon, lat))
        if numbers and np.isfinite(lon) and np.isfinite(lat):
            return float(lon), float(lat)
    raise BadData(f"{what} is not a Point with a finite [lon, lat]; fix or re-export it")


class _Placer:
    """Puts points on ways by position, giving each placed point a node id."""

    def __init__(
        self, ways: list[WayRecord], id_of: Callable[[str], int], fresh: Callable[[], int]
    ) -> None:
        self.ways, self.id_of, self.fresh = ways, id_of, fresh
        lon = np.concatenate([way.lon for way in ways])
        lat = np.concatenate([way.lat for way in ways])
        self.origin = (float(lon.min() + lon.max()) / 2, float(lat.min() + lat.max()) / 2)
        self.placed: set[int] = set()  # node ids given to placed points
        self.used: set[str] = set()  # point ids already given to a vertex

    def local(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return to_local_m(lon, lat, *self.origin)

    def tree(self) -> shapely.STRtree:
        lines = [shapely.LineString(np.column_stack(self.local(w.lon, w.lat))) for w in self.ways]
        return shapely.STRtree(lines)

    def _new_id(self, text: str) -> int:
        node = self.id_of(text) if text not in self.used else self.fresh()
        self.used.add(text)
        self.placed.add(node)
        return node

    def put(self, way: WayRecord, point: Loose) -> int:
        """The node of ``way`` the point stands at: a vertex, or one added on a segment."""
        x, y = self.local(way.lon, way.lat)
        px, py = self.local(np.array([point.lon]), np.array([point.lat]))
        vertex = int(np.argmin(np.hypot(x - px[0], y - py[0])))
        if np.hypot(x[vertex] - px[0], y[vertex] - py[0]) <= ON_EDGE_M:
            node = int(way.node_ids[vertex])
            if 0 < vertex < len(way.node_ids) - 1 and node not in self.placed:
                node = self._new_id(point.text)  # an inner vertex: its synthetic id goes
                way.node_ids[vertex] = node
            return node
        dx, dy = np.diff(x), np.diff(y)
        square = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
        t = np.clip(((px[0] - x[:-1]) * dx + (py[0] - y[:-1]) * dy) / square, 0.0, 1.0)
        segment = int(np.argmin(np.hypot(x[:-1] + t * dx - px[0], y[:-1] + t * dy - py[0])))
        share = float(t[segment])  # the local plane is linear in lon/lat: interpolate degrees
        lon = way.lon[segment] + share * (way.lon[segment + 1] - way.lon[segment])
        lat = way.lat[segment] + share * (way.lat[segment + 1] - way.lat[segment])
        node = self._new_id(point.text)
        way.node_ids = np.insert(way.node_ids, segment + 1, node)
        way.lon = np.insert(way.lon, segment + 1, lon)
        way.lat = np.insert(way.lat, segment + 1, lat)
        return node


def place(
    ways: list[WayRecord],
    points: list[Loose],
    id_of: Callable[[str], int],
    fresh: Callable[[], int],
) -> list[list[int]]:
    """The node ids each point is put at (none: off the network); ``ways`` gain the vertices.

    A point at equal distance from several edges (a vertex they share, or overlapping edges)
    goes on each; an inner vertex takes the point's own id (its OSM id where numeric), once.
    """
    out: list[list[int]] = [[] for _ in points]
    if not points or not ways:
        return out
    placer = _Placer(ways, id_of, fresh)
    px, py = placer.local(np.array([p.lon for p in points]), np.array([p.lat for p in points]))
    hits = placer.tree().query_nearest(
        shapely.points(px, py), max_distance=ON_EDGE_M, all_matches=True
    )
    for index, way in sorted(zip(hits[0].tolist(), hits[1].tolist(), strict=True)):
        node = placer.put(ways[way], points[index])
        if node not in out[index]:
            out[index].append(node)
    return out

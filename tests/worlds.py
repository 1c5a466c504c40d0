"""Tiny test worlds: an ASCII sketch plus tags, written as OSM XML and run through the real ingest.

Letters in the sketch are nodes; a cell is ``grid_m`` metres (columns east, rows south of the
origin, which is central Astana). Ways are strings of node letters in drawing order::

    world = World(
        '''
        a---b---c
            |
            d
        ''',
        ways={"abc": {"highway": "footway"}, "bd": {"highway": "steps", "incline": "up"}},
        nodes={"b": {"barrier": "kerb", "kerb": "raised"}},
    )
    graph = world.graph(tmp_path)
    world.node(graph, "b")  # node index of b
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import stepfree
from stepfree.graph.model import Graph

ORIGIN_LON, ORIGIN_LAT = 71.4460, 51.1280  # Astana, Baiterek tower
EARTH_RADIUS_M = 6_371_008.8
NODE_ID_BASE = 1000
WAY_ID_BASE = 100


@dataclass
class World:
    sketch: str
    ways: dict[str, dict[str, str]]
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    grid_m: float = 10.0
    #: lon, lat of the sketch's top-left corner (central Astana unless a test moves it)
    origin: tuple[float, float] = (ORIGIN_LON, ORIGIN_LAT)

    def positions(self) -> dict[str, tuple[float, float]]:
        """lon, lat of each letter."""
        lines = self.sketch.strip("\n").splitlines()
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        out = {}
        origin_lon, origin_lat = self.origin
        metres_per_deg_lat = math.pi / 180 * EARTH_RADIUS_M
        metres_per_deg_lon = metres_per_deg_lat * math.cos(math.radians(origin_lat))
        for row, line in enumerate(lines):
            for col, char in enumerate(line[indent:]):
                if char.isalpha():
                    east, south = col * self.grid_m, row * self.grid_m * 2  # rows are taller
                    out[char] = (
                        origin_lon + east / metres_per_deg_lon,
                        origin_lat - south / metres_per_deg_lat,
                    )
        return out

    def osm_id(self, letter: str) -> int:
        return NODE_ID_BASE + ord(letter)

    def way_id(self, name: str) -> int:
        return WAY_ID_BASE + list(self.ways).index(name)

    def to_xml(self) -> str:
        positions = self.positions()
        parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="worlds">']
        for letter in sorted(positions, key=self.osm_id):
            lon, lat = positions[letter]
            tags = self.nodes.get(letter, {})
            head = f'<node id="{self.osm_id(letter)}" version="1" lat="{lat:.8f}" lon="{lon:.8f}"'
            parts.append(head + (">" if tags else "/>"))
            if tags:
                parts += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
                parts.append("</node>")
        for name, tags in self.ways.items():
            parts.append(f'<way id="{self.way_id(name)}" version="1">')
            parts += [f'<nd ref="{self.osm_id(letter)}"/>' for letter in name]
            parts += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
            parts.append("</way>")
        parts.append("</osm>")
        return "\n".join(parts)

    def write(self, folder: Path, name: str = "world.osm") -> Path:
        path = folder / name
        path.write_text(self.to_xml(), encoding="utf-8")
        return path

    def graph(self, folder: Path) -> Graph:
        """Run the real ingest (pyosmium reader, builder) on this world."""
        return stepfree.build_graph(self.write(folder))

    def node(self, graph: Graph, letter: str) -> int:
        index = graph.node_index(self.osm_id(letter))
        assert index is not None, f"node {letter} is not in the graph"
        return index

    def edge(self, graph: Graph, a: str, b: str) -> int:
        """Index of the edge joining letters a and b (either way round)."""
        u, v = self.node(graph, a), self.node(graph, b)
        eu, ev = graph.edge("u"), graph.edge("v")
        for edge in range(graph.n_edges):
            if {int(eu[edge]), int(ev[edge])} == {u, v}:
                return edge
        raise AssertionError(f"no edge {a}-{b}")

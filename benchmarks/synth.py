"""Synthetic city generator: a seeded, reproducible ``.osm.pbf`` shaped like a mapped city.

Usage::

    .venv/bin/python benchmarks/synth.py --nodes 1e6 --seed 1 -o city.osm.pbf

or, from Python, ``write_city(path, n_nodes, seed)``.

The city is a jittered street grid of blocks of varied size near Astana. Grid lines are streets
of one class each (primary ... residential, some living_street segments), cut into one way per
block side. Districts of 4 x 4 blocks map their sidewalks one of two ways: as ``sidewalk=*``
tags on the roads (with ``highway=crossing`` nodes on the road), or as separate
``footway=sidewalk`` rings around each block joined by ``footway=crossing`` ways, each with a
crossing node on the road and ``barrier=kerb`` nodes at the road edges. Inside blocks there are
footpaths (some with steps, some with an elevator beside the steps), service roads with point
barriers, and shops, amenities and bus stops with ``wheelchair=*``. Every tag share is measured
on real extracts: see ``synth_tags.py``.

The city is written band by band (one row of blocks at a time): nodes go straight to the
output as they are made (ids ascending), ways to a side file that is appended at the end, so
memory stays flat from 10^3 to 10^7 nodes. Random numbers are drawn in bulk with numpy from
one seeded generator, so a seed gives the same bytes every time.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import synth_tags as spec
from osmium.osm.mutable import Node, Way

ORIGIN_LON, ORIGIN_LAT = 71.30, 51.05  # south-west corner of the city (Astana; design)
M_PER_DEG_LAT = 111_320.0  # metres per degree of latitude (spherical Earth)
BLOCK_M = (110.0, 0.35, 50.0, 300.0)  # block side: lognormal median, sigma, clip (m; design)
JITTER_M = 6.0  # standard deviation of intersection jitter (m; design)
SETBACK_M = 10.0  # sidewalk ring corner offset from the road centre lines (m; design)
KERB_AT = 0.6  # kerb position along crossing node -> corner (road edge; design)
DISTRICT_BLOCKS = 4  # a district is 4 x 4 blocks
# Measured 28-34 nodes a block (seed 1, 10^3 to 10^7 nodes). It only sets the number of
# columns (a square-ish city); rows are added until the target count is reached.
NODES_PER_BLOCK = 30.0
MIN_NODES = 500
GOLDEN = 0.6180339887498949  # low-discrepancy district styles: a small city gets both kinds
# Per block (two street ways a block): measured rates per street way, times two.
PATHS_PER_BLOCK = 2 * spec.PATHS_PER_STREET
SERVICE_PER_BLOCK = 2 * spec.SERVICE_PER_STREET
POIS_PER_BLOCK = 2 * spec.POIS_PER_STREET
P_THROUGH = 1.0 - math.exp(-PATHS_PER_BLOCK)  # a block has a through path when it has a path
P_STEPS = min(1.0, 2 * spec.STEPS_PER_STREET / P_THROUGH)  # steps on the through path
# Barriers sit on dead-end paths and service roads: spread the measured rate over those hosts.
P_BARRIER = min(
    1.0, 2 * spec.BARRIERS_PER_STREET / (PATHS_PER_BLOCK - P_THROUGH + SERVICE_PER_BLOCK)
)

XY = tuple[float, float]
Cross = tuple[int, XY, str | None]  # crossing node id, position, crossing=* value


@dataclass(frozen=True)
class CityStats:
    """What :func:`write_city` wrote."""

    nodes: int
    ways: int
    columns: int
    rows: int
    seconds: float


class _Out:
    """Hands out ascending ids; nodes go to the output, ways to the side file."""

    def __init__(self, nodes: osmium.SimpleWriter, ways: osmium.SimpleWriter) -> None:
        self._nodes, self._ways = nodes, ways
        self.n_nodes = self.n_ways = 0
        self._kx = 1.0 / (M_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT)))
        self._ky = 1.0 / M_PER_DEG_LAT

    def node(self, xy: XY, tags: dict[str, str] | None = None) -> int:
        self.n_nodes += 1
        location = (ORIGIN_LON + xy[0] * self._kx, ORIGIN_LAT + xy[1] * self._ky)
        self._nodes.add_node(Node(id=self.n_nodes, location=location, tags=tags))
        return self.n_nodes

    def way(self, refs: list[int], tags: dict[str, str]) -> None:
        self.n_ways += 1
        self._ways.add_way(Way(id=self.n_ways, nodes=refs, tags=tags))


def _along(a: XY, b: XY, fraction: float, side_m: float = 0.0) -> XY:
    """A point at ``fraction`` of a -> b, moved ``side_m`` to the left of the direction."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    norm = math.hypot(dx, dy) or 1.0
    return (a[0] + dx * fraction - dy / norm * side_m, a[1] + dy * fraction + dx / norm * side_m)


def _toward(a: XY, b: XY, metres: float) -> XY:
    return _along(a, b, metres / (math.hypot(b[0] - a[0], b[1] - a[1]) or 1.0))


class _City:
    """The generator's state between bands (one band = one row of blocks)."""

    def __init__(self, out: _Out, n_nodes: int, seed: int) -> None:
        self.out, self.target = out, n_nodes
        self.rng = np.random.default_rng(seed)
        self.d = spec.Draws(self.rng)
        self.columns = max(3, round(math.sqrt(n_nodes / NODES_PER_BLOCK)))
        widths = self._block_sizes(self.columns)
        self.xs = np.concatenate(([0.0], np.cumsum(widths))).tolist()
        self.column_class = [
            self.d.pick(spec.STREET_CLASS) or "residential" for _ in range(self.columns + 1)
        ]
        self.phase = (seed * GOLDEN) % 1.0
        self.district_columns = -(-self.columns // DISTRICT_BLOCKS)
        self.rows = 0

    def _block_sizes(self, count: int) -> np.ndarray:
        median, sigma, low, high = BLOCK_M
        return np.clip(self.rng.lognormal(math.log(median), sigma, count), low, high)

    def separate(self, row: int, column: int) -> bool:
        """Whether the block at (row, column) lies in a district of separate sidewalks."""
        k = (row // DISTRICT_BLOCKS) * self.district_columns + column // DISTRICT_BLOCKS
        return (self.phase + k * GOLDEN) % 1.0 < spec.SEPARATE_DISTRICT_SHARE

    # --- streets ------------------------------------------------------------------------------
    def street(
        self,
        a: tuple[int, XY],
        b: tuple[int, XY],
        crossings: bool,
        separate: bool,
        cls: str,
        line: int,
    ) -> tuple[tuple[int, XY], Cross | None, Cross | None]:
        """One street way a -> b; returns its middle node and its crossing nodes at each end."""
        out, d = self.out, self.d
        refs, ends = [a[0]], []
        for start, end in ((a[1], b[1]), (b[1], a[1])):
            cross = None
            if crossings or (not separate and d.chance(spec.TAGGED_CROSSINGS_PER_STREET / 2)):
                tags, value = spec.crossing_node_tags(d)
                cross = (_toward(start, end, SETBACK_M), tags, value)
            ends.append(cross)
        length = math.hypot(b[1][0] - a[1][0], b[1][1] - a[1][1]) or 1.0
        margin = min(0.4, 1.5 * SETBACK_M / length)
        crosses: list[Cross | None] = [None, None]
        if ends[0] is not None:
            xy, tags, value = ends[0]
            crosses[0] = (out.node(xy, tags), xy, value)
            refs.append(crosses[0][0])
        n_shape = 1 + int(d.u() * 4)
        middle = (0, a[1])
        for k in range(n_shape):
            fraction = margin + (1 - 2 * margin) * (k + 1) / (n_shape + 1)
            xy = _along(a[1], b[1], fraction, d.between(-1.5, 1.5))
            refs.append(out.node(xy))
            if k == n_shape // 2:
                middle = (refs[-1], xy)
        if ends[1] is not None:
            xy, tags, value = ends[1]
            crosses[1] = (out.node(xy, tags), xy, value)
            refs.append(crosses[1][0])
        refs.append(b[0])
        out.way(refs, spec.street_tags(cls, line, separate, d))
        return middle, crosses[0], crosses[1]

    def row(
        self, y: float, line: int, below: list[bool | None], above: list[bool | None]
    ) -> tuple[list[tuple[int, XY]], list[tuple[Cross | None, Cross | None]]]:
        """A row of intersections and the horizontal street through them."""
        jitter = self.rng.normal(0.0, JITTER_M, (self.columns + 1, 2)).tolist()
        points = [(x + jx, y + jy) for x, (jx, jy) in zip(self.xs, jitter, strict=True)]
        nodes = [(self.out.node(xy), xy) for xy in points]
        cls = self.d.pick(spec.STREET_CLASS) or "residential"
        crossings = []
        for j in range(self.columns):
            sides = [s for s in (below[j], above[j]) if s is not None]
            both = len(sides) == 2 and all(sides)
            _, west, east = self.street(nodes[j], nodes[j + 1], both, all(sides), cls, line)
            crossings.append((west, east))
        return nodes, crossings

    # --- sidewalks and crossings ----------------------------------------------------------------
    def sidewalk_side(self, a: tuple[int, XY], b: tuple[int, XY], line: int) -> tuple[int, XY]:
        """One side of a block's sidewalk ring; returns its middle node."""
        refs = [a[0]]
        middle = (0, a[1])
        n_shape = 1 + int(self.d.u() * 2)
        for k in range(n_shape):
            xy = _along(a[1], b[1], (k + 1) / (n_shape + 1), self.d.between(-0.5, 0.5))
            refs.append(self.out.node(xy))
            if k == n_shape // 2:
                middle = (refs[-1], xy)
        refs.append(b[0])
        self.out.way(refs, spec.sidewalk_tags(line, self.d))
        return middle

    def crossing(self, a: tuple[int, XY], cross: Cross | None, b: tuple[int, XY]) -> None:
        """A footway=crossing way corner -> kerb -> crossing node -> kerb -> corner."""
        if cross is None:
            return
        cross_id, cross_xy, value = cross
        refs = [a[0]]
        if self.d.chance(spec.KERB_PER_CROSSING_END):
            refs.append(self.out.node(_along(cross_xy, a[1], KERB_AT), spec.kerb_tags(self.d)))
        refs.append(cross_id)
        if self.d.chance(spec.KERB_PER_CROSSING_END):
            refs.append(self.out.node(_along(cross_xy, b[1], KERB_AT), spec.kerb_tags(self.d)))
        refs.append(b[0])
        self.out.way(refs, spec.crossing_way_tags(value, self.d))

    # --- block interiors --------------------------------------------------------------------------
    def interior(
        self,
        west: tuple[int, XY],
        east: tuple[int, XY],
        south: tuple[int, XY],
        box: tuple[XY, XY],
        counts: tuple[int, int, int],
    ) -> None:
        """Footpaths (with steps and elevators), service roads, barriers and POIs of a block."""
        out, d = self.out, self.d
        n_paths, n_service, n_pois = counts
        if n_paths:
            if d.chance(P_STEPS):
                q = out.node(_along(west[1], east[1], 0.25, d.between(-3, 3)))
                top = _along(west[1], east[1], 0.45)
                bottom = _along(west[1], east[1], 0.55)
                p1, p2 = out.node(top), out.node(bottom)
                r = out.node(_along(west[1], east[1], 0.75, d.between(-3, 3)))
                out.way([west[0], q, p1], spec.path_tags(d))
                out.way([p1, p2], spec.steps_tags(d))
                out.way([p2, r, east[0]], spec.path_tags(d))
                if d.chance(spec.ELEVATOR_PER_STEPS):
                    lift = out.node(_along(top, bottom, 0.5, 5.0), spec.elevator_tags(d))
                    out.way([p1, lift, p2], {"highway": "footway", "indoor": "yes"})
            else:
                refs = (
                    [west[0]]
                    + [
                        out.node(_along(west[1], east[1], f, d.between(-4, 4)))
                        for f in (0.3, 0.5, 0.7)
                    ]
                    + [east[0]]
                )
                out.way(refs, spec.path_tags(d))
        (x0, y0), (x1, y1) = box
        for k in range(max(0, n_paths - 1) + n_service):
            start = south if k % 2 == 0 else west
            end = (d.between(x0, x1), d.between(y0, y1))
            bend = _along(start[1], end, 0.4, d.between(-5, 5))
            tags = spec.barrier_tags(d) if d.chance(P_BARRIER) else None
            refs = [start[0], out.node(bend, tags), out.node(end)]
            out.way(refs, spec.path_tags(d) if k < n_paths - 1 else spec.service_tags(d))
        for _ in range(n_pois):
            out.node((d.between(x0, x1), d.between(y0, y1)), spec.poi_tags(d))

    def band(
        self,
        i: int,
        bottom: list[tuple[int, XY]],
        bottom_cross: list[tuple[Cross | None, Cross | None]],
        south_corners: list[dict[str, tuple[int, XY]] | None],
        last: bool,
    ):
        """Row ``i`` of blocks: the street row above it, its vertical streets, its blocks."""
        columns = self.columns
        here = [self.separate(i, j) for j in range(columns)]
        above: list[bool | None] = (
            [None] * columns if last else [self.separate(i + 1, j) for j in range(columns)]
        )
        y = float(np.mean([xy[1] for _, xy in bottom])) + float(self._block_sizes(1)[0])
        top, top_cross = self.row(y, i + 1, list(here), above)
        middles, vcross = [], []
        for j in range(columns + 1):
            sides = [here[k] for k in (j - 1, j) if 0 <= k < columns]
            both = len(sides) == 2 and all(sides)
            middle, low, high = self.street(
                bottom[j], top[j], both, all(sides), self.column_class[j], 1000 + j
            )
            middles.append(middle)
            vcross.append((low, high))
        counts = np.stack(
            [
                self.rng.poisson(lam, columns)
                for lam in (PATHS_PER_BLOCK, SERVICE_PER_BLOCK, POIS_PER_BLOCK)
            ],
            axis=1,
        )
        corners: list[dict[str, tuple[int, XY]] | None] = []
        for j in range(columns):
            sw, se, ne, nw = bottom[j][1], bottom[j + 1][1], top[j + 1][1], top[j][1]
            inner = ((sw[0] + SETBACK_M, sw[1] + SETBACK_M), (ne[0] - SETBACK_M, ne[1] - SETBACK_M))
            if here[j]:
                ring = {
                    name: (self.out.node(xy), xy)
                    for name, xy in (
                        ("sw", (sw[0] + SETBACK_M, sw[1] + SETBACK_M)),
                        ("se", (se[0] - SETBACK_M, se[1] + SETBACK_M)),
                        ("ne", (ne[0] - SETBACK_M, ne[1] - SETBACK_M)),
                        ("nw", (nw[0] + SETBACK_M, nw[1] - SETBACK_M)),
                    )
                }
                south = self.sidewalk_side(ring["sw"], ring["se"], i)
                east = self.sidewalk_side(ring["se"], ring["ne"], 1000 + j + 1)
                self.sidewalk_side(ring["ne"], ring["nw"], i + 1)
                west = self.sidewalk_side(ring["nw"], ring["sw"], 1000 + j)
                corners.append(ring)
            else:
                west, east, south = middles[j], middles[j + 1], middles[j]
                corners.append(None)
            self.interior(west, east, south, inner, tuple(counts[j].tolist()))
        for j in range(1, columns):
            if corners[j - 1] is not None and corners[j] is not None:
                self.crossing(corners[j - 1]["se"], vcross[j][0], corners[j]["sw"])
                self.crossing(corners[j - 1]["ne"], vcross[j][1], corners[j]["nw"])
        for j in range(columns):
            below, ring = south_corners[j], corners[j]
            if below is not None and ring is not None:
                self.crossing(below["nw"], bottom_cross[j][0], ring["sw"])
                self.crossing(below["ne"], bottom_cross[j][1], ring["se"])
        return top, top_cross, corners

    def run(self) -> None:
        columns = self.columns
        no_blocks: list[bool | None] = [None] * columns
        first = [self.separate(0, j) for j in range(columns)]
        bottom, cross = self.row(0.0, 0, no_blocks, list(first))
        corners: list[dict[str, tuple[int, XY]] | None] = [None] * columns
        while True:
            per_band = self.out.n_nodes / self.rows if self.rows else columns * NODES_PER_BLOCK
            last = self.out.n_nodes + 1.5 * per_band >= self.target
            bottom, cross, corners = self.band(self.rows, bottom, cross, corners, last)
            self.rows += 1
            if last:
                return


def write_city(path: Path | str, n_nodes: int, seed: int = 1) -> CityStats:
    """Write a synthetic city of about ``n_nodes`` nodes to ``path`` (``.osm.pbf``).

    Parameters
    ----------
    path
        Output file; replaced if it exists (written to a temporary name, then renamed).
    n_nodes
        Target node count (at least 500); the city stops at the row of blocks that reaches it,
        so the count is within a few per cent.
    seed
        Seed of the random generator: the same seed gives the same file, byte for byte.

    Returns
    -------
    CityStats
        Counts of nodes, ways, blocks (columns x rows) and the seconds it took.
    """
    if n_nodes < MIN_NODES:
        raise ValueError(f"a synthetic city needs at least {MIN_NODES} nodes (got {n_nodes})")
    path = Path(path)
    started = time.perf_counter()
    tmp = path.with_name(path.name + ".tmp.osm.pbf")
    side = path.with_name(path.name + ".ways.tmp.osm.pbf")
    header = osmium.io.Header()
    header.set("generator", "stepfree benchmarks/synth.py")
    try:
        with osmium.SimpleWriter(str(tmp), header=header, overwrite=True) as nodes:
            with osmium.SimpleWriter(str(side), overwrite=True) as ways:
                city = _City(_Out(nodes, ways), n_nodes, seed)
                city.run()
            osmium.apply(str(side), nodes)  # ways after nodes, copied in C++
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, side):
            leftover.unlink(missing_ok=True)
    return CityStats(
        city.out.n_nodes, city.out.n_ways, city.columns, city.rows, time.perf_counter() - started
    )


def _count(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--nodes",
        type=_count,
        default=100_000,
        help=f"about how many nodes (>= {MIN_NODES}; 1e6 works)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="file.osm.pbf")
    args = parser.parse_args(argv)
    if not args.output.name.endswith(".osm.pbf"):
        parser.error(f"output {args.output} must end in .osm.pbf")
    if not args.output.parent.is_dir():
        parser.error(f"folder {args.output.parent} does not exist; create it first")
    try:
        stats = write_city(args.output, args.nodes, args.seed)
    except ValueError as error:
        parser.error(str(error))
    print(
        f"wrote {args.output}: {stats.nodes:,} nodes, {stats.ways:,} ways, "
        f"{stats.columns} x {stats.rows} blocks in {stats.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

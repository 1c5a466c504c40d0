"""Isochrones: the network a person can reach within a travel time, as nested polygons.

The bound is on **seconds** (walking time plus waits at nodes), while the ways taken follow the
profile's limits: a way or node the profile forbids is never used, an avoided one is used like
any other (a person in a hurry takes it). One bounded search from the snapped origin, to the
largest time asked, gives every node's arrival time; for each time asked, the reached network
is every stretch of way walked within it: whole edges, and the part of an edge walked from one
end in the time left (only in a direction the profile may walk).

Each polygon is the reached lines buffered by `BUFFER_M` in a local plane around the origin,
not a circle. Polygons nest: the reached stretches of a shorter time are a subset of a longer
time's, each band is the previous one united with the buffers of the stretches that grew, and
each polygon is simplified, then clipped by the next larger one, so ``t1 <= t2`` gives
``polygon(t1)`` within ``polygon(t2)`` by construction (up to the 1 cm rounding of output
coordinates).

Cost: the search and the reached stretches take milliseconds; the union of the buffers
(GEOS) takes the rest, about what the largest time alone costs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from stepfree.errors import BadInput
from stepfree.graph.geo import EARTH_RADIUS_M
from stepfree.graph.model import Graph
from stepfree.profiles.costing import Costs
from stepfree.profiles.model import Profile
from stepfree.routing.i18n import check_language, format_number, translator
from stepfree.routing.router import Endpoint, Router
from stepfree.routing.search import one_to_all_sparse

__all__ = [
    "BUFFER_M",
    "MAX_MINUTES",
    "MAX_THRESHOLDS",
    "MIN_MINUTES",
    "Reach",
    "check_minutes",
    "isochrone_collection",
    "reach",
    "reach_polygons",
    "stretch_lines",
    "time_costs",
]

#: Shortest and longest time asked (minutes): past an hour a walk is another question, and
#: the search grows with the square of the time.
MIN_MINUTES, MAX_MINUTES = 1.0, 60.0
#: Most thresholds in one request (each one is a polygon to build).
MAX_THRESHOLDS = 6
#: Half-width of the band around reached ways (m): the street and the doors along it (a
#: building entrance is rarely more than this from the footway that serves it), without
#: claiming the blocks between ways.
BUFFER_M = 25.0
#: Segments per quarter circle in buffer caps and joins; 4 keeps arcs within 0.5 m of a
#: true circle of `BUFFER_M` (sagitta 25 m * (1 - cos 11.25 deg)).
QUAD_SEGS = 4
#: Douglas-Peucker tolerance for each polygon (m): drops vertices of the arcs, a fraction of
#: the band's width.
SIMPLIFY_M = 1.0
#: Coordinates are written with 7 decimals (about 1 cm), as route lines are.
DECIMALS = 7


@dataclass(frozen=True)
class Reach:
    """The network reached within one time: stretches of edges, merged per edge."""

    seconds: float
    edges: np.ndarray  # int64 edge of each stretch
    start: np.ndarray  # float64 fraction of the edge (0 at edge.u) where the stretch begins
    stop: np.ndarray  # ... and ends (start < stop; stretches of one edge do not overlap)
    length_m: float  # sum of the stretches' lengths
    nodes: int  # graph nodes reached within the time


def check_minutes(minutes: Sequence[float] | float | str) -> tuple[float, ...]:
    """Validated thresholds in minutes, sorted, without repeats; BadInput naming the range.

    Takes a number, a sequence of numbers, or text such as ``"5,10,15"``.
    """
    if isinstance(minutes, str):
        values: list[Any] = [part.strip() for part in minutes.split(",") if part.strip()]
    else:
        values = [minutes] if isinstance(minutes, int | float) else list(minutes)
    if not values:
        raise BadInput(f"give at least one time in minutes ({MIN_MINUTES:g}..{MAX_MINUTES:g})")
    if len(values) > MAX_THRESHOLDS:
        raise BadInput(
            f"{len(values)} times given; ask for at most {MAX_THRESHOLDS}, for example 5,10,15"
        )
    out = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadInput(
                f"minutes {value!r} is not a number; give times such as 5,10,15"
            ) from None
        if not MIN_MINUTES <= number <= MAX_MINUTES:  # NaN fails too
            raise BadInput(
                f"minutes {number:g} is out of range: each time must be from {MIN_MINUTES:g} "
                f"to {MAX_MINUTES:g} minutes"
            )
        out.append(number)
    return tuple(sorted(set(out)))


def time_costs(graph: Graph, costs: Costs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds to search by, under the profile's limits.

    Returns
    -------
    entry_s : np.ndarray
        Per CSR entry, seconds to walk the way and pass the node reached; inf where the
        profile forbids the way in that direction or the node.
    way_s : np.ndarray
        Per entry, seconds to walk the way alone; inf where the way is forbidden that way.
    node_s : np.ndarray
        Per node, seconds to pass it; inf where the node is forbidden.
    """
    target = graph.arrays["csr.target"]
    node_s = np.where(np.isfinite(costs.node_cost), costs.node_seconds, np.inf)
    way_s = np.where(
        np.isfinite(costs.edge_cost), costs.entry_seconds - costs.node_seconds[target], np.inf
    )
    return way_s + node_s[target], way_s, node_s


def _cached_time_costs(graph: Graph, costs: Costs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`time_costs` of the costs last used on this graph, kept in ``graph.derived``.

    Routers cache their Costs objects, so repeated requests for one profile skip three
    passes over every entry.
    """
    cached = graph.derived.get("isochrone.time_costs")
    if cached is None or cached[0] is not costs:
        cached = (costs, time_costs(graph, costs))
        graph.derived["isochrone.time_costs"] = cached
    return cached[1]


def _share(time_s: np.ndarray, way_s: np.ndarray) -> np.ndarray:
    """Fraction of a way walked in ``time_s`` (0..1): 0 on a forbidden way, 1 on a 0 s one."""
    time_s = np.maximum(time_s, 0.0)
    out = np.ones(np.broadcast(time_s, way_s).shape)
    walkable = way_s > 0
    np.divide(time_s, way_s, out=out, where=walkable)
    return np.clip(out, 0.0, 1.0)


def _merge(edges: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, ...]:
    """Union of stretches per edge (overlapping or touching ones become one)."""
    keep = stop > start
    edges, start, stop = edges[keep], start[keep], stop[keep]
    if not edges.size:
        return edges, start, stop
    order = np.lexsort((start, edges))
    edges, start, stop = edges[order], start[order], stop[order]
    # fractions lie in 0..1, so edges spaced 4 apart never merge into each other
    key_start = edges * 4.0 + start
    reach_so_far = np.maximum.accumulate(edges * 4.0 + stop)
    first = np.concatenate(([True], key_start[1:] > reach_so_far[:-1]))
    heads = np.flatnonzero(first)
    return edges[heads], np.minimum.reduceat(start, heads), np.maximum.reduceat(stop, heads)


def reach(router: Router, origin: Endpoint, costs: Costs, seconds: Sequence[float]) -> list[Reach]:
    """The network reached from a snapped origin within each time (one bounded search).

    Parameters
    ----------
    router : Router
        The router of the graph (its workspace is used; not thread-safe).
    origin : Endpoint
        The snapped origin (`Router.endpoint`).
    costs : Costs
        The profile's costs: FORBID rules decide what is usable, seconds what is bounded.
    seconds : sequence of float
        Times, in increasing order for nesting polygons.

    Returns
    -------
    list of Reach
        One per time, in the order given.
    """
    graph = router.graph
    entry_s, way_s, node_s = _cached_time_costs(graph, costs)
    oe, of = origin.snap.edge, float(origin.snap.fraction)
    u, v = int(graph.edge("u")[oe]), int(graph.edge("v")[oe])
    back_s, fwd_s = way_s[router.backward_entry[oe]], way_s[router.forward_entry[oe]]
    source_s = np.array(
        [
            (back_s * of if of > 0 else 0.0) + node_s[u],
            (fwd_s * (1 - of) if of < 1 else 0.0) + node_s[v],
        ]
    )
    indptr = graph.arrays["csr.indptr"]
    nodes, dist, _ = one_to_all_sparse(
        indptr,
        graph.arrays["csr.target"],
        entry_s,
        np.array([u, v]),
        source_s,
        max(seconds),
        router.workspace,
    )
    # every entry leaving a reached node (no Python per node or edge)
    counts = indptr[nodes + 1] - indptr[nodes]
    owner = np.repeat(np.arange(nodes.size), counts)
    entries = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    entries += np.repeat(indptr[nodes], counts)
    entry_edge = graph.arrays["csr.edge"][entries].astype(np.int64)
    forward = graph.arrays["csr.forward"][entries] == 1
    out = []
    for limit in seconds:
        share = _share(limit - dist[owner], way_s[entries])
        share[dist[owner] > limit] = 0.0
        # from the origin point along its own edge, both ways
        ahead = min(1 - of, float(_share(np.array(limit), np.array(fwd_s))))
        behind = min(of, float(_share(np.array(limit), np.array(back_s))))
        edges, start, stop = _merge(
            np.concatenate((entry_edge, [oe])),
            np.concatenate((np.where(forward, 0.0, 1.0 - share), [of - behind])),
            np.concatenate((np.where(forward, share, 1.0), [of + ahead])),
        )
        out.append(
            Reach(
                seconds=float(limit),
                edges=edges,
                start=start,
                stop=stop,
                length_m=float(((stop - start) * graph.edge("length_m")[edges]).sum()),
                nodes=int(np.count_nonzero(dist <= limit)),
            )
        )
    return out


def _to_local(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    k = math.pi / 180 * EARTH_RADIUS_M
    return np.column_stack(((lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k))


def _to_degrees(xy: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    k = math.pi / 180 * EARTH_RADIUS_M
    lon = lon0 + xy[:, 0] / (k * math.cos(math.radians(lat0)))
    return np.round(np.column_stack((lon, lat0 + xy[:, 1] / k)), DECIMALS)


def stretch_lines(graph: Graph, found: Reach, lon0: float, lat0: float) -> np.ndarray:
    """One line (shapely, metres east and north of lon0, lat0) per stretch, vectorised."""
    if not found.edges.size:
        return np.empty(0, dtype=object)
    geom_indptr = graph.arrays["geom.indptr"]
    first, last = geom_indptr[found.edges], geom_indptr[found.edges + 1]
    counts = last - first
    n = found.edges.size
    heads = np.cumsum(counts) - counts  # index of each stretch's first vertex
    tails = heads + counts - 1
    owner = np.repeat(np.arange(n), counts)
    vertex = np.repeat(first - heads, counts) + np.arange(counts.sum())
    xy = _to_local(graph.arrays["geom.lon"][vertex], graph.arrays["geom.lat"][vertex], lon0, lat0)
    step = np.hypot(*np.diff(xy, axis=0, prepend=xy[:1]).T)
    step[heads] = 0.0  # no step into the first vertex of a stretch
    along = np.cumsum(step)
    along -= np.repeat(along[heads], counts)  # metres from the edge's u, per stretch
    total = along[tails]
    # one increasing key over all stretches: each stretch's distances shifted past the last
    shift = np.cumsum(total + 1.0) - (total + 1.0)
    key = along + np.repeat(shift, counts)
    starts, stops = found.start * total, found.stop * total

    def point_at(distance: np.ndarray) -> np.ndarray:
        at = np.searchsorted(key, shift + distance, side="right") - 1
        at = np.clip(at, heads, np.maximum(tails - 1, heads))
        span = key[at + 1] - key[at]
        t = np.zeros_like(span)
        np.divide(shift + distance - key[at], span, out=t, where=span > 0)
        t = np.clip(t, 0.0, 1.0)[:, None]
        return np.asarray(xy[at] * (1 - t) + xy[at + 1] * t)

    inner = (along > np.repeat(starts, counts)) & (along < np.repeat(stops, counts))
    points = np.vstack((point_at(starts), xy[inner], point_at(stops)))
    line = np.concatenate((np.arange(n), owner[inner], np.arange(n)))
    rank = np.concatenate((np.zeros(n), np.ones(inner.sum()), np.full(n, 2.0)))
    order = np.lexsort((np.arange(line.size), rank, line))
    return np.asarray(shapely.linestrings(points[order], indices=line[order]), dtype=object)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the areas of an overlay result (drops the lines and points of mere touches)."""
    parts = shapely.get_parts(geometry)
    polygons = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    if polygons.size == 1:
        return polygons[0]
    return shapely.multipolygons(polygons)


def _new_stretches(found: Reach, before: Reach | None) -> Reach:
    """The stretches of ``found`` that ``before`` lacks or has shorter (the rest are kept)."""
    if before is None or not before.edges.size or not found.edges.size:
        return found

    def rows(r: Reach) -> np.ndarray:
        table = np.ascontiguousarray(np.column_stack((r.edges.astype(np.float64), r.start, r.stop)))
        return table.view(np.dtype((np.void, table.dtype.itemsize * 3))).ravel()

    fresh = ~np.isin(rows(found), rows(before))
    return Reach(found.seconds, found.edges[fresh], found.start[fresh], found.stop[fresh], 0.0, 0)


def reach_polygons(
    graph: Graph, reaches: list[Reach], origin: Endpoint, lon0: float, lat0: float
) -> list[shapely.Geometry]:
    """Nested polygons (local metres), one per reach, smallest time first.

    Each reach's band is the previous band united with the buffers of the stretches that are
    new or longer, so a request for several times costs about what its largest costs.
    """
    standing = shapely.points(
        _to_local(np.array([origin.snap.lon]), np.array([origin.snap.lat]), lon0, lat0)
    )[0]
    band = shapely.buffer(standing, BUFFER_M, quad_segs=QUAD_SEGS)
    before: Reach | None = None
    polygons = []
    for found in reaches:
        lines = stretch_lines(graph, _new_stretches(found, before), lon0, lat0)
        if lines.size:
            # one buffer per merged line, then one union: GEOS buffers a multi-line of
            # thousands of parts a hundred times slower than it unions their buffers
            merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines)))
            buffers = shapely.buffer(merged, BUFFER_M, quad_segs=QUAD_SEGS)
            band = shapely.union_all(np.concatenate(([band], buffers)) if before else buffers)
        before = found
        polygons.append(shapely.simplify(band, SIMPLIFY_M, preserve_topology=True))
    for i in range(len(polygons) - 2, -1, -1):  # clip each by the next larger: nesting holds
        polygons[i] = _polygonal(shapely.intersection(polygons[i], polygons[i + 1]))
    return polygons


def isochrone_collection(
    router: Router,
    origin: tuple[float, float],
    minutes: Sequence[float] | float | str,
    profile: Profile,
    at: datetime | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """Isochrones from ``origin`` ``(lat, lon)`` as a GeoJSON FeatureCollection.

    One feature per time, smallest first, with properties ``minutes``, ``seconds``, ``label``
    (in ``lang``), ``reached_length_m``, ``reached_nodes`` and ``profile``.

    Raises
    ------
    BadInput
        Minutes out of range, bad coordinates, a point far outside the graph, a bad language.
    NoUsableWay
        No way the profile may use lies near the origin.
    """
    check_language(lang)
    thresholds = check_minutes(minutes)
    context = router.context(profile, at)
    costs = router.costs(profile, context)
    start = router.endpoint(origin[0], origin[1], costs, "origin")
    reaches = reach(router, start, costs, [60.0 * m for m in thresholds])
    lon0, lat0 = start.snap.lon, start.snap.lat
    polygons = reach_polygons(router.graph, reaches, start, lon0, lat0)
    _ = translator(lang).gettext
    features = []
    for value, found, polygon in zip(thresholds, reaches, polygons, strict=True):
        shape = shapely.transform(polygon, lambda xy: _to_degrees(xy, lon0, lat0))
        label = _("%(minutes)s min") % {"minutes": format_number(value, lang, 1)}
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "minutes": int(value) if value.is_integer() else value,
                    "seconds": found.seconds,
                    "label": label,
                    "reached_length_m": round(found.length_m, 1),
                    "reached_nodes": found.nodes,
                    "profile": profile.name,
                },
                "geometry": json.loads(shapely.to_geojson(shape)),
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "origin": {
            "lat": origin[0],
            "lon": origin[1],
            "snapped": [round(lon0, DECIMALS), round(lat0, DECIMALS)],
            "snap_distance_m": round(start.snap.distance_m, 1),
        },
        "profile": profile.name,
        "at": context.at.isoformat() if context.at else None,
        "winter": context.winter,
    }

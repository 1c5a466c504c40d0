"""Isochrones: the network a person can reach within a travel time, as nested polygons.

The reached network (`isochrone_reach`): one bounded search from the snapped origin, to the
largest time asked, under the profile's limits; for each time, every stretch of way walked
within it, whole edges and the part of an edge walked from one end in the time left.

The shape (`isochrone_raster`): each polygon is the ground within `BUFFER_M` of the network
reached in its time (and of the point where the person stands), not a circle. A grid of
`CELL_M` around the origin holds the distance from each node to the nearest reached way, and
the polygon is traced where it is below `BUFFER_M`, with holes where blocks lie farther than
that from every way reached. Each time's distances are the previous time's lowered by the
stretches that are new or longer, so ``t1 <= t2`` gives ``polygon(t1)`` within
``polygon(t2)`` by construction (up to the 1 cm rounding of output coordinates), and a request
for several times costs about what its largest costs.

Cost: the search, the stretches and the raster are compiled (numba) and take about a
millisecond for 15 minutes in a dense centre; no geometry library is called.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from stepfree.answers import (
    AnswerWarning,
    IsochroneCollection,
    IsochroneFeature,
    MultiPolygon,
    Polygon,
    Position,
)
from stepfree.errors import BadInput, NoUsableWay
from stepfree.geo import EARTH_RADIUS_M
from stepfree.graph.model import Graph
from stepfree.profiles.model import Profile
from stepfree.routing.access import ACCESS_WARN_M, end_refusal
from stepfree.routing.narration.i18n import check_language, format_number, translator
from stepfree.routing.narration.provenance import provenance
from stepfree.routing.narration.texts import warning_text
from stepfree.routing.reach.contour import Rings
from stepfree.routing.reach.network import Reach, reach, time_costs
from stepfree.routing.reach.raster import CELL_M, band_rings
from stepfree.routing.router import Endpoint, Router

__all__ = [
    "BUFFER_M",
    "CELL_M",
    "MAX_MINUTES",
    "MAX_THRESHOLDS",
    "MIN_MINUTES",
    "SIMPLIFY_M",
    "Reach",
    "check_minutes",
    "isochrone_collection",
    "reach",
    "reach_polygons",
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
#: How far a ring may stray from its contour (m): 0, rings are not simplified. The contour
#: already has one vertex per grid edge it crosses, and a polygon simplified alone would no
#: longer lie exactly within the next one once coordinates are rounded.
SIMPLIFY_M = 0.0
#: Coordinates are written with 7 decimals (about 1 cm), as route lines are.
DECIMALS = 7


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


def _metres_per_degree(lat0: float) -> tuple[float, float]:
    """Metres per degree east and north around ``lat0`` (the local equirectangular plane)."""
    k = math.pi / 180 * EARTH_RADIUS_M
    return k * math.cos(math.radians(lat0)), k


def _rings(graph: Graph, reaches: list[Reach], origin: Endpoint, lon0: float, lat0: float) -> Rings:
    """The polygons of every reach, in local metres (east, north of lon0, lat0)."""
    kx, ky = _metres_per_degree(lat0)
    standing = ((origin.snap.lon - lon0) * kx, (origin.snap.lat - lat0) * ky)
    return band_rings(
        graph,
        [(found.edges, found.start, found.stop) for found in reaches],
        (lon0, lat0, kx, ky, *standing),
        BUFFER_M,
    )


def reach_polygons(
    graph: Graph, reaches: list[Reach], origin: Endpoint, lon0: float, lat0: float
) -> list[shapely.Geometry]:
    """Nested polygons (shapely, local metres east and north of lon0, lat0), one per reach,
    smallest time first; the same shapes `isochrone_collection` writes."""
    if not reaches:
        return []
    rings = _rings(graph, reaches, origin, lon0, lat0)
    ring_offsets, polygon_offsets = rings.ring_offsets, rings.polygon_offsets
    polygons = []
    for p in range(polygon_offsets.shape[0] - 1):
        parts = [
            rings.points[ring_offsets[r] : ring_offsets[r + 1]]
            for r in range(polygon_offsets[p], polygon_offsets[p + 1])
        ]
        polygons.append(shapely.Polygon(parts[0], parts[1:]))
    out = []
    for k in range(len(reaches)):
        mine = polygons[rings.band_offsets[k] : rings.band_offsets[k + 1]]
        out.append(mine[0] if len(mine) == 1 else shapely.MultiPolygon(mine))
    return out


def _geojson(rings: Rings, lon0: float, lat0: float) -> list[Polygon | MultiPolygon]:
    """GeoJSON Polygons or MultiPolygons in degrees, one per shape (outer rings
    counter-clockwise, holes clockwise).

    Positions are ``(lon, lat)`` tuples: thousands of them per request, and the garbage
    collector stops tracking tuples of floats where it would keep walking lists.
    """
    kx, ky = _metres_per_degree(lat0)
    lon = np.round(lon0 + rings.points[:, 0] / kx, DECIMALS).tolist()
    lat = np.round(lat0 + rings.points[:, 1] / ky, DECIMALS).tolist()
    positions: list[Position] = list(zip(lon, lat, strict=True))
    offsets = rings.ring_offsets.tolist()
    ring_list = [positions[a:b] for a, b in itertools.pairwise(offsets)]
    parts = rings.polygon_offsets.tolist()
    polygons = [ring_list[a:b] for a, b in itertools.pairwise(parts)]
    bands = rings.band_offsets.tolist()
    out: list[Polygon | MultiPolygon] = []
    for a, b in itertools.pairwise(bands):
        if b - a == 1:
            out.append({"type": "Polygon", "coordinates": polygons[a]})
        else:
            out.append({"type": "MultiPolygon", "coordinates": polygons[a:b]})
    return out


def isochrone_collection(
    router: Router,
    origin: tuple[float, float],
    minutes: Sequence[float] | float | str,
    profile: Profile,
    at: datetime | None = None,
    lang: str = "en",
) -> IsochroneCollection:
    """Isochrones from ``origin`` ``(lat, lon)`` as a GeoJSON FeatureCollection.

    One feature per time, smallest first, with properties ``minutes``, ``seconds``, ``label``
    (in ``lang``), ``reached_length_m``, ``reached_nodes`` and ``profile``; a Polygon or
    MultiPolygon each, holes included, positions as ``(lon, lat)`` tuples.

    The time to cross the unmapped ground from ``origin`` to the network (the access leg, at
    the profile's speed) is taken from every time first, and a leg over `ACCESS_WARN_M` is
    named in ``warnings``.

    Raises
    ------
    BadInput
        Minutes out of range, bad coordinates, a point far outside the graph, a bad language.
    NoUsableWay
        No way the profile may use lies within the profile's ``max_access_m`` of the origin;
        its ``explanation`` holds ``blocked_by`` and ``relax`` (as a refused route does).
    """
    check_language(lang)
    thresholds = check_minutes(minutes)
    context = router.context(profile, at)
    costs = router.costs(profile, context)
    try:
        start = router.endpoint(
            origin[0], origin[1], costs, "origin", profile.mobility.max_access_m
        )
    except NoUsableWay as error:
        error.explanation = {
            "profile": profile.name,
            "at": context.at_text,
            "winter": context.winter,
            "season": router.season(profile, context),
            **end_refusal(router, error, origin, None, profile, context, lang),
            "provenance": provenance(router.graph, profile, context),
        }
        raise
    access_s = start.snap.distance_m / profile.mobility.speed_m_s
    reaches = reach(router, start, costs, [max(0.0, 60.0 * m - access_s) for m in thresholds])
    lon0, lat0 = start.snap.lon, start.snap.lat
    geometries = _geojson(_rings(router.graph, reaches, start, lon0, lat0), lon0, lat0)
    _ = translator(lang).gettext
    warnings: list[AnswerWarning] = []
    if start.snap.distance_m > ACCESS_WARN_M:
        metres = round(start.snap.distance_m)
        text = warning_text("access_origin", lang, metres=metres)
        warnings.append({"code": "access_origin", "metres": metres, "text": text})
    features: list[IsochroneFeature] = []
    for value, found, geometry in zip(thresholds, reaches, geometries, strict=True):
        label = _("%(minutes)s min") % {"minutes": format_number(value, lang, 1)}
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "minutes": int(value) if value.is_integer() else value,
                    "seconds": 60.0 * value,
                    "label": label,
                    "reached_length_m": round(found.length_m, 1),
                    "reached_nodes": found.nodes,
                    "profile": profile.name,
                },
                "geometry": geometry,
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
            "access_s": round(access_s, 1),
        },
        "profile": profile.name,
        "at": context.at_text,
        "winter": context.winter,
        "season": router.season(profile, context),
        "warnings": warnings,
        "provenance": provenance(router.graph, profile, context),
    }

"""Inclines from a digital elevation model for the edges the map gives none (the raster is
read by ``ingest.dem``; this is where a graph is enriched with it)."""

from __future__ import annotations

import numpy as np

from stepfree.attributes import Highway, InclineDirection, Source, Tri
from stepfree.errors import BadData
from stepfree.graph.model import Graph
from stepfree.ingest.dem import Dem, grades_between

#: Below this share (%) of network nodes with a valid elevation the DEM is refused as off-area.
MIN_COVERAGE_PCT = 50.0


def graph_with_dem_inclines(graph: Graph, dem: Dem) -> Graph:
    """A copy of ``graph`` whose edges of unknown incline get a grade from ``dem``.

    Tags win: edges with an incline from a tag keep it. Bridges, tunnels, indoor edges and
    elevators are not sampled (the ground under them says nothing about their slope).

    Parameters
    ----------
    graph
        The network.
    dem
        An elevation grid covering it (see :func:`dem_from_path`).

    Returns
    -------
    Graph
        The same arrays with new ``edge.incline_pct`` and ``edge.incline_source``; sampled
        edges have source ``Source.DEM``. ``meta["dem"]`` records the file, the number of
        sampled edges and the share of network nodes the DEM covers.

    Raises
    ------
    BadData
        Fewer than :data:`MIN_COVERAGE_PCT` % of the nodes have a valid elevation.
    """
    node_lon, node_lat = graph.node("lon"), graph.node("lat")
    covered = np.isfinite(dem.elevation_at(node_lon, node_lat))
    share_pct = 100.0 * float(covered.mean())
    coverage_pct = round(share_pct, 1)
    if share_pct < MIN_COVERAGE_PCT:
        w, s, e, n = dem.bounds()
        raise BadData(
            f"the DEM {dem.name} covers {coverage_pct:g}% of the network "
            f"({w:.4f},{s:.4f} to {e:.4f},{n:.4f} vs {node_lon.min():.4f},{node_lat.min():.4f} "
            f"to {node_lon.max():.4f},{node_lat.max():.4f}); give a DEM tile that covers the area"
        )
    incline = np.array(graph.edge("incline_pct"), dtype=np.float32, copy=True)
    source = np.array(graph.edge("incline_source"), dtype=np.uint8, copy=True)
    skip = (
        (source == Source.TAG)
        | (graph.edge("bridge") == Tri.YES)
        | (graph.edge("tunnel") == Tri.YES)
        | (graph.edge("indoor") == Tri.YES)
        | (graph.edge("highway") == Highway.ELEVATOR)
    )
    todo = np.flatnonzero(np.isnan(incline) & ~skip)
    indptr = graph.arrays["geom.indptr"]
    first, last = indptr[todo], indptr[todo + 1] - 1
    lon, lat = graph.arrays["geom.lon"], graph.arrays["geom.lat"]
    length = graph.edge("length_m")[todo].astype(np.float64)
    grade = grades_between(dem, lon[first], lat[first], lon[last], lat[last], length)
    ok = np.isfinite(grade)
    # A mapped direction (incline=up/down, common on steps) is ground truth; at 90 m the DEM
    # can get the sign wrong on short steps, so the tag sets the sign and the DEM the size.
    direction = graph.edge("incline_direction")[todo]
    grade = np.where(direction == InclineDirection.UP, np.abs(grade), grade)
    grade = np.where(direction == InclineDirection.DOWN, -np.abs(grade), grade)
    incline[todo[ok]] = grade[ok]
    source[todo[ok]] = Source.DEM
    arrays = dict(graph.arrays)
    arrays["edge.incline_pct"], arrays["edge.incline_source"] = incline, source
    meta = dict(graph.meta)
    meta["dem"] = {"file": dem.name, "sampled_edges": int(ok.sum()), "coverage_pct": coverage_pct}
    return Graph(arrays=arrays, meta=meta, strings=graph.strings)

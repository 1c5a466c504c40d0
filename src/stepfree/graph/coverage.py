"""Coverage and data quality: what the map knows where it matters, and what mappers should fix.

Shares are of length (for attributes of ways people walk along) or of features (for crossings
and steps), and ``None`` when nothing of that kind exists. Feature counts are by distinct OSM
id, so they can be checked by hand against the source file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from stepfree.answers import Coverage, KerbNodes, NetworkKm
from stepfree.attributes import (
    NO_STRING,
    ROADS,
    WITH_SIDEWALK,
    Crossing,
    Footway,
    Highway,
    InclineDirection,
    Kerb,
    Sidewalk,
    Smoothness,
    Surface,
    Tri,
)
from stepfree.graph.model import Graph

KINDS = (
    "sidewalk",
    "crossing",
    "footway_path",
    "steps",
    "elevator",
    "corridor",
    "platform",
    "road_without_sidewalk",
    "road_sidewalk_unknown",
)
_ROAD_CODES = np.array(sorted(int(h) for h in ROADS))


def edge_kinds(graph: Graph) -> np.ndarray:
    """A kind label (index into ``KINDS``) per edge."""
    highway, footway, sidewalk = (
        graph.edge("highway"),
        graph.edge("footway"),
        graph.edge("sidewalk"),
    )
    is_road = np.isin(highway, _ROAD_CODES)
    kind = np.full(graph.n_edges, KINDS.index("footway_path"), dtype=np.int8)
    with_sidewalk = np.isin(sidewalk, [int(side) for side in WITH_SIDEWALK])
    kind[is_road & (sidewalk == Sidewalk.NO)] = KINDS.index("road_without_sidewalk")
    kind[is_road & (sidewalk == Sidewalk.UNKNOWN)] = KINDS.index("road_sidewalk_unknown")
    kind[(is_road & with_sidewalk) | (footway == Footway.SIDEWALK)] = KINDS.index("sidewalk")
    kind[footway == Footway.CROSSING] = KINDS.index("crossing")
    for name, code in (
        ("steps", Highway.STEPS),
        ("elevator", Highway.ELEVATOR),
        ("corridor", Highway.CORRIDOR),
        ("platform", Highway.PLATFORM),
    ):
        kind[highway == code] = KINDS.index(name)
    return kind


def _share(known: np.ndarray, weight: np.ndarray | None = None) -> float | None:
    if known.size == 0:
        return None
    if weight is None:
        return round(float(known.mean()), 4)
    total = float(weight.sum())
    return round(float(weight[known].sum()) / total, 4) if total > 0 else None


def _kerb_known(graph: Graph) -> np.ndarray:
    known: np.ndarray = (graph.node("kerb") != Kerb.UNKNOWN) | ~np.isnan(
        graph.node("kerb_height_m")
    )
    return known


@dataclass(frozen=True)
class Crossings:
    """Each crossing: a crossing way (by OSM id), or a crossing node on no crossing way."""

    way: np.ndarray  # int64 OSM way id per crossing, -1 for a lone crossing node
    node: np.ndarray  # a representative node per crossing (its crossing node when mapped)
    kerb_ends_known: np.ndarray  # 0, 1 or 2 per crossing
    points: np.ndarray  # every node tagged as a crossing
    unknown_kerb_nodes: np.ndarray  # nodes of crossings with no kerb information at all


def crossings(graph: Graph) -> Crossings:
    """Find the crossings and what is known of their kerbs, vectorised.

    A crossing way's two ends are known when a kerb is mapped on its crossing node (it then
    describes both kerbs) or, else, by the number of its nodes that carry kerb information.
    """
    cached: Crossings | None = graph.derived.get("crossings")
    if cached is not None:
        return cached
    is_crossing_edge = edge_kinds(graph) == KINDS.index("crossing")
    kerb_known = _kerb_known(graph)
    crossing_node = graph.node("crossing") != Crossing.NOT_A_CROSSING
    way_ids = graph.edge("osm_way_id")[is_crossing_edge]
    u, v = graph.edge("u")[is_crossing_edge], graph.edge("v")[is_crossing_edge]
    pairs = np.unique(
        np.column_stack(
            (np.concatenate((way_ids, way_ids)), np.concatenate((u, v)).astype(np.int64))
        ),
        axis=0,
    )
    ways, group = np.unique(pairs[:, 0], return_inverse=True)
    nodes = pairs[:, 1]
    n_groups = ways.size
    n_kerbs = np.bincount(group, kerb_known[nodes], minlength=n_groups)
    kerb_on_point = (
        np.bincount(group, kerb_known[nodes] & crossing_node[nodes], minlength=n_groups) > 0
    )
    ends = np.where(kerb_on_point, 2, np.minimum(2, n_kerbs)).astype(np.int64)
    order = np.lexsort((~crossing_node[nodes], group))
    first = (
        order[np.concatenate(([True], group[order][1:] != group[order][:-1]))]
        if order.size
        else order
    )
    covered = np.zeros(graph.n_nodes, dtype=bool)
    covered[nodes] = True
    lone = np.flatnonzero(crossing_node & ~covered)
    unknown = np.zeros(graph.n_nodes, dtype=bool)
    bare = ends[group] == 0
    unknown[nodes[bare & crossing_node[nodes]]] = True
    representative = nodes[first]
    no_point = np.bincount(group, crossing_node[nodes], minlength=n_groups) == 0
    unknown[representative[(ends == 0) & no_point]] = True
    unknown[lone[~kerb_known[lone]]] = True
    result = Crossings(
        way=np.concatenate((ways, np.full(lone.size, -1))).astype(np.int64),
        node=np.concatenate((representative, lone)).astype(np.int64),
        kerb_ends_known=np.concatenate((ends, np.where(kerb_known[lone], 2, 0))),
        points=np.flatnonzero(crossing_node),
        unknown_kerb_nodes=np.flatnonzero(unknown),
    )
    graph.derived["crossings"] = result
    return result


#: What a mapper does about a kerb not read (see ``ingest.kerbs``).
KERB_FIX = (
    "give kerb:height a unit (kerb:height=3 cm) or the height in metres, and map both sides "
    "of a crossing (kerb:left=* and kerb:right=*)"
)


def kerb_problems(graph: Graph) -> np.ndarray:
    """Nodes whose kerb tags could not be read safely: their kerb height is unknown."""
    found: np.ndarray = np.flatnonzero(graph.node("kerb_problem") != NO_STRING)
    return found


def islands(graph: Graph) -> tuple[np.ndarray, int]:
    """Component label per node and the label of the largest component."""
    u, v = graph.edge("u"), graph.edge("v")
    matrix = coo_matrix((np.ones(u.shape[0]), (u, v)), shape=(graph.n_nodes, graph.n_nodes))
    _, labels = connected_components(matrix, directed=False)
    return labels, int(np.bincount(labels).argmax())


def steps_without_direction(graph: Graph) -> np.ndarray:
    steps = graph.edge("highway") == Highway.STEPS
    undirected: np.ndarray = (
        steps
        & (graph.edge("incline_direction") == InclineDirection.UNKNOWN)
        & np.isnan(graph.edge("incline_pct"))
    )
    return undirected


def coverage_report(graph: Graph) -> Coverage:
    """Network size, attribute coverage and data problems as a JSON-ready dict."""
    length = graph.edge("length_m").astype(np.float64)
    kinds = edge_kinds(graph)
    sidewalk = kinds == KINDS.index("sidewalk")
    sw_len = length[sidewalk]

    def known(name: str, unknown: object) -> np.ndarray:
        values = graph.edge(name)[sidewalk]
        mask: np.ndarray = ~np.isnan(values) if unknown is None else values != unknown
        return mask

    all_crossings = crossings(graph)
    points = all_crossings.points
    signalled = points[graph.node("crossing")[points] == Crossing.TRAFFIC_SIGNALS]
    ends = all_crossings.kerb_ends_known
    steps = graph.edge("highway") == Highway.STEPS
    step_ways, first = np.unique(graph.edge("osm_way_id")[steps], return_index=True)
    step_index = np.flatnonzero(steps)[first]
    labels, main = islands(graph)
    kerb = graph.node("kerb")
    side_unknown = np.isin(graph.edge("highway"), _ROAD_CODES) & (
        graph.edge("sidewalk") == Sidewalk.YES
    )
    return {
        "graph": {
            "source": graph.meta.get("source", {}),
            "nodes": graph.n_nodes,
            "edges": graph.n_edges,
            "length_km": round(float(length.sum()) / 1000, 3),
        },
        "network_km": cast(  # one member per name of KINDS
            NetworkKm,
            {
                name: round(float(length[kinds == i].sum()) / 1000, 3)
                for i, name in enumerate(KINDS)
            },
        ),
        "coverage": {
            "sidewalks": {
                "length_km": round(float(sw_len.sum()) / 1000, 3),
                # roads tagged sidewalk=yes: a sidewalk on one side at least, which unknown
                "side_unknown_km": round(float(length[side_unknown].sum()) / 1000, 3),
                "surface": _share(known("surface", Surface.UNKNOWN), sw_len),
                "width": _share(known("width_m", None), sw_len),
                "incline": _share(known("incline_pct", None), sw_len),
                "smoothness": _share(known("smoothness", Smoothness.UNKNOWN), sw_len),
                "lit": _share(known("lit", Tri.UNKNOWN), sw_len),
            },
            "crossings": {
                "count": int(all_crossings.way.size),
                "kerb_ends_known": round(float(ends.sum()) / (2 * ends.size), 4)
                if ends.size
                else None,
                "tactile_paving": _share(graph.node("tactile_paving")[points] != Tri.UNKNOWN),
                "signalled": int(signalled.size),
                "audible_signals": _share(graph.node("signals_sound")[signalled] != Tri.UNKNOWN),
            },
            "steps": {
                "ways": int(step_ways.size),
                "step_count": _share(graph.edge("step_count")[step_index] >= 0),
                "handrail": _share(graph.edge("handrail")[step_index] != Tri.UNKNOWN),
                "direction": _share(~steps_without_direction(graph)[step_index]),
            },
        },
        "counts": {
            "crossing_nodes": int(points.size),
            "crossing_nodes_with_tactile_paving": int(
                (graph.node("tactile_paving")[points] != Tri.UNKNOWN).sum()
            ),
            "steps_ways": int(step_ways.size),
            "steps_ways_with_step_count": int((graph.edge("step_count")[step_index] >= 0).sum()),
            "kerb_nodes": cast(  # one member per kind of kerb but unknown
                KerbNodes,
                {k.name.lower(): int((kerb == k).sum()) for k in Kerb if k != Kerb.UNKNOWN},
            ),
        },
        "problems": {
            "crossings_without_kerb": int((all_crossings.kerb_ends_known == 0).sum()),
            "kerbs_not_read": int(kerb_problems(graph).size),
            "islands": int(np.unique(labels).size - 1),
            "nodes_off_main_network": int((labels != main).sum()),
            "steps_without_direction": int(
                np.unique(graph.edge("osm_way_id")[steps_without_direction(graph)]).size
            ),
        },
    }


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def format_report(report: Coverage) -> str:
    """The report as text for a terminal."""
    g, cov, probs = report["graph"], report["coverage"], report["problems"]
    lines = [
        f"network: {g['nodes']:,} nodes, {g['edges']:,} edges, {g['length_km']:.1f} km"
        f" ({g['source'].get('name', '?')})",
        "",
        "km by kind:",
    ]
    by_kind = cast(dict[str, float], report["network_km"])  # every member is km
    lines += [f"  {name:<24}{km:10.2f}" for name, km in by_kind.items() if km > 0]
    sw, cr, st = cov["sidewalks"], cov["crossings"], cov["steps"]
    lines += ["", f"sidewalks ({sw['length_km']:.1f} km), share of length known:"]
    lines += [
        f"  {name:<24}{_pct(sw[name])}"
        for name in ("surface", "width", "incline", "smoothness", "lit")
    ]
    side = f"{sw['side_unknown_km']:.2f} km"
    lines.append(f"  {'side unknown':<24}{side:>6}  of road with sidewalk=yes (left or right?)")
    lines += [
        "",
        f"crossings ({cr['count']:,}), share known:",
        f"  {'kerb type at ends':<24}{_pct(cr['kerb_ends_known'])}",
        f"  {'tactile paving':<24}{_pct(cr['tactile_paving'])}",
        f"  {'audible signals':<24}{_pct(cr['audible_signals'])}"
        f"  (of {cr['signalled']:,} signalled)",
        "",
        f"steps ({st['ways']:,} ways), share known:",
        f"  {'step count':<24}{_pct(st['step_count'])}",
        f"  {'handrail':<24}{_pct(st['handrail'])}",
        f"  {'direction':<24}{_pct(st['direction'])}",
        "",
        "data problems:",
        f"  {'crossings without kerb':<24}{probs['crossings_without_kerb']:8,}",
        f"  {'kerb tags not read':<24}{probs['kerbs_not_read']:8,}"
        "  (kerb:height=3: m or cm?, a crossing side unmapped)",
        f"  {'disconnected islands':<24}{probs['islands']:8,}"
        f"  ({probs['nodes_off_main_network']:,} nodes off the main network)",
        f"  {'steps without direction':<24}{probs['steps_without_direction']:8,}",
    ]
    return "\n".join(lines)


def _point(graph: Graph, node: int, props: dict[str, Any]) -> dict[str, Any]:
    lon, lat = float(graph.node("lon")[node]), float(graph.node("lat")[node])
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def problems_geojson(graph: Graph) -> dict[str, Any]:
    """Data problems as GeoJSON features for mappers (each with an OSM id to open)."""
    features = []
    osm_node = graph.node("osm_id")
    found = crossings(graph)
    for way, node in zip(
        found.way[found.kerb_ends_known == 0], found.node[found.kerb_ends_known == 0], strict=True
    ):
        ref = {"osm_way_id": int(way)} if way >= 0 else {}
        props = {
            "problem": "crossing_without_kerb",
            "osm_node_id": int(osm_node[node]),
            **ref,
            "fix": "tag barrier=kerb + kerb=raised|lowered|flush where the crossing meets "
            "the sidewalks",
        }
        features.append(_point(graph, int(node), props))
    problem = graph.node("kerb_problem")
    for node in kerb_problems(graph):
        tags = graph.string(int(problem[node]))
        props = {
            "problem": "kerb_not_read",
            "osm_node_id": int(osm_node[node]),
            "tags": tags,
            "fix": KERB_FIX,
        }
        features.append(_point(graph, int(node), props))
    labels, main = islands(graph)
    for label in np.unique(labels):
        if label == main:
            continue
        members = np.flatnonzero(labels == label)
        features.append(
            _point(
                graph,
                int(members[0]),
                {
                    "problem": "disconnected_island",
                    "nodes": int(members.size),
                    "osm_node_id": int(osm_node[members[0]]),
                    "fix": "connect this part to the network, or check access tags",
                },
            )
        )
    steps = np.flatnonzero(steps_without_direction(graph))
    _, first = np.unique(graph.edge("osm_way_id")[steps], return_index=True)
    for edge in steps[first]:
        coords = graph.edge_coords(int(edge))
        middle = coords[len(coords) // 2].tolist()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": middle},
                "properties": {
                    "problem": "steps_without_direction",
                    "osm_way_id": int(graph.edge("osm_way_id")[edge]),
                    "fix": "tag incline=up or incline=down (up in the way's drawing direction)",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

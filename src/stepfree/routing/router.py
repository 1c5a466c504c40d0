"""The router: one graph, costs cached per profile, snapping, and the search of one route.

A ``Router`` is built once per graph (the HTTP service keeps one for its lifetime). Costs for a
profile are computed vectorised on first use and cached in parts (a request with overrides
rebuilds only the rules it changes: ``costing.cache``). Searches use the graph's
landmarks (``routing.search.landmarks``) as well as the straight line to bound the way left.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from stepfree.answers import Season
from stepfree.cities.place import Place, place_at
from stepfree.costing.cache import CostCache
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs
from stepfree.costing.overlay import EMPTY, Overlay
from stepfree.errors import BadInput, NoUsableWay
from stepfree.geo import EARTH_RADIUS_M, to_local_m
from stepfree.graph.model import Graph
from stepfree.graph.nearest import Snap, nearest_edge
from stepfree.inputs import check_coordinates
from stepfree.profiles.model import Profile
from stepfree.routing.search.cost_landmarks import cost_landmarks_of, reverse_adjacency
from stepfree.routing.search.landmarks import landmark_table
from stepfree.routing.search.paths import PathResult, SearchWorkspace, astar, reachable

#: How far from the network a point may be and still be snapped onto it (m).
SNAP_LIMIT_M = 300.0
#: How far to look for a usable way when telling someone how far the nearest one is (m).
USABLE_SEARCH_M = 5000.0
#: Costs kept per router (profiles with overrides are separate entries).
COST_CACHE_SIZE = 32


@dataclass(frozen=True)
class Endpoint:
    """A snapped origin or destination."""

    lat: float
    lon: float
    snap: Snap


@dataclass(frozen=True)
class Route:
    """A found route before it is described: snapped ends and the entries walked."""

    origin: Endpoint
    destination: Endpoint
    entries: np.ndarray  # CSR entries walked between the two partial edges
    cost: float
    start_node: int  # first graph node reached (-1 when origin and destination share an edge)
    end_node: int
    costs: Costs


#: Nearer ways that block an end, named in a refusal (the nearest distinct OSM ways).
BLOCKED_NEARER = 3


def place_of(graph: Graph) -> Place:
    """Where the graph lies (time zone and winter months: `cities.place`), once per graph."""
    cached = graph.derived.get("place")
    if cached is None:
        lon, lat = graph.meta.get("origin", (0.0, 0.0))
        cached = graph.derived["place"] = place_at(float(lon), float(lat))
    place: Place = cached
    return place


class Router:
    """Routes on one graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        lon0, lat0 = graph.meta["origin"]
        self.x_m, self.y_m = to_local_m(graph.node("lon"), graph.node("lat"), lon0, lat0)
        self._box_m = (
            (
                float(self.x_m.min()),
                float(self.x_m.max()),
                float(self.y_m.min()),
                float(self.y_m.max()),
            )
            if graph.n_nodes
            else (0.0, 0.0, 0.0, 0.0)
        )
        self._csr = (
            np.asarray(graph.arrays["csr.indptr"], dtype=np.int64),
            np.asarray(graph.arrays["csr.target"], dtype=np.int32),
        )
        self.landmarks = landmark_table(graph)
        self.cost_landmarks = cost_landmarks_of(graph, *self._csr)
        forward = graph.arrays["csr.forward"] == 1
        edge = graph.arrays["csr.edge"]
        self.forward_entry = np.empty(graph.n_edges, dtype=np.int64)
        self.backward_entry = np.empty(graph.n_edges, dtype=np.int64)
        self.forward_entry[edge[forward]] = np.flatnonzero(forward)
        self.backward_entry[edge[~forward]] = np.flatnonzero(~forward)
        self.workspace = SearchWorkspace(graph.n_nodes)
        self.place = place_of(graph)
        self.overlay: Overlay = EMPTY
        self._costs = CostCache(graph, COST_CACHE_SIZE)

    # -- context and costs -------------------------------------------------------------------
    def context(
        self, profile: Profile, at: datetime | None, overlay: Overlay | None = None
    ) -> Context:
        """When the trip happens, in the local time of where the graph lies (a naive ``at``
        is that local time; no ``at`` is now), whether it is winter then, and
        which live reports apply (the router's own overlay unless one is given)."""
        zone = ZoneInfo(self.place.time_zone)
        if at is None:
            local = datetime.now(zone)
        elif at.tzinfo is None:
            local = at.replace(tzinfo=zone)
        else:
            local = at.astimezone(zone)
        setting = profile.preferences.winter
        winter = local.month in self.place.winter_months if setting == "auto" else setting == "yes"
        return Context(winter=winter, at=local, overlay=overlay or self.overlay)

    def season(self, profile: Profile, context: Context) -> Season:
        """What an answer says of the season: winter or not, and what decided it."""
        setting = profile.preferences.winter
        return {
            "winter": context.winter,
            "decided_by": self.place.decided_by if setting == "auto" else f"winter={setting}",
            "winter_months": list(self.place.winter_months),
            "time_zone": self.place.time_zone,
        }

    def costs(self, profile: Profile, context: Context) -> Costs:
        """Costs for a profile and context, cached in parts (a request with overrides rebuilds
        only the rules whose parameters it changes; see ``stepfree.costing.cache``)."""
        return self._costs.costs(profile, context)

    def prepare(self, profile: Profile, at: datetime | None = None) -> float:
        """Compute the cost landmark table of a profile now (`search.cost_landmarks`), so
        that its searches are fast from the first, also on a big graph; seconds taken."""
        started = time.perf_counter()
        costs = self.costs(profile, self.context(profile, at))
        self.cost_landmarks.table(costs.entry_cost, prepare=True)
        return time.perf_counter() - started

    # -- snapping ---------------------------------------------------------------------------
    def endpoint(
        self, lat: float, lon: float, costs: Costs, role: str, access_m: float = SNAP_LIMIT_M
    ) -> Endpoint:
        """Snap a point to the nearest way the profile may use within ``access_m`` (the
        profile's ``max_access_m``: how far it may go across unmapped ground).

        Every search here is bounded, so a point far from the network is answered at once.

        Raises
        ------
        BadInput
            A point that is not a coordinate, or further than `SNAP_LIMIT_M` from any way.
        NoUsableWay
            No usable way within ``access_m``: how far the nearest one is, and which nearer
            ways the profile may not use.
        """
        check_coordinates(lat, lon, role)
        outside_m = self._distance_to_box_m(lat, lon)
        if outside_m > SNAP_LIMIT_M:
            raise BadInput(
                f"the {role} {lat},{lon} is outside this graph's network (about "
                f"{outside_m / 1000:,.1f} km from it); check the order LAT,LON or the graph"
            )
        limit = min(access_m, SNAP_LIMIT_M)
        snap = nearest_edge(self.graph, lon, lat, costs.edge_usable, limit)
        if snap is None:
            if nearest_edge(self.graph, lon, lat, max_distance_m=SNAP_LIMIT_M) is None:
                raise BadInput(
                    f"the {role} {lat},{lon} is more than {SNAP_LIMIT_M:.0f} m from any way "
                    "of this graph; check the order LAT,LON or the graph"
                )
            usable = nearest_edge(self.graph, lon, lat, costs.edge_usable, USABLE_SEARCH_M)
            nearest_m = usable.distance_m if usable else None
            blocked = self._blocked_nearer(lat, lon, costs, nearest_m)
            raise NoUsableWay(role, nearest_m, limit, blocked, USABLE_SEARCH_M)
        return Endpoint(lat, lon, snap)

    def nearest_usable_m(self, lat: float, lon: float, costs: Costs) -> float | None:
        """How far the nearest way the profile may use is (None: none within
        `USABLE_SEARCH_M`)."""
        usable = nearest_edge(self.graph, lon, lat, costs.edge_usable, USABLE_SEARCH_M)
        return usable.distance_m if usable else None

    def _blocked_nearer(
        self, lat: float, lon: float, costs: Costs, nearest_m: float | None
    ) -> tuple[tuple[int, float], ...]:
        """The nearest ways (distinct OSM ways, at most `BLOCKED_NEARER`) that are closer to
        the point than the nearest usable one and that the profile may not use."""
        reach = min(nearest_m if nearest_m is not None else SNAP_LIMIT_M, SNAP_LIMIT_M)
        unusable = ~costs.edge_usable
        way_of = self.graph.edge("osm_way_id")
        found: list[tuple[int, float]] = []
        while len(found) < BLOCKED_NEARER:
            snap = nearest_edge(self.graph, lon, lat, unusable, reach)
            if snap is None:
                break
            found.append((snap.edge, snap.distance_m))
            unusable = unusable & (way_of != way_of[snap.edge])  # next: another way
        return tuple(found)

    def _distance_to_box_m(self, lat: float, lon: float) -> float:
        """How far a point lies outside the bounding box of the graph's nodes (0 inside)."""
        lon0, lat0 = self.graph.meta["origin"]
        k = math.pi / 180 * EARTH_RADIUS_M  # the plane of `to_local_m`, for one point
        x, y = (lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k
        x_min, x_max, y_min, y_max = self._box_m
        return math.hypot(max(x_min - x, 0.0, x - x_max), max(y_min - y, 0.0, y - y_max))

    def path_between(
        self,
        origin: tuple[float, float],
        destination: tuple[float, float],
        costs: Costs,
        access_m: float = SNAP_LIMIT_M,
    ) -> Route | None:
        """Snap both ``(lat, lon)`` points (within ``access_m``) and search; None when either
        end has no usable way nearby or no route exists."""
        try:
            start = self.endpoint(*origin, costs, "origin", access_m)
            end = self.endpoint(*destination, costs, "destination", access_m)
        except NoUsableWay:
            return None
        return self.search(start, end, costs)

    # -- search -----------------------------------------------------------------------------
    def _partial(self, entry: np.int64 | int, share: float, costs: Costs) -> float:
        """Cost of walking ``share`` of an entry's way (no transition).

        A share of 0 costs 0 even on a way refused in that direction (the point is on the
        node): inf * 0 would be NaN.
        """
        return float(costs.edge_cost[entry]) * share if share > 0 else 0.0

    def _ends(
        self, origin: Endpoint, destination: Endpoint, costs: Costs
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """Search nodes and their costs at both ends: the origin's edge's two nodes, reached
        back against its drawing (u) or on along it (v), the same for the destination's, and
        the cost along the edge when both points are on the same one (else inf)."""
        graph = self.graph
        oe, of = origin.snap.edge, origin.snap.fraction
        de, df = destination.snap.edge, destination.snap.fraction
        u, v = int(graph.edge("u")[oe]), int(graph.edge("v")[oe])
        sources = np.array([u, v])
        source_costs = np.array(
            [
                self._partial(self.backward_entry[oe], of, costs) + costs.node_cost[u],
                self._partial(self.forward_entry[oe], 1 - of, costs) + costs.node_cost[v],
            ]
        )
        du, dv = int(graph.edge("u")[de]), int(graph.edge("v")[de])
        targets = np.array([du, dv])
        target_costs = np.array(
            [
                self._partial(self.forward_entry[de], df, costs),
                self._partial(self.backward_entry[de], 1 - df, costs),
            ]
        )
        direct = math.inf
        if oe == de:  # along the shared edge, without touching a node
            entry = self.forward_entry[oe] if df >= of else self.backward_entry[oe]
            direct = self._partial(entry, abs(df - of), costs)
        return sources, source_costs, targets, target_costs, direct

    def connected(
        self,
        origin: tuple[float, float],
        destination: tuple[float, float],
        costs: Costs,
        access_m: float = SNAP_LIMIT_M,
    ) -> bool:
        """Whether `path_between` would find a route, without searching for the cheapest:
        breadth-first from both ends (`search.reachable`), so a refusal costs the smaller
        side. The no-route explanation asks this many times."""
        try:
            start = self.endpoint(*origin, costs, "origin", access_m)
            end = self.endpoint(*destination, costs, "destination", access_m)
        except NoUsableWay:
            return False
        sources, source_costs, targets, target_costs, direct = self._ends(start, end, costs)
        if math.isfinite(direct):
            return True
        return reachable(
            (*self._csr, costs.entry_cost),
            reverse_adjacency(self.graph),
            sources[np.isfinite(source_costs)],
            targets[np.isfinite(target_costs)],
        )

    def search(self, origin: Endpoint, destination: Endpoint, costs: Costs) -> Route | None:
        """Cheapest path between two snapped points, or None."""
        sources, source_costs, targets, target_costs, direct = self._ends(
            origin, destination, costs
        )
        result: PathResult = astar(
            (*self._csr, costs.entry_cost),
            sources,
            source_costs,
            targets,
            target_costs,
            self.x_m,
            self.y_m,
            costs.min_cost_per_m,
            self.workspace,
            self.landmarks,
            self.cost_landmarks.table(costs.entry_cost),
        )
        best = Route(
            origin,
            destination,
            result.entries,
            result.total_cost,
            int(sources[result.source_index]) if result.source_index >= 0 else -1,
            int(targets[result.target_index]) if result.target_index >= 0 else -1,
            costs,
        )
        if direct <= best.cost:  # along the shared edge, without touching a node
            best = Route(origin, destination, np.empty(0, np.int64), direct, -1, -1, costs)
        return best if math.isfinite(best.cost) else None

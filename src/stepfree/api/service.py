"""What one worker process holds while it serves: the graph, its routers, the report store.

Built once in the app's lifespan. The graph is memory-mapped (workers share its pages). Each
router has its own search workspace, so ``settings.routers`` searches run at once; a request
borrows a router for its search and gives it back. Before each search the overlay of live
reports is brought up to date when the store's version changed, so a report approved by one
request is seen by the next one (in every worker, since each checks the version).
"""

from __future__ import annotations

import hashlib
import logging
import math
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from stepfree import _api
from stepfree.answers import Coverage, IsochroneCollection, RouteAnswer
from stepfree.api.errors import Overloaded
from stepfree.api.settings import Settings, store_url
from stepfree.costing.overlay import EMPTY, Overlay
from stepfree.errors import BadInput, StepfreeError
from stepfree.graph.model import Graph
from stepfree.graph.nearest import nearest_edge
from stepfree.inputs import check_coordinates
from stepfree.profiles.model import Profile, preset, preset_names
from stepfree.reports.closures import SNAP_EDGE_M, overlay_from_reports
from stepfree.reports.domain import ApiKey, ReportIn
from stepfree.reports.store import ReportStore
from stepfree.routing.narration.answer import answer
from stepfree.routing.router import SNAP_LIMIT_M, Router, place_of

log = logging.getLogger("stepfree.api")

#: Keys remembered at most (a bound, not a tuning knob). A remembered key is trusted only while
#: the store's keys version is the one it was looked up under (see ``key_for_secret``).
KEY_CACHE_SIZE = 1024


def served_area(graph: Graph) -> tuple[float, float, float, float]:
    """W, S, E, N of the network widened by the snapping distance (degrees)."""
    lat, lon = graph.node("lat"), graph.node("lon")
    if lat.size == 0:
        return (0.0, 0.0, 0.0, 0.0)
    pad_lat = SNAP_LIMIT_M / 111_320.0  # metres per degree of latitude (mean, WGS84)
    pad_lon = pad_lat / max(0.01, math.cos(math.radians(float(lat.mean()))))
    return (
        float(lon.min()) - pad_lon,
        float(lat.min()) - pad_lat,
        float(lon.max()) + pad_lon,
        float(lat.max()) + pad_lat,
    )


class Service:
    """The live state of one worker."""

    def __init__(self, settings: Settings, graph: Graph, graph_path: Path, store: ReportStore):
        self.settings = settings
        self.graph = graph
        self.graph_path = graph_path
        self.store = store
        self._routers: queue.SimpleQueue[Router] = queue.SimpleQueue()
        for _ in range(settings.routers):
            self._routers.put(Router(graph))
        self._overlay: Overlay = EMPTY
        self._overlay_lock = threading.Lock()
        self._next_expiry = 0.0
        self._expiry_lock = threading.Lock()
        self._coverage: Coverage | None = None
        self._coverage_lock = threading.Lock()
        # digest of a secret -> (keys version, key, when that secret stops working)
        self._keys: dict[str, tuple[str, ApiKey, datetime | None]] = {}
        self.area = served_area(graph)
        #: where a time without an offset is read (the served city's local time)
        self.zone = ZoneInfo(place_of(graph).time_zone)
        self.preparing: threading.Thread | None = None  # see warm_up

    @classmethod
    def open(cls, settings: Settings) -> Service:
        """Load the graph (memory-mapped) and open the report store."""
        path = settings.graph if settings.graph is not None else _api.sample_graph_path()
        graph = _api.load_graph(path)
        url = store_url(settings.db)  # a named database's folder must exist
        store = ReportStore.open(url, confirmations_needed=settings.confirmations_needed)
        return cls(settings, graph, Path(path), store)

    def close(self) -> None:
        """Close the store (the graph's memory map goes with the process)."""
        self.store.close()

    def check_inside(self, point: tuple[float, float], role: str) -> None:
        """Refuse a point outside the served area at once (snapping it would search the
        whole grid to say how far away it is)."""
        lat, lon = point
        west, south, east, north = self.area
        if not (west <= lon <= east and south <= lat <= north):
            raise BadInput(
                f"the {role} {lat},{lon} is outside this graph's network, which covers "
                f"W,S,E,N {west:.4f},{south:.4f},{east:.4f},{north:.4f}; check the order LAT,LON"
            )

    # -- the overlay of live reports ---------------------------------------------------------
    def overlay(self) -> Overlay:
        """The overlay for the store's current version (rebuilt only when it changed).

        When the store cannot be read, routing goes on with the last overlay it had (the
        reports known a moment ago are better than no route), and the log says so.
        """
        try:
            self.housekeeping()
            version = self.store.version()
            if version == self._overlay.version:
                return self._overlay
            with self._overlay_lock:
                if version != self._overlay.version:
                    reports = self.store.live()
                    self._overlay = overlay_from_reports(self.graph, reports, version)
                    log.info("overlay rebuilt: %d live reports, version %s", len(reports), version)
                return self._overlay
        except SQLAlchemyError as error:
            log.warning(
                "report store unreadable, routing with overlay %s: %s",
                self._overlay.version,
                type(error).__name__,
            )
            return self._overlay

    def housekeeping(self, now: datetime | None = None) -> None:
        """Expire due reports, at most once per ``expire_every_s`` per worker."""
        tick = time.monotonic()
        if tick < self._next_expiry or not self._expiry_lock.acquire(blocking=False):
            return
        try:
            self._next_expiry = tick + self.settings.expire_every_s
            count = self.store.expire_due(now or datetime.now(UTC))
            if count:
                log.info("expired %d reports", count)
        finally:
            self._expiry_lock.release()

    @contextmanager
    def router(self) -> Iterator[Router]:
        """Borrow a router with the current overlay; 503 when none frees up in the budget."""
        overlay = self.overlay()
        try:
            router = self._routers.get(timeout=self.settings.request_budget_s)
        except queue.Empty:
            raise Overloaded(
                f"all {self.settings.routers} routers of this worker stayed busy for "
                f"{self.settings.request_budget_s:g} s; try again"
            ) from None
        try:
            router.overlay = overlay
            yield router
        finally:
            self._routers.put(router)

    # -- the work of the endpoints ------------------------------------------------------------
    def route(
        self,
        origin: tuple[float, float],
        destination: tuple[float, float],
        profile: Profile,
        lang: str,
        at: datetime | None,
    ) -> RouteAnswer:
        """The route answer (the JSON of ``stepfree route --format json``)."""
        with self.router() as router:
            return answer(router, origin, destination, profile, lang, at)

    def isochrone(
        self,
        origin: tuple[float, float],
        minutes: list[float],
        profile: Profile,
        lang: str,
        at: datetime | None,
    ) -> IsochroneCollection:
        """Reachable areas as a GeoJSON FeatureCollection (nested polygons, one per time)."""
        from stepfree.routing.reach.isochrone import isochrone_collection

        with self.router() as router:
            return isochrone_collection(router, origin, minutes, profile, at, lang)

    def coverage(self) -> Coverage:
        """The graph's coverage report, computed once."""
        if self._coverage is None:
            from stepfree.graph.coverage import coverage_report

            with self._coverage_lock:
                if self._coverage is None:
                    self._coverage = coverage_report(self.graph)
        return self._coverage

    def key_for_secret(self, secret: str) -> ApiKey | None:
        """The working key for a secret, or None.

        A looked-up key is remembered under the store's keys version, which every key write
        (create, revoke, rotate, expiry; by any worker or by ``stepfree keys``) changes, and
        until its secret stops working (expiry, end of a rotation's grace): a revoked, rotated
        or expired secret gets 401 on its next request in every worker. Reading the version
        costs a file read on SQLite (``reports.signal``; the database only after a write) and
        one primary-key read on PostgreSQL; an unknown secret is looked up every time (its
        attempts count against the caller's address).
        """
        digest = hashlib.sha256(secret.encode()).hexdigest()
        version = self.store.keys_version()  # before the lookup: a write after it is seen
        now = datetime.now(UTC)
        cached = self._keys.get(digest)
        if cached is not None and cached[0] == version and (cached[2] is None or now < cached[2]):
            return cached[1]
        match = self.store.match_secret(secret, now)
        if match is None:
            self._keys.pop(digest, None)
            return None
        if len(self._keys) >= KEY_CACHE_SIZE:
            self._keys.clear()
        self._keys[digest] = (version, match.key, match.valid_until)
        return match.key

    def check_place(self, data: ReportIn) -> None:
        """Refuse a report whose place is not on this service's network."""
        graph = self.graph
        if data.osm_way_id is not None and graph.edges_of_way(data.osm_way_id).size == 0:
            raise BadInput(
                f"osm_way_id {data.osm_way_id} is not a way of this service's walking network; "
                "give a point (lat, lon) or the id of a walkable way"
            )
        if data.osm_node_id is not None and graph.node_index(data.osm_node_id) is None:
            raise BadInput(
                f"osm_node_id {data.osm_node_id} is not a node of this service's walking "
                "network; give a point (lat, lon) or the id of a node on a walkable way"
            )
        if data.lat is not None and data.lon is not None:
            check_coordinates(data.lat, data.lon, "report's point")
            self.check_inside((data.lat, data.lon), "report's point")
            snap = nearest_edge(graph, data.lon, data.lat, max_distance_m=SNAP_EDGE_M)
            if snap is None:
                raise BadInput(
                    f"the point {data.lat},{data.lon} is more than {SNAP_EDGE_M:.0f} m from "
                    "this service's walking network; put the report where the barrier is"
                )

    def warm_up(self) -> None:
        """Load (or, with an empty numba cache, compile: seconds) the route and isochrone
        kernels now rather than on the first request, then start computing the presets' cost
        landmark tables in the background (`search.cost_landmarks`; shared by the routers;
        about 7 s a preset on a million nodes: until a preset's is ready, its searches use
        the metre landmarks)."""
        if self.graph.n_edges == 0:
            return
        from stepfree.routing.reach.isochrone import isochrone_collection

        lat, lon = float(self.graph.node("lat")[0]), float(self.graph.node("lon")[0])
        try:
            with self.router() as router:
                answer(router, (lat, lon), (lat, lon), preset("pedestrian"), "en", None)
                isochrone_collection(router, (lat, lon), 1, preset("pedestrian"))
        except (StepfreeError, LookupError) as error:
            log.debug("warm-up route: %s", error)
        self.preparing = threading.Thread(
            target=self._prepare_presets, name="stepfree-prepare", daemon=True
        )
        self.preparing.start()

    def _prepare_presets(self) -> None:
        """Every preset's cost landmark table, by a router of its own (not one of the pool)."""
        router = Router(self.graph)
        try:
            seconds = sum(router.prepare(preset(name)) for name in preset_names())
        except Exception:  # a worker serves without the tables rather than not at all
            log.exception("cost landmarks of the presets: not prepared")
            return
        log.info("cost landmarks of the presets ready in %.1f s", seconds)

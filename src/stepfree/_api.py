"""Library entry points: build a graph from a file, load one, and the bundled sample city."""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stepfree.errors import BadInput
from stepfree.graph.build import graph_from_extract
from stepfree.graph.model import Graph
from stepfree.graph.store import FORMAT_VERSION, save_graph
from stepfree.graph.store import load_graph as _load
from stepfree.ingest.area import EVERYTHING, Area
from stepfree.ingest.osm import read_osm

if TYPE_CHECKING:
    from stepfree.answers import IsochroneCollection, RouteAnswer
    from stepfree.costing.overlay import Overlay
    from stepfree.routing.router import Router

SAMPLE_CITY = "helsinki_2019-04.osm.pbf"
Progress = Callable[[str, int], None]


def _quiet(_phase: str, _count: int) -> None:
    return None


def sample_city_path() -> Path:
    """Path of the bundled sample city (central Helsinki, OSM data (c) OSM contributors, ODbL)."""
    return Path(str(resources.files("stepfree").joinpath("data", SAMPLE_CITY)))


def build_graph(
    source: Path | None = None,
    output: Path | None = None,
    area: Area = EVERYTHING,
    dem: Path | None = None,
    progress: Progress = _quiet,
) -> Graph:
    """Build the walkable network of an OSM file; write it to ``output`` when given.

    With no ``source`` the bundled sample city is built.
    """
    source = Path(source) if source is not None else sample_city_path()
    dem_raster = None
    if dem is not None:
        from stepfree.ingest.dem import dem_from_path  # optional path: only when asked

        dem_raster = dem_from_path(Path(dem))
    extract = read_osm(source, area, progress)
    settings: dict[str, Any] = {"area": area.describe(), "dem": str(dem) if dem else None}
    progress("building graph", len(extract.ways))
    graph = graph_from_extract(extract, settings)
    del extract  # the ways and nodes read: freed before the landmarks (a big city's peak)
    if dem_raster is not None:
        from stepfree.graph.terrain import graph_with_dem_inclines

        progress("sampling terrain", graph.n_edges)
        graph = graph_with_dem_inclines(graph, dem_raster)
    from stepfree.routing.search.landmarks import STORED_FROM_NODES, graph_with_landmarks

    if graph.n_nodes >= STORED_FROM_NODES:
        progress("placing landmarks", graph.n_nodes)
    graph = graph_with_landmarks(graph)
    if output is not None:
        progress("writing graph", graph.n_edges)
        save_graph(graph, Path(output))
    return graph


def load_graph(path: Path, verify: bool = True) -> Graph:
    """Memory-map a graph file written by :func:`build_graph` (see ``graph.store``)."""
    return _load(Path(path), verify=verify)


def cache_dir() -> Path:
    """Where the sample city's graph is cached (``$STEPFREE_CACHE`` or the XDG cache)."""
    if "STEPFREE_CACHE" in os.environ:
        return Path(os.environ["STEPFREE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stepfree"


def _code_fingerprint() -> str:
    """Hash of the ingest and graph code, so a cached graph is rebuilt when they change."""
    digest = hashlib.sha256(str(FORMAT_VERSION).encode())
    root = Path(__file__).parent
    for folder in ("ingest", "graph"):
        for file in sorted((root / folder).glob("*.py")):
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def sample_graph_path(progress: Progress = _quiet) -> Path:
    """The sample city's graph file, built once and cached."""
    folder = cache_dir()
    path = folder / f"sample-helsinki-{_code_fingerprint()}.sfg"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        build_graph(None, path, progress=progress)
    return path


def sample_graph() -> Graph:
    """The sample city's graph (built on first use, then memory-mapped from the cache)."""
    return load_graph(sample_graph_path())


#: Graph files routed on by path, kept loaded (most recent last): a bounded convenience for
#: ``route(..., graph="city.sfg")`` called again and again; callers who route a lot keep their
#: own `Graph` (or `Router`) instead.
_BY_PATH: OrderedDict[tuple[str, int], Graph] = OrderedDict()
PATH_CACHE_SIZE = 4


def router_for(graph: Graph | Path | str | None = None) -> Router:
    """The router of a graph object, a graph file, or (None) the sample city.

    A graph object keeps its router (in ``graph.derived``), so the router lives and dies with
    the graph its caller holds; a file is loaded once and kept among the last
    `PATH_CACHE_SIZE` files routed on.
    """
    from stepfree.routing.router import Router

    if not isinstance(graph, Graph):
        path = Path(graph) if graph is not None else sample_graph_path()
        key = (str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)
        loaded = _BY_PATH.pop(key, None) or load_graph(path)
        _BY_PATH[key] = loaded
        while len(_BY_PATH) > PATH_CACHE_SIZE:
            _BY_PATH.popitem(last=False)
        graph = loaded
    router = graph.derived.get("router")
    if router is None:
        router = graph.derived["router"] = Router(graph)
    found: Router = router
    return found


def route(
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: str = "pedestrian",
    overrides: dict[str, str] | None = None,
    lang: str = "en",
    at: datetime | str | None = None,
    graph: Graph | Path | str | None = None,
    reports: Path | str | None = None,
) -> RouteAnswer:
    """Route between two ``(lat, lon)`` points for a profile, as the CLI's JSON answer.

    ``reports`` is a GeoJSON file of barrier reports to apply to this request only (the same
    format the service exports).

    ``route`` is ``None`` when no route exists; then ``blocked_by`` says what blocks it and
    ``relax`` which single parameter change would open one.
    """
    from stepfree.profiles.model import profile_from_request
    from stepfree.routing.narration.answer import answer

    chosen = profile_from_request(profile, {k: str(v) for k, v in (overrides or {}).items()})
    router = router_for(graph)
    overlay = overlay_from_file(router.graph, Path(reports)) if reports is not None else None
    return answer(router, origin, destination, chosen, lang, parse_time(at), overlay)


def overlay_from_file(graph: Graph, path: Path) -> Overlay:
    """An overlay from a GeoJSON file of reports (``stepfree route --reports FILE``)."""
    import json

    from stepfree.reports.closures import overlay_from_reports
    from stepfree.reports.export import reports_from_geojson

    if path.is_dir():
        raise BadInput(
            f"reports file {path} is a folder, not a file; give a GeoJSON FeatureCollection "
            "of reports (as GET /v1/reports.geojson exports)"
        )
    if not path.is_file():
        raise BadInput(
            f"reports file {path} does not exist; give a GeoJSON FeatureCollection "
            "of reports (as GET /v1/reports.geojson exports)"
        )
    data = path.read_bytes()
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadInput(f"reports file {path} is not JSON ({error})") from None
    version = "file:sha256:" + hashlib.sha256(data).hexdigest()[:16]  # by content, not name
    return overlay_from_reports(graph, reports_from_geojson(document), version)


def parse_time(at: datetime | str | None) -> datetime | None:
    """ISO-8601 text or a datetime; naive times are the city's local time (`stepfree.times`)."""
    if at is None or isinstance(at, datetime):
        return at
    from stepfree.times import parse_time as parse

    return parse(at, "at")


def isochrone(
    origin: tuple[float, float],
    minutes: tuple[float, ...] | list[float] | float | str = (5, 10, 15),
    profile: str = "pedestrian",
    overrides: dict[str, str] | None = None,
    at: datetime | str | None = None,
    graph: Graph | Path | str | None = None,
    lang: str = "en",
) -> IsochroneCollection:
    """Where a profile can travel from ``origin`` ``(lat, lon)`` within each time, as GeoJSON.

    A FeatureCollection with one Polygon or MultiPolygon per time (1 to 60 minutes, at most
    six), smallest first; each time's polygon lies within the next one's. Raises ``BadInput``
    for bad minutes, coordinates or profile, and ``NoUsableWay`` (a ``LookupError``) when no
    way the profile may use lies near the origin.
    """
    from stepfree.profiles.model import profile_from_request
    from stepfree.routing.reach.isochrone import isochrone_collection

    chosen = profile_from_request(profile, {k: str(v) for k, v in (overrides or {}).items()})
    return isochrone_collection(router_for(graph), origin, minutes, chosen, parse_time(at), lang)

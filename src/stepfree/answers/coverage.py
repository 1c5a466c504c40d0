"""The coverage report: what the map knows where it matters (``graph.coverage``)."""

from __future__ import annotations

from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from stepfree.answers.common import GraphSource, closed


@closed
class CoverageGraph(TypedDict):
    """The network's size and source."""

    source: GraphSource
    nodes: int
    edges: int
    length_km: float


@closed
class NetworkKm(TypedDict):
    """Kilometres of network by kind (``graph.coverage.KINDS``)."""

    sidewalk: float
    crossing: float
    footway_path: float
    steps: float
    elevator: float
    corridor: float
    platform: float
    road_without_sidewalk: float
    road_sidewalk_unknown: float


@closed
class SidewalkCoverage(TypedDict):
    """Sidewalks: their length, and the share of it whose attributes are known."""

    length_km: float
    side_unknown_km: float
    """roads tagged sidewalk=yes: a sidewalk on one side at least, which one unknown"""
    surface: float | None
    width: float | None
    incline: float | None
    smoothness: float | None
    lit: float | None


@closed
class CrossingCoverage(TypedDict):
    """Crossings: how many, and the share whose kerbs, tactile paving and sound are known."""

    count: int
    kerb_ends_known: float | None
    tactile_paving: float | None
    signalled: int
    audible_signals: float | None


@closed
class StepsCoverage(TypedDict):
    """Flights of steps: how many ways, and the share whose count, handrail and direction
    are known."""

    ways: int
    step_count: float | None
    handrail: float | None
    direction: float | None


@closed
class AttributeCoverage(TypedDict):
    """Shares known (0-1; null when nothing of that kind exists)."""

    sidewalks: SidewalkCoverage
    crossings: CrossingCoverage
    steps: StepsCoverage


@closed
class KerbNodes(TypedDict):
    """Nodes mapped with each kind of kerb (``attributes.Kerb`` but unknown)."""

    flush: int
    lowered: int
    rolled: int
    raised: int
    other: int


@closed
class CoverageCounts(TypedDict):
    """Feature counts by distinct OSM id (to check by hand against the source)."""

    crossing_nodes: int
    crossing_nodes_with_tactile_paving: int
    steps_ways: int
    steps_ways_with_step_count: int
    kerb_nodes: KerbNodes


@closed
class CoverageProblems(TypedDict):
    """Data problems for mappers to fix."""

    crossings_without_kerb: int
    kerbs_not_read: int
    islands: int
    nodes_off_main_network: int
    steps_without_direction: int


@closed
class Coverage(TypedDict):
    """What the map knows where it matters (``stepfree inspect --json``, ``GET
    /v1/coverage``)."""

    graph: CoverageGraph
    network_km: NetworkKm
    coverage: AttributeCoverage
    counts: CoverageCounts
    problems: CoverageProblems

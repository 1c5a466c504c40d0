"""A route: found (`FoundRoute`) or refused (`RefusedRoute`), and a refusal in the HTTP
error shape (`RefusalResponse`, a refused isochrone's too)."""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from stepfree.answers.common import (
    AnswerWarning,
    Block,
    Position,
    Provenance,
    Reason,
    Relaxation,
    Season,
    closed,
)


@closed
class LineString(TypedDict):
    """A GeoJSON LineString."""

    type: Literal["LineString"]
    coordinates: list[Position]


@closed
class RouteProperties(TypedDict):
    """The route feature's properties."""

    profile: str


@closed
class RouteFeature(TypedDict):
    """The route as a GeoJSON Feature: the line walked, access legs included."""

    type: Literal["Feature"]
    properties: RouteProperties
    geometry: LineString


@closed
class AccessLegs(TypedDict):
    """The unmapped ground between each requested point and the network (straight lines, m)."""

    origin: float
    destination: float


@closed
class KnownShare(TypedDict, total=False):
    """The share of the route on which the map knows each attribute that matters to the
    profile (absent: it does not matter; null: the route meets none of that kind)."""

    kerb: float | None
    step_count: float | None
    incline: float | None
    width: float | None
    audible_signal: float | None
    surface: float | None
    tactile_paving: float | None
    lit: float | None


@closed
class StepTotals(TypedDict):
    """The flights of steps on the route."""

    flights: int
    known_step_count: int
    """steps in the flights whose count is known"""
    flights_with_unknown_count: int


@closed
class Summary(TypedDict):
    """A route's length, time and confidence, and what it meets."""

    length_m: float
    duration_s: float
    access_m: AccessLegs
    confidence: float
    """the weighted mean of the known shares (docs/answers.md); 1 when nothing matters"""
    known_share: KnownShare
    crossings: dict[str, int]
    """crossings by control (traffic_signals, marked, unmarked, ...)"""
    kerbs: dict[str, int]
    """kerbs by kind (raised, lowered, flush, rolled, ...)"""
    steps: StepTotals
    elevators: int
    ascent_m: float | None
    """null where no grade is known along the route"""
    descent_m: float | None
    detour_factor: float | None
    """the route's length over the walking route's (null when there is no walking route)"""


@closed
class RouteReport(TypedDict):
    """A live report the route would have met without it (so it changed the route)."""

    report_id: int
    type: str
    effect: Literal["avoid", "forbid"]


@closed
class Instruction(TypedDict):
    """One guidance step: its kind, what the person meets, and the sentence to say. A member
    that does not apply (zero, empty, false or unknown to the step) is absent."""

    kind: str
    """depart, continue, a turn, cross, kerb, steps, elevator, slope, barrier or arrive"""
    distance_m: NotRequired[float]
    names: NotRequired[dict[str, str]]
    """the way's name: "" the local name, else by language (kk, ru, en)"""
    way_kind: NotRequired[str]
    side: NotRequired[str]
    """left or right: the side of the street walked"""
    crossing_control: NotRequired[str]
    crossing_names: NotRequired[dict[str, str]]
    """the name of the road crossed, as ``names``"""
    audible: NotRequired[str]
    tactile: NotRequired[str]
    island: NotRequired[bool]
    kerb: NotRequired[str]
    kerb_height_m: NotRequired[float]
    step_count: NotRequired[int]
    direction: NotRequired[str]
    handrail: NotRequired[str]
    incline_pct: NotRequired[float]
    """steepness in the direction walked (signed)"""
    barrier: NotRequired[str]
    level_from: NotRequired[str]
    level_to: NotRequired[str]
    text: str


@closed
class FoundRoute(TypedDict):
    """A route (``stepfree route --format json``, ``GET /v1/route`` 200)."""

    profile: str
    lang: str
    at: str | None
    """the time used, ISO-8601 with its offset"""
    winter: bool
    season: Season
    route: RouteFeature
    summary: Summary
    reports: list[RouteReport]
    osm_way_ids: list[int]
    """the OSM ways walked, in order"""
    osm_node_ids: list[int]
    """every OSM node passed, in order"""
    instructions: list[Instruction]
    warnings: list[AnswerWarning]
    summary_text: str
    provenance: Provenance


@closed
class RefusedRoute(TypedDict):
    """No route (``stepfree route`` exit 3; the API answers it as a `Refusal`): what blocks
    the way and which single change would open one."""

    profile: str
    lang: str
    at: str | None
    winter: bool
    season: Season
    route: None
    blocked_by: list[Block]
    relax: list[Relaxation]
    reason: Reason
    message: str
    provenance: Provenance


#: What ``stepfree.route`` returns: ``answer["route"] is None`` tells the two apart.
RouteAnswer = FoundRoute | RefusedRoute


# --- the HTTP error shape of a refusal -----------------------------------------------------


@closed
class Refusal(TypedDict):
    """A refused route or isochrone in the one error shape: the code and message of every
    error, then what blocks, what would open a way, and the answer's context."""

    code: Literal["no_route", "no_usable_way"]
    """no_usable_way when an end is too far from a usable way, else no_route"""
    message: str
    profile: str
    lang: NotRequired[str]
    """the route's language (a refused isochrone does not echo it)"""
    at: str | None
    winter: bool
    season: Season
    blocked_by: list[Block]
    relax: list[Relaxation]
    reason: Reason
    provenance: Provenance


@closed
class RefusalResponse(TypedDict):
    """A refused route or isochrone (HTTP 404)."""

    error: Refusal

"""The parts every answer shares: its season and provenance, its warnings, and what blocks a
refused way (``Block``) and what would open it (``Relaxation``); and how a type is closed
(`closed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NotRequired, TypeVar

from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

_T = TypeVar("_T")


def closed(cls: _T) -> _T:
    """The ``TypedDict`` ``cls``, closed for pydantic: validation refuses a member it does not
    name and its JSON schema says ``additionalProperties: false``; the bare string under a
    member is that member's description in the schema.

    Set as a plain attribute (``ConfigDict`` is a ``TypedDict`` too): this module imports no
    pydantic, and pydantic reads ``__pydantic_config__`` from the class.
    """
    config = {"extra": "forbid", "use_attribute_docstrings": True}
    setattr(cls, "__pydantic_config__", config)  # noqa: B010 (a TypeVar has no such attribute)
    return cls


#: A value a block or a relax hint names: a number, a name, a flag, or null.
Scalar = str | int | float | bool | None
#: A GeoJSON position, ``[lon, lat]`` in degrees (RFC 7946): a list in a route's line and an
#: isochrone's origin, a tuple in an isochrone's rings (the garbage collector skips tuples).
Position = Sequence[float]


# --- what every answer says about itself ---------------------------------------------------


@closed
class Season(TypedDict):
    """Whether it is winter at the time used, and what decided it."""

    winter: bool
    decided_by: str
    """``city:<preset>`` (the preset's winter months), ``latitude 55.8 N`` (the rule by
    latitude), or ``winter=yes`` / ``winter=no`` (the profile's setting)"""
    winter_months: list[int]
    """months (1-12) counted as winter where the graph lies"""
    time_zone: str
    """the IANA time zone a time without an offset is read in, e.g. Asia/Almaty"""


@closed
class GraphSource(TypedDict, total=False):
    """The file a graph was built from (empty for a graph built from records alone)."""

    name: str
    sha256: str
    format: str
    """``osw-0.2`` for a graph imported from OpenSidewalks; absent for OSM"""


@closed
class AreaSettings(TypedDict):
    """The area a graph was clipped to while reading."""

    label: str
    bbox: NotRequired[list[float]]
    """W, S, E, N in degrees"""
    polygon_wkt: NotRequired[str]


@closed
class BuildSettings(TypedDict, total=False):
    """How a graph was built (empty for an OSW import)."""

    area: AreaSettings
    dem: str | None
    """the DEM file whose grades the graph carries, or null"""


@closed
class GraphIdentity(TypedDict):
    """The graph an answer was computed on."""

    source: GraphSource
    settings: BuildSettings
    format_version: int
    nodes: int
    edges: int


@closed
class ProfileIdentity(TypedDict):
    """The profile an answer was computed for."""

    preset: str | None
    """the preset it starts from; null for a profile that is not a preset"""
    changed: dict[str, Scalar]
    """the parameters the request changed from the preset, by name"""
    sha256: str
    """of every parameter value: two requests with the same hash are routed alike"""


@closed
class Provenance(TypedDict):
    """Everything an answer rests on, so that it can be reproduced byte for byte."""

    stepfree: str
    """the version that answered"""
    graph: GraphIdentity
    profile: ProfileIdentity
    reports_version: str
    """the version of the live barrier reports used (``empty`` when none)"""
    at: str | None
    """the time used, ISO-8601 with its offset"""


WarningCode = Literal[
    "unknown_kerb",
    "unknown_incline",
    "unknown_width",
    "unknown_surface",
    "rough_surface",
    "winter_unserviced",
    "unlit",
    "elevator_hours_unknown",
    "low_confidence",
    "detour",
    "access_origin",
    "access_destination",
]


@closed
class AnswerWarning(TypedDict):
    """Something a person should know before going: its code, the numbers behind it, and a
    sentence in the answer's language."""

    code: WarningCode
    count: NotRequired[int]
    """unknown_kerb: kerbs of unknown height on the route"""
    osm_node_ids: NotRequired[list[int]]
    """unknown_kerb: the OSM nodes of those kerbs"""
    length_m: NotRequired[float]
    """unknown_incline, unknown_width, unknown_surface, rough_surface, winter_unserviced,
    unlit: length of the route concerned"""
    percent: NotRequired[int]
    """low_confidence: the confidence in percent"""
    factor: NotRequired[float]
    """detour: the route's length over the walking route's"""
    metres: NotRequired[int]
    """access_origin, access_destination: the unmapped ground crossed at that end"""
    text: str


# --- refusals: what blocks, and what would open a way --------------------------------------


@closed
class Block(TypedDict):
    """What stops the person: an element of the map (``osm_type``, ``osm_id``) that a limit
    of the profile or a live report forbids, or an end too far from any usable way
    (``attribute: access``, with ``role``); and why, in a sentence of the answer's language."""

    osm_type: NotRequired[Literal["way", "node"]]
    osm_id: NotRequired[int]
    attribute: str
    """what blocks: kerb_height_m, incline_pct, width_m, steps, surface, report, access..."""
    value: Scalar
    """the blocking value (for access: how far the nearest usable way is, m, or null)"""
    limit: Scalar
    """the limit it breaks"""
    parameter: str | None
    """the profile parameter behind the limit, if one is"""
    role: NotRequired[str]
    """origin or destination: the end refused (an access block; a nearer way of that end)"""
    distance_m: NotRequired[float]
    """a nearer way of a refused end: how far it is from the requested point"""
    report_id: NotRequired[int]
    """the live report behind the block"""
    text: str


#: One parameter change that opens a route, checked by routing again: ``parameter`` from
#: ``from`` to ``to``, and the hint as a sentence (``A route exists if you set
#: max_kerb_height_m=0.12.``). In the functional form: ``from`` is a Python keyword.
Relaxation = TypedDict("Relaxation", {"parameter": str, "from": Scalar, "to": Scalar, "text": str})
closed(Relaxation)
Relaxation.__doc__ = "One parameter change that opens a route (checked by routing again)."

Reason = Literal["blocked", "not_connected", "no_usable_way"]

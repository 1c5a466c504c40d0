"""Isochrones: the GeoJSON FeatureCollection of the ground reachable within each time, and
the refusal when no usable way is near the origin."""

from __future__ import annotations

from typing import Literal

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
class Polygon(TypedDict):
    """A GeoJSON Polygon: the outer ring counter-clockwise, then the holes."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


@closed
class MultiPolygon(TypedDict):
    """A GeoJSON MultiPolygon."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]


@closed
class IsochroneProperties(TypedDict):
    """One time's polygon: the time, its label, and the network reached."""

    minutes: int | float
    seconds: float
    label: str
    """the time in the answer's language, e.g. 15 min"""
    reached_length_m: float
    reached_nodes: int
    profile: str


@closed
class IsochroneFeature(TypedDict):
    """The ground reachable within one time."""

    type: Literal["Feature"]
    properties: IsochroneProperties
    geometry: Polygon | MultiPolygon


@closed
class IsochroneOrigin(TypedDict):
    """The requested point and where it meets the network."""

    lat: float
    lon: float
    snapped: Position
    """where the person meets the network"""
    snap_distance_m: float
    access_s: float
    """the time to cross the unmapped ground to the network, taken from every time"""


@closed
class IsochroneCollection(TypedDict):
    """Isochrones as a GeoJSON FeatureCollection: one feature per time, smallest first, each
    polygon within the next (``stepfree isochrone``, ``GET /v1/isochrone`` 200)."""

    type: Literal["FeatureCollection"]
    features: list[IsochroneFeature]
    origin: IsochroneOrigin
    profile: str
    at: str | None
    winter: bool
    season: Season
    warnings: list[AnswerWarning]
    provenance: Provenance


@closed
class IsochroneRefusal(TypedDict):
    """No usable way near an isochrone's origin (``NoUsableWay.explanation``)."""

    profile: str
    at: str | None
    winter: bool
    season: Season
    blocked_by: list[Block]
    relax: list[Relaxation]
    reason: Reason
    message: str
    provenance: Provenance

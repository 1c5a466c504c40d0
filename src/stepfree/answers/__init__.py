"""The shapes of every answer stepfree gives: routes, refusals, isochrones and coverage.

One vocabulary for the library (``stepfree.route`` and ``stepfree.isochrone`` return these),
the CLI (``route --format json`` and ``isochrone`` print them) and the HTTP API (its OpenAPI
document is generated from them). They are ``TypedDict`` types, not models: an answer is a plain
JSON-ready ``dict`` built once (a route answer takes about a millisecond and is serialised as
it is; model instances would add tens of microseconds per answer), and these types say what
that dict holds, for ``mypy --strict`` on every producer and, through pydantic's
``TypeAdapter``, for a JSON schema and for validation (``TypeAdapter(FoundRoute)``).

Each type is *closed*: ``additionalProperties: false`` in its schema, and validation refuses a
member it does not name (see `common.closed`). A member marked ``NotRequired`` is sometimes
absent (the fields of a guidance instruction that do not apply); ``X | None`` members are
always there and may be ``null``. What the numbers mean and how they are computed is in
``docs/answers.md``.

This package is the ground floor: it imports nothing of stepfree but itself and nothing outside
the standard library but ``typing_extensions`` (whose ``TypedDict`` pydantic needs on Python
3.11). Import the types from here: ``common`` holds the shared parts, ``route``, ``isochrone``
and ``coverage`` the answers of each kind.
"""

from __future__ import annotations

from stepfree.answers.common import (
    AnswerWarning,
    AreaSettings,
    Block,
    BuildSettings,
    GraphIdentity,
    GraphSource,
    Position,
    ProfileIdentity,
    Provenance,
    Reason,
    Relaxation,
    Scalar,
    Season,
    WarningCode,
)
from stepfree.answers.coverage import (
    AttributeCoverage,
    Coverage,
    CoverageCounts,
    CoverageGraph,
    CoverageProblems,
    CrossingCoverage,
    KerbNodes,
    NetworkKm,
    SidewalkCoverage,
    StepsCoverage,
)
from stepfree.answers.isochrone import (
    IsochroneCollection,
    IsochroneFeature,
    IsochroneOrigin,
    IsochroneProperties,
    IsochroneRefusal,
    MultiPolygon,
    Polygon,
)
from stepfree.answers.route import (
    AccessLegs,
    FoundRoute,
    Instruction,
    KnownShare,
    LineString,
    Refusal,
    RefusalResponse,
    RefusedRoute,
    RouteAnswer,
    RouteFeature,
    RouteProperties,
    RouteReport,
    StepTotals,
    Summary,
)

__all__ = [
    "AccessLegs",
    "AnswerWarning",
    "AreaSettings",
    "AttributeCoverage",
    "Block",
    "BuildSettings",
    "Coverage",
    "CoverageCounts",
    "CoverageGraph",
    "CoverageProblems",
    "CrossingCoverage",
    "FoundRoute",
    "GraphIdentity",
    "GraphSource",
    "Instruction",
    "IsochroneCollection",
    "IsochroneFeature",
    "IsochroneOrigin",
    "IsochroneProperties",
    "IsochroneRefusal",
    "KerbNodes",
    "KnownShare",
    "LineString",
    "MultiPolygon",
    "NetworkKm",
    "Polygon",
    "Position",
    "ProfileIdentity",
    "Provenance",
    "Reason",
    "Refusal",
    "RefusalResponse",
    "RefusedRoute",
    "Relaxation",
    "RouteAnswer",
    "RouteFeature",
    "RouteProperties",
    "RouteReport",
    "Scalar",
    "Season",
    "SidewalkCoverage",
    "StepTotals",
    "StepsCoverage",
    "Summary",
    "WarningCode",
]

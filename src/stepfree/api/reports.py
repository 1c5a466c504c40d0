"""Barrier reports: create, list, export, confirm, and moderate.

Creating and confirming are open to anyone (anonymous allowed) and rate-limited as writes.
Approving and rejecting need a moderator (or admin) key; resolving a moderator, official or
admin key. Description text is stored as given and only ever returned inside JSON (or CSV).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from stepfree.api.deps import CallerDep, ServiceDep, SettingsDep, WriterDep
from stepfree.api.errors import error_responses
from stepfree.api.limits import check_page_size, parse_bbox
from stepfree.api.responses import CLOSED, json_response
from stepfree.api.security import MODERATORS, RESOLVERS, Caller, require_role
from stepfree.api.service import Service
from stepfree.api.settings import Settings
from stepfree.errors import NotFound
from stepfree.reports.domain import Report, ReportIn, ReportStatus, ReportType
from stepfree.reports.export import reports_csv, reports_geojson
from stepfree.times import in_zone, local_time

router = APIRouter(tags=["reports"])

MAX_ID = 2**63 - 1  # ids are signed 64-bit integers in both databases
ReportId = Annotated[int, Path(ge=1, le=MAX_ID, description="the report's id")]
Bbox = Annotated[str | None, Query(description="W,S,E,N in degrees (area limit: max_bbox_km2)")]
StatusFilter = Annotated[ReportStatus | None, Query(alias="status", description="only this status")]
At = Annotated[
    str | None,
    Query(
        description="only reports valid at this ISO-8601 time (no offset: the city's local time)"
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_ID, description="page size (limit: max_page_size)")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="reports to skip")]


class ReportPage(BaseModel):
    """One page of a listing."""

    model_config = CLOSED

    reports: list[Report]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


class PointGeometry(BaseModel):
    """A report's point, or its node's: ``[lon, lat]`` in degrees."""

    model_config = CLOSED

    type: Literal["Point"]
    coordinates: list[float]


class LinesGeometry(BaseModel):
    """The lines of a report's way (one per edge of the walking network)."""

    model_config = CLOSED

    type: Literal["MultiLineString"]
    coordinates: list[list[list[float]]]


class ReportProperties(BaseModel):
    """A report's fields but its point (the feature's geometry): as ``Report``."""

    model_config = CLOSED

    id: int
    type: ReportType
    osm_node_id: int | None
    osm_way_id: int | None
    description: str
    valid_from: datetime
    valid_until: datetime
    status: ReportStatus
    confirmations: int
    source: str
    created_at: datetime
    updated_at: datetime


class ReportFeature(BaseModel):
    """One report as a GeoJSON Feature; a report placed by an OSM id the served network
    lacks has a null geometry (which GeoJSON allows)."""

    model_config = CLOSED

    type: Literal["Feature"]
    id: int
    geometry: PointGeometry | LinesGeometry | None
    properties: ReportProperties


class ReportCollection(BaseModel):
    """Reports as a GeoJSON FeatureCollection (``reports.export.reports_geojson``)."""

    model_config = CLOSED

    type: Literal["FeatureCollection"]
    features: list[ReportFeature]


def _listing(
    service: Service,
    settings: Settings,
    bbox: str | None,
    status_: ReportStatus | None,
    at: str | None,
    limit: int,
    offset: int,
    live_only: bool = False,
) -> list[Report]:
    box = parse_bbox(bbox, settings) if bbox is not None else None
    check_page_size(limit, settings)
    when = local_time(at, service.zone, "at")
    live_at = datetime.now(UTC) if live_only else None
    return service.store.list(
        bbox=box, status=status_, at=when, limit=limit, offset=offset, live_at=live_at
    )


async def _listed(
    service: Service,
    settings: Settings,
    bbox: str | None,
    status_: ReportStatus | None,
    at: str | None,
    limit: int,
    offset: int,
    live_only: bool = False,
) -> list[Report]:
    def work() -> list[Report]:
        service.housekeeping()
        return _listing(service, settings, bbox, status_, at, limit, offset, live_only)

    return await anyio.to_thread.run_sync(work)


def _dump(report: Report) -> dict[str, Any]:
    return report.model_dump(mode="json")


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=Report,
    responses=error_responses(401, 413, 422, 429),
)
async def create_report(body: ReportIn, service: ServiceDep, caller: WriterDep) -> Response:
    """Report a barrier. An ``official`` key publishes at once; others wait for moderation
    or for enough independent confirmations."""

    def work() -> Report:
        service.check_place(body)
        window = {  # a time without an offset is the served city's local time
            name: in_zone(value, service.zone, name)
            for name in ("valid_from", "valid_until")
            if (value := getattr(body, name)) is not None
        }
        data = body.model_copy(update=window)
        return service.store.create(data, caller.key, caller.client_id, datetime.now(UTC))

    report = await anyio.to_thread.run_sync(work)
    response = json_response(_dump(report), status.HTTP_201_CREATED)
    response.headers["Location"] = f"/v1/reports/{report.id}"
    return response


@router.get("/reports", response_model=ReportPage, responses=error_responses(401, 422, 429))
async def list_reports(
    service: ServiceDep,
    settings: SettingsDep,
    _caller: CallerDep,
    bbox: Bbox = None,
    status_: StatusFilter = None,
    at: At = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Reports by bounding box, status and time of validity, in id order, paged."""
    found = await _listed(service, settings, bbox, status_, at, limit, offset)
    page = ReportPage(
        reports=found,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(found) == limit else None,
    )
    return json_response(page.model_dump(mode="json"))


@router.get(
    "/reports.geojson",
    response_model=ReportCollection,
    responses=error_responses(401, 422, 429),
    summary="Reports as GeoJSON points",
)
async def export_geojson(
    service: ServiceDep,
    settings: SettingsDep,
    _caller: CallerDep,
    bbox: Bbox = None,
    status_: StatusFilter = None,
    at: At = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The same listing as a GeoJSON FeatureCollection (one point per report)."""
    found = await _listed(service, settings, bbox, status_, at, limit, offset)
    return json_response(reports_geojson(found, service.graph), media_type="application/geo+json")


CsvStatus = Annotated[
    ReportStatus | None,
    Query(
        alias="status",
        description="only this status; without it, live reports only (pending and approved, "
        "their validity window not ended)",
    ),
]


@router.get(
    "/reports.csv",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "lat,lon,text,status rows for OSM notes",
        },
        **error_responses(401, 422, 429),
    },
    summary="Reports as CSV for OSM notes",
)
async def export_csv(
    service: ServiceDep,
    settings: SettingsDep,
    _caller: CallerDep,
    bbox: Bbox = None,
    status_: CsvStatus = None,
    at: At = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The listing as CSV (lat, lon, text, status) that mappers can turn into OSM notes.

    By default only live reports: pending and approved ones whose validity window has not
    ended (rejected, resolved and expired barriers are not sent to mappers). Give ``status``
    for the reports of one status instead, e.g. ``status=resolved``.
    """
    live_only = status_ is None
    found = await _listed(service, settings, bbox, status_, at, limit, offset, live_only)
    return Response(
        reports_csv(found, service.graph).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reports.csv"'},
    )


@router.get(
    "/reports/{report_id}", response_model=Report, responses=error_responses(401, 404, 422, 429)
)
async def get_report(report_id: ReportId, service: ServiceDep, _caller: CallerDep) -> Response:
    """One report."""
    report = await anyio.to_thread.run_sync(service.store.get, report_id)
    if report is None:
        raise NotFound(f"no report {report_id}")
    return json_response(_dump(report))


@router.post(
    "/reports/{report_id}/confirm",
    response_model=Report,
    responses=error_responses(401, 404, 409, 422, 429),
)
async def confirm_report(report_id: ReportId, service: ServiceDep, caller: WriterDep) -> Response:
    """Confirm a report (one confirmation per key or client); enough of them publish it."""
    now = datetime.now(UTC)
    report = await anyio.to_thread.run_sync(
        service.store.confirm, report_id, caller.client_id, now, caller.key
    )
    return json_response(_dump(report))


async def _moderate(
    service: Service, caller: Caller, report_id: int, new: ReportStatus, allowed: Any, verb: str
) -> Response:
    key = require_role(caller, allowed, f"{verb} a report")
    report = await anyio.to_thread.run_sync(
        service.store.set_status, report_id, new, key, datetime.now(UTC)
    )
    return json_response(_dump(report))


_MODERATION = error_responses(401, 403, 404, 409, 422, 429)


@router.post("/reports/{report_id}/approve", response_model=Report, responses=_MODERATION)
async def approve_report(report_id: ReportId, service: ServiceDep, caller: CallerDep) -> Response:
    """Publish a report: routing respects it from the next request (moderator or admin)."""
    return await _moderate(
        service, caller, report_id, ReportStatus.approved, MODERATORS, "approving"
    )


@router.post("/reports/{report_id}/reject", response_model=Report, responses=_MODERATION)
async def reject_report(report_id: ReportId, service: ServiceDep, caller: CallerDep) -> Response:
    """Reject a report (moderator or admin)."""
    return await _moderate(
        service, caller, report_id, ReportStatus.rejected, MODERATORS, "rejecting"
    )


@router.post("/reports/{report_id}/resolve", response_model=Report, responses=_MODERATION)
async def resolve_report(report_id: ReportId, service: ServiceDep, caller: CallerDep) -> Response:
    """Mark a barrier as gone (moderator, official or admin)."""
    return await _moderate(
        service, caller, report_id, ReportStatus.resolved, RESOLVERS, "resolving"
    )

"""GET /v1/audit: the audit log of moderation and key actions, for admins, newest first."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from stepfree.api.deps import CallerDep, ServiceDep, SettingsDep
from stepfree.api.errors import error_responses
from stepfree.api.limits import check_page_size
from stepfree.api.responses import CLOSED
from stepfree.api.security import ADMINS, require_role
from stepfree.reports.audit import AuditAction, AuditEntry
from stepfree.reports.domain import MAX_INT64
from stepfree.times import local_time

router = APIRouter(tags=["audit"])

ReportFilter = Annotated[
    int | None, Query(ge=1, le=MAX_INT64, description="only entries about this report")
]
KeyFilter = Annotated[
    int | None, Query(ge=1, le=MAX_INT64, description="only entries about this key or done with it")
]
Since = Annotated[str | None, Query(description="only entries at or after this ISO-8601 time")]
Until = Annotated[str | None, Query(description="only entries before this ISO-8601 time")]


class AuditPage(BaseModel):
    """One page of the audit log, newest first."""

    model_config = CLOSED

    entries: list[AuditEntry]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


@router.get("/audit", response_model=AuditPage, responses=error_responses(401, 403, 422, 429))
async def audit_log(
    service: ServiceDep,
    settings: SettingsDep,
    caller: CallerDep,
    report_id: ReportFilter = None,
    key_id: KeyFilter = None,
    action: Annotated[AuditAction | None, Query(description="only this action")] = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_INT64, description="page size (limit: max_page_size)")
    ] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64, description="entries to skip")] = 0,
) -> AuditPage:
    """Who approved, rejected, resolved, published or expired which report, and who created,
    revoked, rotated or changed the expiry of which key: when, and from which status to which
    (admin role only). Entries hold ids, roles and statuses: no secrets, no client addresses
    (hashes only), no report text."""
    require_role(caller, ADMINS, "reading the audit log")
    check_page_size(limit, settings)
    start = local_time(since, service.zone, "since")
    end = local_time(until, service.zone, "until")

    def work() -> list[AuditEntry]:
        return service.store.audit(report_id, key_id, action, start, end, limit, offset)

    found = await anyio.to_thread.run_sync(work)
    return AuditPage(
        entries=found,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(found) == limit else None,
    )
